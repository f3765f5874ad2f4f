package io.mlconnector.demo;

import io.mlconnector.app.Operations;
import io.mlconnector.pipeline.Sweeper;
import io.mlconnector.store.Tenant;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What {@code mlc demo} shows, step by step: three simulated businesses with some history, connected
 * through OAuth, their webhooks registered and verified, the history backfilled with a progress line,
 * then live changes streaming into one shared Power BI dataset, with a running count until stopped.
 */
public final class DemoRun {
    private final DemoWorld world;
    private final PrintStream out;
    private final Clock clock;

    public DemoRun(DemoWorld world, PrintStream out, Clock clock) {
        this.world = world;
        this.out = out;
        this.clock = clock;
    }

    /** Runs until {@code duration} has passed (null: until {@code stop} counts down). */
    public void run(int historySteps, Duration duration, CountDownLatch stop) throws InterruptedException {
        out.println("Simulators:");
        world.simulators().services().forEach(s -> out.printf("  %-11s %s%n", s.name(), s.baseUrl()));
        out.println("Giving the simulated businesses some history (" + historySteps + " bookkeeping steps)...");
        world.freshBooks().generator().step(historySteps);

        List<Tenant> tenants = world.connectBusinesses();
        out.println("Connected through FreshBooks OAuth:");
        tenants.forEach(t -> out.printf("  %-8s %s%n", t.tenantId(), t.businessName()));

        world.registerWebhooks(Duration.ofSeconds(30));
        out.println("Webhooks registered and verified for " + tenants.size() + " businesses.");

        Operations operations = world.connector().operations();
        for (Tenant tenant : tenants) {
            long records = operations.backfill(tenant.tenantId(), this::printProgress);
            out.printf("%n  %s: %d records backfilled%n", tenant.businessName(), records);
        }

        String connectorUrl = world.config().server().publicBaseUrl().toString();
        out.println();
        out.println("Where to look:");
        out.println("  status API        " + connectorUrl + "/api/status");
        out.println("  metrics           " + connectorUrl + "/metrics");
        out.println("  Power BI (sim)    " + world.simulators().powerBi().baseUrl() + "/sim");
        out.println("Streaming live changes" + (duration == null ? " (Ctrl-C to stop)" : " for " + duration.toSeconds() + " s")
                + "...");
        world.freshBooks().generator().startTimer(Duration.ofMillis(500), 2);
        Instant end = duration == null ? Instant.MAX : clock.instant().plus(duration);
        while (clock.instant().isBefore(end) && !stop.await(2, TimeUnit.SECONDS)) {
            printStatus(operations.status());
        }
        world.freshBooks().generator().stopTimer();
        printStatus(operations.status());
    }

    private void printProgress(Sweeper.Progress p) {
        int width = 20;
        int done = p.pages() == 0 ? width : Math.min(width, width * p.page() / Math.max(1, p.pages()));
        out.printf("\r  backfill %-8s %-14s [%s%s] page %d/%d, %d records, %d rows queued   ", p.tenantId(),
                p.type().eventPrefix() + (p.deletedListing() ? " (deleted)" : ""), "#".repeat(done),
                " ".repeat(width - done), p.page(), Math.max(p.pages(), 1), p.records(), p.outboxRows());
    }

    private void printStatus(Operations.Status status) {
        String lag = status.oldestWaiting() == null ? "none waiting"
                : String.format("oldest waiting %.1f s", Duration.between(status.oldestWaiting(), status.at()).toMillis() / 1000.0);
        out.printf("  events in %6d | rows pushed %7d | waiting: %d events, %d rows | %s%s%n",
                status.eventsReceived(), status.rowsPushed(), status.inboxPending(), status.outboxUnsent(), lag,
                status.quarantined().isEmpty() ? "" : " | QUARANTINED batches: " + status.quarantined().size());
    }
}
