package io.mlconnector.mapping;

import io.mlconnector.mapping.DatasetModel.Table;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Maps one FreshBooks record (the object inside the response envelope, e.g. the value of
 * {@code response.result.invoice}) to the Power BI rows that represent its current version.
 * Pure: same input, same rows; no I/O, no clock. A deleted record ({@code vis_state} 1) maps to no
 * rows, so the ledger reverses whatever was pushed for it. Archived records ({@code vis_state} 2)
 * still map: a finance team still counts an archived invoice's amount and payments; the row says
 * {@code archived = true} so a report can filter them out.
 */
public interface RecordMapper {

    List<Row> map(String tenant, JsonNode record);

    /** The tables this mapper writes (the ledger clears rows per source record across these). */
    List<Table> tables();
}
