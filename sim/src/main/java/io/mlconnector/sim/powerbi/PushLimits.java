package io.mlconnector.sim.powerbi;

/**
 * The push-dataset limits (reference powerbi-api.md §4, §2.7). {@link #DOCUMENTED} holds Microsoft's numbers;
 * tests may shrink them to reach a limit quickly.
 *
 * @param maxBodyBytes "16 MB per request": read strictly as 16,000,000 bytes
 * @param fifoRows basicFIFO keeps the latest rows per table; read strictly as exactly this many (real: 200k–210k)
 */
public record PushLimits(int maxTables, int maxColumns, int maxRelationships, int maxRowsPerPost, long maxBodyBytes,
                         int maxStringLength, int postsPerMinute, long rowsPerHour, int maxPendingPosts,
                         int postsPerHourForLargeTables, long largeTableRows, long fifoRows, long noneRetentionMaxRows) {

    public static final PushLimits DOCUMENTED = new PushLimits(75, 75, 75, 10_000, 16_000_000L, 4_000,
            120, 1_000_000L, 5, 120, 250_000L, 200_000L, 5_000_000L);

    public PushLimits withRowsPerHour(long value) {
        return new PushLimits(maxTables, maxColumns, maxRelationships, maxRowsPerPost, maxBodyBytes, maxStringLength,
                postsPerMinute, value, maxPendingPosts, postsPerHourForLargeTables, largeTableRows, fifoRows,
                noneRetentionMaxRows);
    }

    public PushLimits withTableRowLimits(long largeTableRows, long fifoRows, long noneRetentionMaxRows) {
        return new PushLimits(maxTables, maxColumns, maxRelationships, maxRowsPerPost, maxBodyBytes, maxStringLength,
                postsPerMinute, rowsPerHour, maxPendingPosts, postsPerHourForLargeTables, largeTableRows, fifoRows,
                noneRetentionMaxRows);
    }

    public PushLimits withMaxBodyBytes(long value) {
        return new PushLimits(maxTables, maxColumns, maxRelationships, maxRowsPerPost, value, maxStringLength,
                postsPerMinute, rowsPerHour, maxPendingPosts, postsPerHourForLargeTables, largeTableRows, fifoRows,
                noneRetentionMaxRows);
    }
}
