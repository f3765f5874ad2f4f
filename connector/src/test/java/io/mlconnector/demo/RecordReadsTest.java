package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.freshbooks.ApiRequest;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.sim.freshbooks.RecordChange;
import io.mlconnector.sim.freshbooks.WebhookEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordReadsTest {
    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    private static final Duration BURST_GAP = Duration.ofMillis(300);
    private static final Duration QUIET_WINDOW = Duration.ofMillis(1500);
    private static final String INVOICE = "/accounting/account/ACM123/invoices/invoices/100001";
    private static final String KEY = "ACM123/invoices/invoices/100001";

    private static RecordChange invoiceChange(long millis) {
        return new RecordChange(T0.plusMillis(millis), new WebhookEvent("invoice.update", 100001, "ACM123", 1, 1, 1));
    }

    private static DeliveryAttempt delivery(long millis, String name) {
        return new DeliveryAttempt(millis, 1, "ACM123", "http://localhost/hooks", name, "100001", Map.of(), "sig", 1,
                204, DeliveryAttempt.Outcome.DELIVERED, T0.plusMillis(millis));
    }

    private static ApiRequest read(long millis, String path, int status) {
        return new ApiRequest(T0.plusMillis(millis), "GET", path, status);
    }

    private static RecordReads reads(List<ApiRequest> reads, List<RecordChange> changes, List<DeliveryAttempt> deliveries) {
        return new RecordReads(reads, changes, deliveries, T0, BURST_GAP, QUIET_WINDOW);
    }

    @Test
    void changesCloserThanTheBurstGapAreOneBurstAndAllowOneRead() {
        List<RecordChange> changes = List.of(invoiceChange(0), invoiceChange(100), invoiceChange(250));
        List<DeliveryAttempt> deliveries = List.of(delivery(50, "invoice.update"), delivery(150, "invoice.update"));
        RecordReads once = reads(List.of(read(1800, INVOICE, 200)), changes, deliveries);
        RecordReads twice = reads(List.of(read(1800, INVOICE, 200), read(1810, INVOICE, 200)), changes, deliveries);

        assertThat(once.changeBursts(KEY)).isEqualTo(1);
        assertThat(once.readTooOften(List.of())).isEmpty();
        assertThat(twice.readTooOften(List.of())).singleElement().asString()
                .startsWith(KEY + ": 1 change bursts, 1 delivery bursts");
    }

    @Test
    void changesFurtherApartThanTheBurstGapAreTwoBursts() {
        RecordReads reads = reads(List.of(read(400, INVOICE, 200), read(1400, INVOICE, 200)),
                List.of(invoiceChange(0), invoiceChange(1000)), List.of());

        assertThat(reads.changeBursts(KEY)).isEqualTo(2);
        assertThat(reads.readTooOften(List.of())).isEmpty();
    }

    @Test
    void aBurstWhoseWebhooksArriveFurtherApartThanTheQuietWindowMayBeReadOncePerDelivery() {
        List<RecordChange> oneBurst = List.of(invoiceChange(0), invoiceChange(100));
        List<DeliveryAttempt> late = List.of(delivery(200, "invoice.update"), delivery(4000, "invoice.update"));
        List<DeliveryAttempt> close = List.of(delivery(200, "invoice.update"), delivery(900, "invoice.update"));
        List<ApiRequest> twoReads = List.of(read(1800, INVOICE, 200), read(5600, INVOICE, 200));

        assertThat(reads(twoReads, oneBurst, late).deliveryBursts(KEY)).isEqualTo(2);
        assertThat(reads(twoReads, oneBurst, late).readTooOften(List.of())).as("second webhook after the read").isEmpty();
        assertThat(reads(twoReads, oneBurst, close).readTooOften(List.of())).as("both webhooks before it").hasSize(1);
    }

    @Test
    void failedReadsListingsVerificationsAndEarlierActivityDoNotCount() {
        List<ApiRequest> requests = List.of(read(-5000, INVOICE, 200), read(400, INVOICE, 401), read(450, INVOICE, 200),
                read(500, "/accounting/account/ACM123/invoices/invoices", 200));
        RecordReads reads = reads(requests, List.of(invoiceChange(-6000), invoiceChange(0)),
                List.of(delivery(-5900, "invoice.update"), delivery(100, "callback.verify")));

        assertThat(reads.reads()).containsOnlyKeys(KEY);
        assertThat(reads.reads().get(KEY)).containsExactly(T0.plusMillis(450));
        assertThat(reads.changeBursts(KEY)).isEqualTo(1);
        assertThat(reads.deliveryBursts(KEY)).isZero();
    }

    @Test
    void aReadJustBeforeAKillMayBeRepeated() {
        RecordReads reads = reads(List.of(read(400, INVOICE, 200), read(9000, INVOICE, 200)),
                List.of(invoiceChange(0)), List.of());

        assertThat(reads.readTooOften(List.of(T0.plusSeconds(2)))).isEmpty();
        assertThat(reads.readTooOften(List.of(T0.plusSeconds(30)))).hasSize(1);
    }
}
