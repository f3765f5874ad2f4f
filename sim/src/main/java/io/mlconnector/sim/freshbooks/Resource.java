package io.mlconnector.sim.freshbooks;

import java.util.List;

/** The account-id based accounting resources the simulator serves (reference §4), with their wire names. */
public enum Resource {
    INVOICES("invoices/invoices", "invoice", "invoices", "invoice", "invoices", List.of("id", "invoiceid"), true, 100_001),
    PAYMENTS("payments/payments", "payment", "payments", "payment", "payments", List.of("id", "logid"), true, 200_001),
    EXPENSES("expenses/expenses", "expense", "expenses", "expense", "expenses", List.of("id", "expenseid"), true, 300_001),
    CATEGORIES("expenses/categories", "category", "categories", "category", "expenses", List.of("id", "categoryid"), false, 4_001),
    CLIENTS("users/clients", "client", "clients", "client", "clients", List.of("id", "userid"), true, 50_001),
    BILLS("bills/bills", "bill", "bills", "bill", "bills", List.of("id"), false, 1_601),
    BILL_PAYMENTS("bill_payments/bill_payments", "bill_payment", "bill_payments", null, "bill_payments", List.of("id"), false, 1_401),
    BILL_VENDORS("bill_vendors/bill_vendors", "bill_vendor", "bill_vendors", "bill_vendor", "bill_vendors", List.of("vendorid"), false, 7_001);

    private final String path;
    private final String singular;
    private final String plural;
    private final String eventNoun;
    private final String scopeObject;
    private final List<String> idFields;
    private final boolean updatedFilter;
    private final long firstId;

    Resource(String path, String singular, String plural, String eventNoun, String scopeObject, List<String> idFields,
             boolean updatedFilter, long firstId) {
        this.path = path;
        this.singular = singular;
        this.plural = plural;
        this.eventNoun = eventNoun;
        this.scopeObject = scopeObject;
        this.idFields = idFields;
        this.updatedFilter = updatedFilter;
        this.firstId = firstId;
    }

    /** The part after {@code /accounting/account/{account_id}/}. */
    public String path() {
        return path;
    }

    public String singular() {
        return singular;
    }

    public String plural() {
        return plural;
    }

    /** Webhook noun ({@code invoice}, …); null for bill payments, which have no events (reference §3.2). */
    public String eventNoun() {
        return eventNoun;
    }

    public String readScope() {
        return "user:" + scopeObject + ":read";
    }

    public String writeScope() {
        return "user:" + scopeObject + ":write";
    }

    /** Every field that carries the record's id ({@code id} and its alias such as {@code invoiceid}). */
    public List<String> idFields() {
        return idFields;
    }

    /** The field named in a 404 ({@code userid} for clients, as in reference §4.4). */
    public String idField() {
        return idFields.get(idFields.size() - 1);
    }

    /** Whether {@code search[updated_min|max]} is honoured: documented for clients and payments, chosen for invoices and expenses. */
    public boolean updatedFilter() {
        return updatedFilter;
    }

    long firstId() {
        return firstId;
    }

    /** "Client", "Bill payment": the object name in error messages. */
    public String displayName() {
        String s = singular.replace('_', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
