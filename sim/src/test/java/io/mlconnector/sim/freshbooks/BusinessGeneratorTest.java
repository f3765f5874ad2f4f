package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.common.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class BusinessGeneratorTest {

    /** A store with the demo businesses, a generator and the events it fired, on a clock moved 7 minutes per step. */
    private static final class World {
        final MutableClock clock = new MutableClock(Instant.parse("2024-10-30T14:00:00Z"));
        final List<WebhookEvent> events = new ArrayList<>();
        final AccountingStore store = new AccountingStore(clock, events::add, 99);
        final Directory directory = new Directory();
        final BusinessGenerator generator;
        final List<String> log = new ArrayList<>();

        World(long seed) {
            directory.add(FreshBooksConfig.DEMO_OWNER);
            FreshBooksConfig.DEMO_OWNER.memberships().forEach(m -> store.addBusiness(m.business()));
            generator = new BusinessGenerator(store, directory, seed);
        }

        World run(int steps) {
            for (int i = 0; i < steps; i++) {
                log.addAll(generator.step(1));
                clock.advance(Duration.ofMinutes(7)); // crosses the November DST change
            }
            return this;
        }

        Map<String, String> snapshot() {
            return store.accountIds().stream().flatMap(a -> java.util.Arrays.stream(Resource.values())
                            .map(r -> Map.entry(a + "/" + r, store.all(a, r).toString())))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }

    @Test
    void sameSeedSameBusinessDifferentSeedDifferentBusiness() {
        World a = new World(7).run(300);
        World b = new World(7).run(300);
        World c = new World(8).run(300);

        assertThat(a.log).isEqualTo(b.log);
        assertThat(a.snapshot()).isEqualTo(b.snapshot());
        assertThat(a.events).isEqualTo(b.events);
        assertThat(a.log).isNotEqualTo(c.log);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 2024})
    void invoiceArithmeticAddsUpAcrossGeneratedData(long seed) {
        World w = new World(seed).run(500);
        for (String acct : w.store.accountIds()) {
            List<ObjectNode> payments = w.store.all(acct, Resource.PAYMENTS);
            for (ObjectNode inv : w.store.all(acct, Resource.INVOICES)) {
                String code = inv.get("currency_code").asString();
                List<InvoiceMath.Line> lines = new ArrayList<>();
                BigDecimal subtotal = BigDecimal.ZERO;
                for (JsonNode l : inv.get("lines")) {
                    BigDecimal expected = Money.cents(new BigDecimal(l.get("qty").asString())
                            .multiply(Money.amountOf(l.get("unit_cost"))));
                    assertThat(Money.amountOf(l.get("amount"))).isEqualByComparingTo(expected);
                    assertThat(l.at("/amount/code").asString()).isEqualTo(code);
                    subtotal = subtotal.add(expected);
                    lines.add(new InvoiceMath.Line(new BigDecimal(l.get("qty").asString()), Money.amountOf(l.get("unit_cost")),
                            new BigDecimal(l.get("taxAmount1").asString()), new BigDecimal(l.get("taxAmount2").asString())));
                }
                BigDecimal discount = new BigDecimal(inv.get("discount_value").asString());
                assertThat(Money.amountOf(inv.get("discount_total"))).isEqualByComparingTo(
                        Money.cents(subtotal.multiply(discount).movePointLeft(2)).negate());
                BigDecimal amount = Money.amountOf(inv.get("amount"));
                assertThat(amount).isEqualByComparingTo(InvoiceMath.invoice(lines, discount).amount());
                assertThat(amount).isGreaterThanOrEqualTo(subtotal.add(Money.amountOf(inv.get("discount_total"))));

                BigDecimal paid = payments.stream().filter(p -> p.get("invoiceid").asLong() == inv.get("id").asLong()
                        && p.get("vis_state").asInt() != 1).map(p -> Money.amountOf(p.get("amount")))
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                assertThat(Money.amountOf(inv.get("paid"))).isEqualByComparingTo(paid);
                BigDecimal outstanding = Money.amountOf(inv.get("outstanding"));
                assertThat(outstanding).isEqualByComparingTo(amount.subtract(paid)).isGreaterThanOrEqualTo(BigDecimal.ZERO);
                int status = inv.get("status").asInt();
                if (paid.signum() > 0) {
                    assertThat(status).isEqualTo(outstanding.signum() == 0 ? 4 : 8);
                } else {
                    assertThat(status).isIn(1, 2);
                }
                assertThat(inv.get("updated").asString()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
            }
            for (ObjectNode bill : w.store.all(acct, Resource.BILLS)) {
                BigDecimal total = Money.amountOf(bill.get("total_amount"));
                assertThat(total).isEqualByComparingTo(Money.amountOf(bill.get("amount")).add(Money.amountOf(bill.get("tax_amount"))));
                BigDecimal embedded = BigDecimal.ZERO;
                for (JsonNode bp : bill.get("bill_payments")) {
                    embedded = embedded.add(Money.amountOf(bp.get("amount")));
                }
                assertThat(Money.amountOf(bill.get("paid"))).isEqualByComparingTo(embedded);
                assertThat(Money.amountOf(bill.get("outstanding"))).isEqualByComparingTo(total.subtract(embedded));
            }
            // control totals agree with each other: every live payment sits on a live or archived invoice
            Truth t = w.store.truth(acct);
            assertThat(t.table("payments").sum("amount")).isEqualByComparingTo(t.table("invoices").sum("paid"));
            assertThat(t.table("bill_payments").sum("amount")).isEqualByComparingTo(t.table("bills").sum("paid"));
            assertThat(t.table("invoices").sum("outstanding")).isEqualByComparingTo(
                    t.table("invoices").sum("amount").subtract(t.table("invoices").sum("paid")));
        }
    }

    @Test
    void generatedBusinessesDoEverythingAndFireTheRightEvents() {
        World w = new World(42).run(600);
        String actions = String.join("\n", w.log);
        for (String action : List.of("CREATE_INVOICE", "PAY_INVOICE", "SEND_INVOICE", "ARCHIVE_INVOICE", "DELETE_INVOICE",
                "CREATE_EXPENSE", "DELETE_EXPENSE", "CREATE_BILL", "PAY_BILL", "DELETE_PAYMENT", "UPDATE_CLIENT")) {
            assertThat(actions).contains(action);
        }
        assertThat(w.store.accountIds()).allSatisfy(a -> assertThat(w.store.truth(a).table("invoices").count()).isPositive());

        assertThat(w.events).noneMatch(e -> e.name().startsWith("bill_payment"));
        // each payment.create is followed by invoice.update of its invoice (recorded in the same store call)
        for (int i = 0; i < w.events.size(); i++) {
            WebhookEvent e = w.events.get(i);
            if (e.name().equals("payment.create")) {
                long invoiceId = w.store.get(e.accountId(), Resource.PAYMENTS, e.objectId()).orElseThrow().get("invoiceid").asLong();
                assertThat(w.events.get(i + 1)).extracting(WebhookEvent::name, WebhookEvent::objectId)
                        .containsExactly("invoice.update", invoiceId);
            }
        }
        assertThat(w.events).allSatisfy(e -> {
            assertThat(e.identityId()).isEqualTo(12345);
            assertThat(e.userId()).isEqualTo(1);
        });
        assertThat(w.store.all("ACM123", Resource.INVOICES)).anyMatch(i -> i.get("status").asInt() == 8);
    }

    @Test
    void runsOnATimerAcrossEveryBusinessIncludingNewOnes() {
        try (FreshBooksSimulator sim = new FreshBooksSimulator(FreshBooksConfig.demo(), new MutableClock(
                Instant.parse("2024-06-01T12:00:00Z")))) {
            SimUser extra = sim.createUser("third@biz.example", "Third Co", "EUR");
            String third = extra.memberships().get(0).business().accountId();
            sim.generator().startTimer(Duration.ofMillis(5), 5);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    sim.store().accountIds().stream().allMatch(a -> sim.truth(a).table("invoices").count() > 0));
            sim.generator().stopTimer();
            assertThat(sim.generator().isRunning()).isFalse();
            assertThat(sim.store().all(third, Resource.INVOICES).get(0).at("/amount/code").asString()).isEqualTo("EUR");
        }
    }
}
