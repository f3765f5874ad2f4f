package io.mlconnector.bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code docs/benchmarks.md}: the figures of one run, each beside its ceiling and its target. */
final class Report {
    private Report() {}

    /** A measured figure over its ceiling measured in the same run; empty when the ceiling was not measured. */
    static Optional<Double> ratio(IngestBench.Point point, List<IngestBench.Point> points, String ceiling, String store) {
        return points.stream().filter(c -> c.target().equals(ceiling) && c.store().equals(store)
                        && c.connections() == point.connections())
                .findFirst().map(c -> point.wrk().requestsPerSecond() / c.wrk().requestsPerSecond());
    }

    /** Everything one run measured. */
    record Results(Machine machine, ZonedDateTime at, Duration measure, List<IngestBench.Point> ingest,
                   Duration startToFirstWebhook, List<FreshnessBench.Point> freshness, BackfillBench.Result backfill,
                   CoalescingBench.Result coalescing, NaiveBaseline.Result naive) {}

    /** Power BI's rows an hour per dataset (reference powerbi-api.md §4). */
    static final double ROWS_PER_HOUR_CEILING = 1_000_000;

    static String markdown(Results results) {
        Machine machine = results.machine();
        ZonedDateTime at = results.at();
        Duration measure = results.measure();
        List<IngestBench.Point> ingest = results.ingest();
        Duration startToFirstWebhook = results.startToFirstWebhook();
        CoalescingBench.Result coalescing = results.coalescing();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n")
                .append("Written by `bench/run` (issue 14); run it again to replace this file. Figures from one run on one\n")
                .append("machine mean little alone: each is set beside ceilings measured in the same run, on the same machine\n")
                .append("and HTTP server. The load generator (`wrk`, 2 threads) runs on the same box as everything else.\n\n")
                .append("## Machine\n\n")
                .append("| | |\n|---|---|\n")
                .append("| Date | ").append(at.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(" |\n")
                .append("| CPU | ").append(machine.cpu()).append(", ").append(machine.cores()).append(" cores |\n")
                .append("| Memory | ").append(machine.memoryMiB()).append(" MiB |\n")
                .append("| OS | ").append(machine.kernel()).append(" |\n")
                .append("| Java | ").append(machine.java()).append(" (children: `").append(String.join(" ", io.mlconnector.cli.JvmOptions.defaults()))
                .append("`, as `mlc serve` by default) |\n")
                .append("| Load generator | ").append(machine.wrk()).append(" |\n")
                .append("| Commit | ").append(machine.commit()).append(" |\n\n");

        md.append("## 1. Webhook ingest\n\n")
                .append("Signed `invoice.update` deliveries naming 200 invoices in turn, each measured for ")
                .append(measure.toSeconds()).append(" s after a warm-up at 64 connections that lasts until the JIT compiler\n")
                .append("has settled (fewer than ").append(JitWarmUp.SETTLED_COMPILATIONS).append(" methods compiled in ")
                .append(JitWarmUp.BURST.toSeconds()).append(" s, in every JVM): a service runs for days, and right after\n")
                .append("start-up compiling the request path took more CPU than serving it.\n")
                .append("\"Ceiling: verify only\" parses the form, checks the signature and answers 204; \"ceiling: verify + group\n")
                .append("commit\" adds the connector's group commit (`InboxWriter`: one writer, one transaction per group, forced to\n")
                .append("disk before the 204s). Both run on the connector's own HTTP server (`ConnectorApp`) in a JVM started like\n")
                .append("`mlc serve`. The connector adds the callback lookup, the verifier's decryption and the event checks. One\n")
                .append("instance is reached directly; two or three through HAProxy, as FreshBooks would reach them. \"Stored\" is\n")
                .append("the store's own count of events added during the run (every 204 must be one); \"caught up\" is how long\n")
                .append("the connector then took to fetch and push everything it took in.\n\n")
                .append("| What | Store | Instances | Connections | Webhooks/s | p50 ms | p99 ms | Non-2xx | Stored | ÷ verify ceiling | ÷ store ceiling | Max RSS MiB | Caught up | Warm-up |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (IngestBench.Point p : ingest) {
            boolean connector = p.target().equals("connector");
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.2f | %.2f | %d | %s | %s | %s | %d | %s | %s |%n",
                    connector ? "connector" : "ceiling: " + p.target(), p.store(), p.instances(), p.connections(),
                    p.wrk().requestsPerSecond(), p.wrk().p50Millis(), p.wrk().p99Millis(), p.wrk().non2xx(),
                    p.stored() < 0 ? "–" : p.stored() + " of " + p.wrk().succeeded(),
                    connector ? ratio(p, ingest, "verify only", "-").map(Report::fmt).orElse("–") : "–",
                    connector ? ratio(p, ingest, "verify + group commit", p.store()).map(Report::fmt).orElse("–") : "–",
                    p.maxRssMiB(), connector ? p.drainedIn().toMillis() / 1000.0 + " s" : "–", p.warmUp().describe()));
        }

