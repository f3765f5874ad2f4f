package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2CompactionTest {

    @Test
    void rewritesSparseChunksSoLittleOfTheFileIsDead(@TempDir Path dir) throws SQLException {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("sparse").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE");
        try (Connection keepOpen = h2.getConnection(); Statement sql = keepOpen.createStatement()) {
            // Chunks become candidates at once instead of after H2's 45 s, and no background writer tidies them.
            sql.execute("SET RETENTION_TIME 0");
            sql.execute("SET WRITE_DELAY 0");
            sql.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))");
            sql.execute("INSERT INTO t SELECT x, REPEAT('x', 150) FROM SYSTEM_RANGE(1, 20000)");
            // Each commit stores a chunk of the one leaf it changed, which later commits leave mostly dead: the shape
            // of the connector's inbox under load.
            Random random = new Random(7);
            try (PreparedStatement update = keepOpen.prepareStatement("UPDATE t SET v = ? WHERE id = ?")) {
                for (int i = 0; i < 3000; i++) {
                    update.setString(1, "y".repeat(150));
                    update.setInt(2, 1 + random.nextInt(20000));
                    update.executeUpdate();
                }
            }
            int before = chunksFillRate(sql);
            assertThat(before).as("the chunks' live share before compaction").isLessThan(40);

            try (H2Compaction compaction = H2Compaction.start(h2)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> chunksFillRate(sql) >= H2Compaction.TARGET_FILL_PERCENT - 10);
            }
            try (ResultSet rows = sql.executeQuery("SELECT COUNT(*), COUNT(CASE WHEN v LIKE 'y%' THEN 1 END) FROM t")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(20000);
                assertThat(rows.getInt(2)).isBetween(2500, 3000); // the updates are all still there
            }
        }
    }

    private static int chunksFillRate(Statement sql) throws SQLException {
        try (ResultSet rs = sql.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CHUNKS_FILL_RATE'")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }
}
