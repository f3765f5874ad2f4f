package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.cli.BackfillLine.Progress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The backfill's progress and summary lines, from known numbers. */
class BackfillLineTest {

    private static Progress fetching(int listingsDone, int page, int pages, Duration elapsed) {
        return new Progress("bf-1", "FETCHING", 1200, 2400, 900, listingsDone, 8, "ACM1", "invoice", page, pages, 0,
                elapsed, null);
    }

    @Test
    void fetchingLineHasBarCountsRatePlaceAndEta() {
        // (2 listings + 3/6 of the third) of 8 = 31.25 %; 4 s so far → 4 × 0.6875 / 0.3125 = 8.8 s left
        assertThat(BackfillLine.line(fetching(2, 3, 6, Duration.ofSeconds(4)))).isEqualTo(
                "[######--------------]  31%  1,200 records fetched · 2,400 rows queued · 900 pushed · 300 records/s"
                        + " · invoice of ACM1 page 3/6 · ETA 9s");
    }

    @Test
    void noEtaBeforeAListingIsDoneAndUnknownPagesShowAsQuestionMark() {
        assertThat(BackfillLine.line(fetching(0, 0, 0, Duration.ofMillis(2500)))).isEqualTo(
                "[--------------------]   0%  1,200 records fetched · 2,400 rows queued · 900 pushed · 480 records/s"
                        + " · invoice of ACM1 page 0/?");
    }

    @Test
    void etaInMinutesForALongBackfill() {
        // 1 of 8 listings after 100 s: 700 s left
        assertThat(BackfillLine.line(fetching(1, 0, 5, Duration.ofSeconds(100)))).endsWith("page 0/5 · ETA 11m 40s")
                .startsWith("[##------------------]  12%");
    }

    @Test
    void pushingLineSaysWhatIsStillGoing() {
        Progress pushing = new Progress("bf-1", "PUSHING", 1000, 3000, 2500, 8, 8, "ACM1", "category (deleted)", 1, 1, 0,
                Duration.ofSeconds(10), null);
        assertThat(BackfillLine.line(pushing)).isEqualTo("[####################] 100%  1,000 records fetched · "
                + "3,000 rows queued · 2,500 pushed · 100 records/s · all read; 500 rows still going to Power BI");
        assertThat(BackfillLine.summary(pushing)).isEqualTo("Backfill bf-1 read everything: 1,000 records fetched, "
                + "3,000 rows queued, 2,500 pushed to Power BI in 10.0 s (100 records/s); 500 rows still wait for "
                + "Power BI (mlc status says why).");
    }

    @Test
    void summaries() {
        Progress done = new Progress("bf-2", "DONE", 450, 900, 900, 4, 4, "ACM1", "payment (deleted)", 1, 1, 3,
                Duration.ofMillis(1500), null);
        assertThat(BackfillLine.summary(done)).isEqualTo("Backfill bf-2 done: 450 records fetched, 900 rows queued, "
                + "900 pushed to Power BI in 1.5 s (300 records/s); 3 pages already read by an earlier backfill skipped.");
        Progress failed = new Progress("bf-3", "FAILED", 200, 400, 10, 0, 2, "ACM1", "invoice", 2, 4, 0,
                Duration.ofSeconds(2), "FreshBooks answered 503 to GET /invoices");
        assertThat(BackfillLine.summary(failed)).isEqualTo("Backfill bf-3 stopped at invoice of ACM1 page 3: FreshBooks "
                + "answered 503 to GET /invoices. So far 200 records fetched, 400 rows queued, 10 pushed to Power BI in "
                + "2.0 s (100 records/s). Fix the cause and run the same command again: it continues from that page.");
    }

    @Test
    void progressFromTheApiJsonUsesTheEndTimeOnceEnded() {
        var json = JsonMapper.builder().build().readTree("""
                {"id":"bf-9","state":"DONE","startedAt":"2026-01-02T10:00:00Z","finishedAt":"2026-01-02T10:00:04Z",
                 "recordsFetched":40,"rowsQueued":80,"rowsPushed":80,"listingsDone":2,"listingsTotal":2,
                 "tenant":"ACM1","type":"invoice (deleted)","page":1,"pages":1,"pagesSkipped":0,"error":null}""");
        Progress p = Progress.of(json, Instant.parse("2026-01-02T11:00:00Z"));
        assertThat(p.elapsed()).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.ended()).isTrue();
        assertThat(p.error()).isNull();
        assertThat(BackfillLine.summary(p)).isEqualTo("Backfill bf-9 done: 40 records fetched, 80 rows queued, "
                + "80 pushed to Power BI in 4.0 s (10 records/s).");
    }
}