        md.append("\n## 2. Freshness\n\n")
                .append("The simulated businesses change at the rate asked (their usual mix of invoices, payments, expenses,\n")
                .append("bills and clients); each change is timed from FreshBooks to the first rows of its record accepted by\n")
                .append("Power BI. Changes no row shows (e.g. a category) are counted apart. The quota bound is one POST per\n")
                .append("table the mix touched, at the dataset's 120 POSTs a minute. p50, p99 and max are over the changes to\n")
                .append("facts (invoices, payments, expenses, bills). Clients and vendors are apart: their tables hold one row per\n")
                .append("key, so a changed key waits for the table's debounced reload (`pipeline.dimension-refresh-interval`),\n")
                .append("and that interval, not the quota, bounds them.\n\n")
                .append("| Asked | Changes/s | Changes | p50 | p99 | Max | Without rows | Tables | Quota bound | p99 ÷ bound"
                        + " | Clients, vendors: changes | their p99 | their max | reload interval |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (FreshnessBench.Point p : results.freshness()) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %d | %d ms | %d ms | %d ms | %d | %d | %d ms | %.2f | %d | %d ms | %d ms | %d s |%n",
                    p.askedPerSecond() + "/s", p.eventsPerSecond(), p.changes(), p.result().percentile(0.5).toMillis(),
                    p.result().percentile(0.99).toMillis(), p.result().max().toMillis(), p.result().withoutRows(),
                    p.activeTables(), p.quotaBound().toMillis(),
                    p.result().percentile(0.99).toMillis() / (double) Math.max(1, p.quotaBound().toMillis()),
                    p.dimensions().latencies().size(), p.dimensions().percentile(0.99).toMillis(),
                    p.dimensions().max().toMillis(), p.dimensionRefresh().toSeconds()));
        }

        BackfillBench.Result backfill = results.backfill();
        md.append("\n## 3. Backfill\n\n")
                .append(String.format(Locale.ROOT, "%,d invoices with 1–4 lines each in one business, read in full after connecting (timed from the backfill's start to its last row accepted):"
                        + " %,d rows in %.1f s, %,.0f rows an hour at that rate (%.2f of Power BI's 1,000,000 an hour per dataset;"
                        + " over a whole hour the connector's quota shaper keeps to 950,000). POSTs per table against the least"
                        + " possible (rows ÷ 10,000):%n%n", backfill.invoices(), backfill.rows(),
                        backfill.startToLast().toMillis() / 1000.0, backfill.rowsPerHour(),
                        backfill.rowsPerHour() / ROWS_PER_HOUR_CEILING))
                .append("| Table | Rows | POSTs | Least possible |\n|---|---|---|---|\n");
        for (BackfillBench.TablePosts t : backfill.tables()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d |%n", t.table(), t.rows(), t.posts(), t.minimum()));
        }

        md.append("\n## 4. Coalescing\n\n")
                .append("One invoice edited once in FreshBooks, then delivered ").append(coalescing.webhooks())
                .append(" times within a second (FreshBooks' own delivery and 99 copies).\n\n")
                .append("| Webhooks accepted | Fetches of the invoice | `invoices` rows pushed | `invoice_lines` rows pushed | Settled in |\n")
                .append("|---|---|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %.1f s |%n", coalescing.accepted(), coalescing.fetches(),
                        coalescing.invoiceRows(), coalescing.lineRows(), coalescing.settledIn().toMillis() / 1000.0))
                .append("\nRows come in pairs per change (DESIGN §3): the old row reversed, the new one added.\n");

        NaiveBaseline.Result naive = results.naive();
        md.append("\n## 5. A naive baseline\n\n")
                .append(String.format(Locale.ROOT, "One POST of one row per event, as per-event workflow tools send them, retried"
                        + " after `Retry-After`, against the same simulated quota for %d s: %d rows accepted, %d POSTs throttled,"
                        + " %,.0f rows an hour. The connector's backfill above: %,.0f rows an hour, **%.0f×** the naive rate.%n",
                        naive.ran().toSeconds(), naive.rowsAccepted(), naive.throttled(), naive.rowsPerHour(),
                        backfill.rowsPerHour(), backfill.rowsPerHour() / Math.max(1, naive.rowsPerHour())));

        md.append("\n## 6. Footprint\n\n")
                .append("| Figure | Measured |\n|---|---|\n")
                .append("| Largest resident set of one `mlc serve` under load (H2) | ")
                .append(ingest.stream().filter(p -> p.target().equals("connector") && p.store().equals("H2"))
                        .mapToLong(IngestBench.Point::maxRssMiB).max().orElse(0)).append(" MiB |\n")
                .append("| `mlc serve` started → first webhook answered 204 (H2) | ")
                .append(startToFirstWebhook == null ? "–" : startToFirstWebhook.toMillis() + " ms").append(" |\n");

        md.append("\n## Targets\n\n")
                .append("| Target | Measured | Met |\n|---|---|---|\n");
        ingest.stream().filter(p -> p.target().equals("connector") && p.store().equals("H2")).forEach(p -> {
            double storeRatio = ratio(p, ingest, "verify + group commit", "H2").orElse(0.0);
            target(md, "H2, " + p.connections() + " connections: ≥ 5,000 webhooks/s", String.format(Locale.ROOT, "%.0f/s",
                    p.wrk().requestsPerSecond()), p.wrk().requestsPerSecond() >= 5_000);
            target(md, "H2, " + p.connections() + " connections: p99 < 50 ms", fmt(p.wrk().p99Millis()) + " ms",
                    p.wrk().p99Millis() < 50);
            target(md, "H2, " + p.connections() + " connections: ≥ 0.6 of the fsynced ceiling", fmt(storeRatio), storeRatio >= 0.6);
            target(md, "H2, " + p.connections() + " connections: every 204 stored", p.stored() + " of " + p.wrk().succeeded(),
                    p.stored() >= p.wrk().succeeded());
        });
        results.freshness().stream().filter(p -> p.askedPerSecond() == 1).findFirst().ifPresent(p -> target(md,
                "Freshness p99 < 2 s at 1 event/s (facts)", p.result().percentile(0.99).toMillis() + " ms",
                p.result().percentile(0.99).toMillis() < 2_000));
        results.freshness().stream().filter(p -> p.askedPerSecond() == 50).findFirst().ifPresent(p -> target(md,
                "Freshness p99 within 1.5× the quota bound at 50 events/s (facts)", String.format(Locale.ROOT, "%d ms, bound %d ms",
                        p.result().percentile(0.99).toMillis(), p.quotaBound().toMillis()),
                p.result().percentile(0.99).toMillis() <= 1.5 * p.quotaBound().toMillis()));
        target(md, "Backfill ≥ 90% of 1,000,000 rows/h", fmt(backfill.rowsPerHour() / ROWS_PER_HOUR_CEILING),
                backfill.rowsPerHour() >= 0.9 * ROWS_PER_HOUR_CEILING);
        target(md, "Backfill POSTs within 5% of the least possible", backfill.posts() + " of " + backfill.minimumPosts(),
                backfill.posts() <= Math.ceil(backfill.minimumPosts() * 1.05));
        target(md, "100 webhooks for one record → 1 fetch", coalescing.fetches() + " fetch(es)", coalescing.fetches() == 1);
        long rss = ingest.stream().filter(p -> p.target().equals("connector")).mapToLong(IngestBench.Point::maxRssMiB).max().orElse(0);
        target(md, "RSS under 300 MB", rss + " MiB", rss * 1.048576 < 300);
        ingest.stream().filter(p -> p.target().equals("verify + group commit") && p.store().equals("H2")
                        && p.wrk().requestsPerSecond() < 5_000)
                .forEach(p -> md.append(String.format(Locale.ROOT, "%nAt %d connections the H2 ceiling itself, with nothing but the"
                                + " signature check and the group commit, answered %.0f webhooks/s (p50 %.2f ms): each connection waits"
                                + " for its group's fsync before sending again, so %d connections get at most %d ÷ (fsync + request)"
                                + " a second whatever the connector does. 5,000/s there needs a disk that syncs faster than this one.%n",
                        p.connections(), p.wrk().requestsPerSecond(), p.wrk().p50Millis(), p.connections(), p.connections())));

        return md.toString();
    }

    private static void target(StringBuilder md, String target, String measured, boolean met) {
        md.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
