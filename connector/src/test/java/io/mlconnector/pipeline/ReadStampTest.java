package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.pipeline.SourceVersion.Order;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The staleness rule as a table of known answers (issue 8's cases a, b, c and their neighbours). */
class ReadStampTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ReadStamp updated(String easternWall, long fetchStamp) {
        return ReadStamp.of("payment", Optional.of(JSON.readTree("{\"updated\":\"" + easternWall + "\"}")), fetchStamp);
    }

    private static ReadStamp invoice(String updated, String version, long fetchStamp) {
        String json = "{\"updated\":\"" + updated + "\"" + (version == null ? "" : ",\"version\":\"" + version + "\"") + "}";
        return ReadStamp.of("invoice", Optional.of(JSON.readTree(json)), fetchStamp);
    }

    private static ReadStamp gone(long fetchStamp) {
        return ReadStamp.of("invoice", Optional.empty(), fetchStamp);
    }

    @Test
    void nothingAppliedYetAnyReadApplies() {
        assertThat(ReadStamp.supersedes(updated("2021-04-16 10:31:58", 1), null)).isTrue();
    }

    @Test
    void aNewerUpdatedWinsWhicheverWasFetchedFirst() {
        ReadStamp older = updated("2021-04-16 10:31:58", 2);
        ReadStamp newer = updated("2021-04-16 10:31:59", 1);
        assertThat(ReadStamp.supersedes(newer, older)).isTrue();
        assertThat(ReadStamp.supersedes(older, newer)).isFalse();
    }

    // (a) In the fall-back hour a later edit can carry an earlier wall time: 01:59 EDT, then 01:10 EST.
    @Test
    void dstOverlapLaterEditWithEarlierWallTimeWinsByFetchOrder() {
        ReadStamp first = updated("2021-11-07 01:59:00", 1); // 05:59Z
        ReadStamp second = updated("2021-11-07 01:10:00", 2); // 06:10Z
        assertThat(ReadStamp.supersedes(second, first)).isTrue();
        assertThat(ReadStamp.supersedes(first, second)).as("the earlier fetch never replaces the later").isFalse();
    }

    @Test
    void dstOverlapVersionsAreUnorderedAmongThemselvesButOrderedAgainstTheHoursAround() {
        SourceVersion before = SourceVersion.easternWall("2021-11-07 00:59:59"); // 04:59:59Z, EDT only
        SourceVersion inside = SourceVersion.easternWall("2021-11-07 01:30:00"); // 05:30Z or 06:30Z
        SourceVersion insideEarlier = SourceVersion.easternWall("2021-11-07 01:05:00");
        SourceVersion after = SourceVersion.easternWall("2021-11-07 02:00:00"); // 07:00Z, EST only
        assertThat(inside.earliest()).isEqualTo(Instant.parse("2021-11-07T05:30:00Z"));
        assertThat(inside.latest()).isEqualTo(Instant.parse("2021-11-07T06:30:00Z"));
        assertThat(SourceVersion.compare(insideEarlier, inside)).isEqualTo(Order.UNORDERED);
        assertThat(SourceVersion.compare(inside, insideEarlier)).isEqualTo(Order.UNORDERED);
        assertThat(SourceVersion.compare(inside, before)).isEqualTo(Order.NEWER);
        assertThat(SourceVersion.compare(before, inside)).isEqualTo(Order.OLDER);
        assertThat(SourceVersion.compare(after, inside)).isEqualTo(Order.NEWER);
        assertThat(SourceVersion.compare(inside, after)).isEqualTo(Order.OLDER);
    }

    @Test
    void outsideTheOverlapEasternWallTimeIsOneInstant() {
        SourceVersion spring = SourceVersion.easternWall("2021-04-16 10:31:59");
        assertThat(spring.earliest()).isEqualTo(spring.latest()).isEqualTo(Instant.parse("2021-04-16T14:31:59Z"));
        assertThat(spring.fractionDigits()).isZero();
    }

    // (b) A 404 once stamped our clock as its version and blocked every later read of the record.
    @Test
    void aTombstoneNeverBlocksAPositiveReadFetchedAfterIt() {
        ReadStamp tombstone = gone(5);
        ReadStamp restored = invoice("2021-04-16 10:31:58", "2021-04-16 10:31:58.480684", 6);
        assertThat(tombstone.version()).isNull();
        assertThat(ReadStamp.supersedes(restored, tombstone)).isTrue();
    }

    @Test
    void aPositiveReadFetchedBeforeTheTombstoneDoesNotReviveTheRecord() {
        assertThat(ReadStamp.supersedes(invoice("2030-01-01 00:00:00", null, 4), gone(5))).isFalse();
    }

    @Test
    void aTombstoneFetchedLaterReplacesAnyVersion() {
        assertThat(ReadStamp.supersedes(gone(9), invoice("2030-01-01 00:00:00", "2030-01-01 00:00:00.000001", 8)))
                .isTrue();
        assertThat(ReadStamp.supersedes(gone(7), invoice("2030-01-01 00:00:00", null, 8))).isFalse();
    }

    // (c) Equal seconds: the later read wins, not the later apply.
    @Test
    void sameSecondTheLaterFetchWinsWhicheverIsAppliedLast() {
        ReadStamp sweepFetchedFirst = updated("2021-04-16 10:31:58", 10);
        ReadStamp webhookFetchedLater = updated("2021-04-16 10:31:58", 11);
        assertThat(ReadStamp.supersedes(sweepFetchedFirst, webhookFetchedLater)).isFalse();
        assertThat(ReadStamp.supersedes(webhookFetchedLater, sweepFetchedFirst)).isTrue();
    }

    @Test
    void anInvoiceVersionOrdersEditsWithinOneSecond() {
        ReadStamp earlierEditFetchedLast = invoice("2021-04-16 10:31:58", "2021-04-16 10:31:58.100000", 11);
        ReadStamp laterEditFetchedFirst = invoice("2021-04-16 10:31:58", "2021-04-16 10:31:58.480684", 10);
        assertThat(ReadStamp.supersedes(laterEditFetchedFirst, earlierEditFetchedLast)).isTrue();
        assertThat(ReadStamp.supersedes(earlierEditFetchedLast, laterEditFetchedFirst)).isFalse();
    }

    @Test
    void theSameVersionAgainIsAppliedOnlyWhenFetchedLater() {
        ReadStamp applied = invoice("2021-04-16 10:31:58", "2021-04-16 10:31:58.480684", 10);
        assertThat(ReadStamp.supersedes(invoice("2021-04-16 10:31:58", "2021-04-16 10:31:58.480684", 12), applied))
                .isTrue();
        assertThat(ReadStamp.supersedes(invoice("2021-04-16 10:31:58", "2021-04-16 10:31:58.480684", 10), applied))
                .isFalse();
    }

    @Test
    void versionsOfDifferentResolutionAreNotCompared() {
        // The reference's invoice: version 10:31:58.480684, updated 10:31:59; they are not one instant.
        ReadStamp withVersion = invoice("2021-04-16 10:31:59", "2021-04-16 10:31:58.480684", 1);
        ReadStamp withoutVersion = invoice("2021-04-16 10:31:59", null, 2);
        assertThat(SourceVersion.compare(withVersion.version(), withoutVersion.version())).isEqualTo(Order.UNORDERED);
        assertThat(ReadStamp.supersedes(withoutVersion, withVersion)).isTrue();
        assertThat(ReadStamp.supersedes(withVersion, withoutVersion)).isFalse();
    }

    @Test
    void eachRecordTypeReadsItsOwnVersionField() {
        JsonNode invoice = JSON.readTree("{\"updated\":\"2021-04-16 10:31:59\",\"version\":\"2021-04-16 10:31:58.480684\"}");
        assertThat(SourceVersion.of("invoice", invoice))
                .isEqualTo(new SourceVersion(Instant.parse("2021-04-16T14:31:58.480684Z"),
                        Instant.parse("2021-04-16T14:31:58.480684Z"), 6));
        JsonNode bill = JSON.readTree("{\"updated_at\":\"2021-06-01 12:00:00\"}");
        assertThat(SourceVersion.of("bill", bill).earliest()).isEqualTo(Instant.parse("2021-06-01T12:00:00Z"));
        JsonNode account = JSON.readTree("{\"updated_at\":\"2023-04-27T14:33:48.841075Z\"}");
        assertThat(SourceVersion.of("ledger_account", account))
                .isEqualTo(new SourceVersion(Instant.parse("2023-04-27T14:33:48.841075Z"),
                        Instant.parse("2023-04-27T14:33:48.841075Z"), 6));
        assertThat(SourceVersion.of("payment", JSON.readTree("{\"updated\":\"\"}"))).isNull();
        assertThat(SourceVersion.of("payment", JSON.readTree("{}"))).isNull();
    }

    @Test
    void anUnreadableVersionIsRefusedNotGuessed() {
        assertThatThrownBy(() -> SourceVersion.easternWall("16/04/2021 10:31"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16/04/2021");
    }
}
