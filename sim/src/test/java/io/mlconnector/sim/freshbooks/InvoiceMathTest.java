package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvoiceMathTest {

    @Test
    void javaSdkFixtureAddsUp() {
        InvoiceMath.InvoiceTotals t = InvoiceMath.invoice(List.of(
                new InvoiceMath.Line(new BigDecimal("4"), new BigDecimal("5.00"), new BigDecimal("13"), null),
                new InvoiceMath.Line(new BigDecimal("2"), new BigDecimal("12.00"), BigDecimal.ZERO, BigDecimal.ZERO)),
                new BigDecimal("10"));

        assertThat(t.lineAmounts()).containsExactly(new BigDecimal("20.00"), new BigDecimal("24.00"));
        assertThat(t.discountTotal()).isEqualByComparingTo("-4.40");
        assertThat(t.taxTotal()).isEqualByComparingTo("2.34");
        assertThat(t.amount()).isEqualByComparingTo("41.94");
    }

    @Test
    void statusFollowsPayments() {
        BigDecimal amount = new BigDecimal("41.94");
        assertThat(InvoiceMath.invoiceStatus(amount, BigDecimal.ZERO, false).v3Status()).isEqualTo("draft");
        assertThat(InvoiceMath.invoiceStatus(amount, BigDecimal.ZERO, true).status()).isEqualTo(2);
        assertThat(InvoiceMath.invoiceStatus(amount, new BigDecimal("20.00"), true).status()).isEqualTo(8);
        assertThat(InvoiceMath.invoiceStatus(amount, amount, true).paymentStatus()).isEqualTo("paid");
    }

    @Test
    void billTotalsIncludeTax() {
        InvoiceMath.BillTotals t = InvoiceMath.bill(List.of(
                new InvoiceMath.BillLine(new BigDecimal("3"), new BigDecimal("10.00"), new BigDecimal("13"), null)));
        assertThat(t.amount()).isEqualByComparingTo("30.00");
        assertThat(t.taxAmount()).isEqualByComparingTo("3.90");
        assertThat(t.totalAmount()).isEqualByComparingTo("33.90");
    }

    @Test
    void easternWallTimeFollowsDst() {
        assertThat(FbTime.eastern(Instant.parse("2019-11-14T16:27:45Z"))).isEqualTo("2019-11-14 11:27:45");
        assertThat(FbTime.eastern(Instant.parse("2021-04-16T14:31:59Z"))).isEqualTo("2021-04-16 10:31:59");
        assertThat(FbTime.utcWall(Instant.parse("2021-04-16T14:31:59Z"))).isEqualTo("2021-04-16 14:31:59");
    }
}
