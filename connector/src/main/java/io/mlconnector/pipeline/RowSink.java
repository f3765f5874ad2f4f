package io.mlconnector.pipeline;

import io.mlconnector.powerbi.DatasetInfo;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.TableInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where the {@link Pusher} sends batches of signed rows: today a Power BI push dataset
 * ({@code powerbi.PushDatasetClient}). Besides appending and emptying a table, a sink must let the pusher find out
 * whether a POST whose answer was lost was applied: by the last sequence number it applied per table, or by
 * counting a batch's rows. Another target (docs/power-bi.md, "Another target: Microsoft Fabric") implements this.
 */
public interface RowSink {
    /** How long one request may take; a POST still open after it has an unknown outcome. */
    Duration requestTimeout();

    /** Every dataset with this name, oldest first. */
    List<DatasetInfo> findDatasetsByName(String workspaceId, String name);

    List<TableInfo> getTables(String workspaceId, String datasetId);

    /** Appends rows; never throws for an HTTP or network outcome: the result says what is known. */
    PostRowsResult postRows(String workspaceId, String datasetId, String table, String body, int rowCount,
                            Long sequenceNumber);

    /** Empties the table. */
    void deleteRows(String workspaceId, String datasetId, String table);

    /** The last sequence number applied to {@code table} for {@code clientId}, or empty when the sink keeps none. */
    Optional<Long> lastSequenceNumber(String workspaceId, String datasetId, String table, String clientId);

    /** How many rows of {@code table} carry {@code batchId}. */
    long countRowsOfBatch(String workspaceId, String datasetId, String table, String batchId);
}
