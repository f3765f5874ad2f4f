package io.mlconnector.powerbi;

import java.util.List;
import java.util.Optional;

/**
 * A table as the service reports it. Push datasets usually report names only (powerbi-api.md §2.5),
 * so {@code columns} is empty unless the response carried them.
 */
public record TableInfo(String name, Optional<List<ColumnInfo>> columns) {

    public record ColumnInfo(String name, String dataType) {
    }

    public static TableInfo nameOnly(String name) {
        return new TableInfo(name, Optional.empty());
    }
}
