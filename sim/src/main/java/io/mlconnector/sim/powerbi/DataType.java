package io.mlconnector.sim.powerbi;

import java.util.Locale;
import java.util.Optional;

/** Column data types of push datasets (reference powerbi-api.md §2.4); spellings are matched case-insensitively. */
public enum DataType {
    INT64("Int64"), DOUBLE("Double"), DECIMAL("Decimal"), BOOLEAN("Boolean"), DATETIME("DateTime"), STRING("String");

    private final String apiName;

    DataType(String apiName) {
        this.apiName = apiName;
    }

    /** The canonical spelling, as the simulator echoes it. */
    public String apiName() {
        return apiName;
    }

    /** Accepts the spellings seen in Microsoft's docs: {@code Int64/int64/int}, {@code bool}, {@code dateTime}... */
    public static Optional<DataType> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "int64", "int" -> Optional.of(INT64);
            case "double" -> Optional.of(DOUBLE);
            case "decimal" -> Optional.of(DECIMAL);
            case "boolean", "bool" -> Optional.of(BOOLEAN);
            case "datetime" -> Optional.of(DATETIME);
            case "string" -> Optional.of(STRING);
            default -> Optional.empty();
        };
    }
}
