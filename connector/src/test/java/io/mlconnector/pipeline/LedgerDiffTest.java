package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.pipeline.LedgerDiff.LedgerRow;
import io.mlconnector.pipeline.LedgerDiff.SignedRow;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class LedgerDiffTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LedgerRow row(String table, String key, String json) {
        return new LedgerRow(table, key, (ObjectNode) JSON.readTree(json));
    }

    @Test
    void firstSightPushesThePlusRowOnly() {
        LedgerRow v1 = row("invoices", "42", "{\"amount\":10.00}");
        assertThat(LedgerDiff.diff(List.of(), List.of(v1))).containsExactly(new SignedRow(v1, +1));
    }

    @Test
    void aChangeReversesTheOldValuesAndPushesTheNew() {
        LedgerRow v1 = row("invoices", "42", "{\"amount\":10.00,\"status\":\"sent\"}");
        LedgerRow v2 = row("invoices", "42", "{\"amount\":12.50,\"status\":\"sent\"}");
        assertThat(LedgerDiff.diff(List.of(v1), List.of(v2)))
                .containsExactly(new SignedRow(v1, -1), new SignedRow(v2, +1));
    }

    @Test
    void aDeleteReversesEveryRowOfTheRecord() {
        LedgerRow invoice = row("invoices", "42", "{\"amount\":10.00}");
        LedgerRow line = row("invoice_lines", "7", "{\"amount\":10.00}");
        assertThat(LedgerDiff.diff(List.of(invoice, line), List.of()))
                .containsExactly(new SignedRow(invoice, -1), new SignedRow(line, -1));
    }

    @Test
    void theSameVersionAgainPushesNothing() {
        LedgerRow v1 = row("invoices", "42", "{\"amount\":10.00}");
        LedgerRow again = row("invoices", "42", "{\"amount\":10.00}");
        assertThat(LedgerDiff.diff(List.of(v1), List.of(again))).isEmpty();
    }

    @Test
    void onlyTheChangedLineOfAnInvoiceMoves() {
        LedgerRow invoice = row("invoices", "42", "{\"amount\":30.00}");
        LedgerRow line1 = row("invoice_lines", "1", "{\"amount\":10.00}");
        LedgerRow line2 = row("invoice_lines", "2", "{\"amount\":20.00}");
        LedgerRow line2b = row("invoice_lines", "2", "{\"amount\":25.00}");
        LedgerRow invoiceB = row("invoices", "42", "{\"amount\":35.00}");
        List<SignedRow> delta = LedgerDiff.diff(List.of(invoice, line1, line2), List.of(invoiceB, line1, line2b));
        assertThat(delta).containsExactly(new SignedRow(invoice, -1), new SignedRow(line2, -1),
                new SignedRow(invoiceB, +1), new SignedRow(line2b, +1));
    }

    @Test
    void signedSumsAlwaysEqualTheCurrentRows() {
        // Replay a sequence of versions through the diff and check SUM(amount × sign) each time.
        java.util.Random random = new java.util.Random(11);
        List<LedgerRow> pushed = List.of();
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        for (int version = 0; version < 200; version++) {
            List<LedgerRow> current = new java.util.ArrayList<>();
            java.math.BigDecimal expected = java.math.BigDecimal.ZERO;
            for (int line = 0; line < random.nextInt(4); line++) {
                java.math.BigDecimal amount = java.math.BigDecimal.valueOf(random.nextInt(10_000), 2);
                current.add(row("invoice_lines", Integer.toString(line), "{\"amount\":" + amount.toPlainString() + "}"));
                expected = expected.add(amount);
            }
            for (SignedRow signed : LedgerDiff.diff(pushed, current)) {
                total = total.add(signed.row().values().get("amount").decimalValue().multiply(java.math.BigDecimal.valueOf(signed.sign())));
            }
            pushed = current;
            assertThat(total).isEqualByComparingTo(expected);
        }
    }

    @Test
    void duplicateKeysInOneRecordAreABug() {
        LedgerRow a = row("invoice_lines", "1", "{}");
        assertThatThrownBy(() -> LedgerDiff.diff(List.of(), List.of(a, a))).isInstanceOf(IllegalArgumentException.class);
    }
}
