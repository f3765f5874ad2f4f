package io.mlconnector.sim.freshbooks;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Invoice and bill arithmetic as pure functions. Matches the java SDK fixture (reference §4.1): lines 20.00 + 24.00,
 * 10 % discount = -4.40, 13 % tax on the first line taken after the discount, amount 41.94.
 */
public final class InvoiceMath {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private InvoiceMath() {}

    /** One invoice line: {@code taxPercentN} are the line's {@code taxAmountN} percentage strings, parsed. */
    public record Line(BigDecimal qty, BigDecimal unitCost, BigDecimal taxPercent1, BigDecimal taxPercent2) {}

    public record InvoiceTotals(List<BigDecimal> lineAmounts, BigDecimal subtotal, BigDecimal discountTotal,
                                BigDecimal taxTotal, BigDecimal amount) {}

    public record BillLine(BigDecimal quantity, BigDecimal unitCost, BigDecimal taxPercent1, BigDecimal taxPercent2) {}

    public record BillLineTotals(BigDecimal amount, BigDecimal taxAmount1, BigDecimal taxAmount2, BigDecimal total) {}

    public record BillTotals(List<BillLineTotals> lines, BigDecimal amount, BigDecimal taxAmount, BigDecimal totalAmount) {}

    public static BigDecimal lineAmount(BigDecimal qty, BigDecimal unitCost) {
        return Money.cents(qty.multiply(unitCost));
    }

    public static InvoiceTotals invoice(List<Line> lines, BigDecimal discountPercent) {
        BigDecimal discount = discountPercent == null ? BigDecimal.ZERO : discountPercent;
        List<BigDecimal> amounts = new ArrayList<>();
        BigDecimal subtotal = BigDecimal.ZERO;
        BigDecimal rawTax = BigDecimal.ZERO;
        for (Line line : lines) {
            BigDecimal amount = lineAmount(line.qty(), line.unitCost());
            amounts.add(amount);
            subtotal = subtotal.add(amount);
            BigDecimal discounted = amount.multiply(HUNDRED.subtract(discount)).divide(HUNDRED);
            BigDecimal percent = nz(line.taxPercent1()).add(nz(line.taxPercent2()));
            rawTax = rawTax.add(discounted.multiply(percent).divide(HUNDRED));
        }
        BigDecimal discountTotal = Money.cents(subtotal.multiply(discount).divide(HUNDRED)).negate();
        BigDecimal tax = Money.cents(rawTax);
        BigDecimal total = Money.cents(subtotal.add(discountTotal).add(tax));
        return new InvoiceTotals(List.copyOf(amounts), Money.cents(subtotal), discountTotal, tax, total);
    }

    public static BillTotals bill(List<BillLine> lines) {
        List<BillLineTotals> out = new ArrayList<>();
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal tax = BigDecimal.ZERO;
        for (BillLine line : lines) {
            BigDecimal a = lineAmount(line.quantity(), line.unitCost());
            BigDecimal t1 = Money.cents(a.multiply(nz(line.taxPercent1())).divide(HUNDRED));
            BigDecimal t2 = Money.cents(a.multiply(nz(line.taxPercent2())).divide(HUNDRED));
            out.add(new BillLineTotals(a, t1, t2, a.add(t1).add(t2)));
            amount = amount.add(a);
            tax = tax.add(t1).add(t2);
        }
        return new BillTotals(List.copyOf(out), Money.cents(amount), Money.cents(tax), Money.cents(amount.add(tax)));
    }

    /** Invoice status fields for a total, what has been paid, and whether it was ever sent (reference §4.1 codes). */
    public record InvoiceStatus(int status, String v3Status, String paymentStatus, String displayStatus) {}

    public static InvoiceStatus invoiceStatus(BigDecimal amount, BigDecimal paid, boolean sent) {
        if (paid.signum() > 0 && paid.compareTo(amount) >= 0) {
            return new InvoiceStatus(4, "paid", "paid", "sent");
        }
        if (paid.signum() > 0) {
            return new InvoiceStatus(8, "partial", "partial", "sent");
        }
        return sent ? new InvoiceStatus(2, "sent", "unpaid", "sent") : new InvoiceStatus(1, "draft", "unpaid", "draft");
    }

    /** Bill {@code status}: unpaid, overdue, partial or paid (reference §4.5). */
    public static String billStatus(BigDecimal total, BigDecimal paid, boolean pastDue) {
        if (paid.signum() > 0 && paid.compareTo(total) >= 0) {
            return "paid";
        }
        if (paid.signum() > 0) {
            return "partial";
        }
        return pastDue ? "overdue" : "unpaid";
    }

    private static BigDecimal nz(BigDecimal v) {
        return v == null ? BigDecimal.ZERO : v;
    }
}
