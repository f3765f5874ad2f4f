package io.mlconnector.freshbooks;

import java.util.Arrays;
import java.util.Optional;

/**
 * The FreshBooks record types the connector reads: where each lives and how its envelope names it
 * (reference §4). {@code eventPrefix} is the webhook event noun (reference §3.2); types without webhooks
 * are only swept.
 */
public enum ObjectType {
    INVOICE("invoice", "/accounting/account/{account}/invoices/invoices", "invoice", "invoices", "include[]=lines", false),
    PAYMENT("payment", "/accounting/account/{account}/payments/payments", "payment", "payments", "", false),
    EXPENSE("expense", "/accounting/account/{account}/expenses/expenses", "expense", "expenses", "include[]=category", false),
    CLIENT("client", "/accounting/account/{account}/users/clients", "client", "clients", "", false),
    BILL("bill", "/accounting/account/{account}/bills/bills", "bill", "bills", "include[]=vendor", false),
    BILL_VENDOR("bill_vendor", "/accounting/account/{account}/bill_vendors/bill_vendors", "bill_vendor", "bill_vendors", "", false),
    CATEGORY("category", "/accounting/account/{account}/expenses/categories", "category", "categories", "", false),
    LEDGER_ACCOUNT("ledger_account", "/accounting/businesses/{business}/ledger_accounts/accounts", null, null, "", true);

    private final String eventPrefix;
    private final String pathTemplate;
    private final String singularKey;
    private final String pluralKey;
    private final String include;
    private final boolean businessScoped;

    ObjectType(String eventPrefix, String pathTemplate, String singularKey, String pluralKey, String include,
               boolean businessScoped) {
        this.eventPrefix = eventPrefix;
        this.pathTemplate = pathTemplate;
        this.singularKey = singularKey;
        this.pluralKey = pluralKey;
        this.include = include;
        this.businessScoped = businessScoped;
    }

    /** The noun before the dot in a webhook event name, e.g. {@code invoice} for {@code invoice.update}. */
    public String eventPrefix() {
        return eventPrefix;
    }

    /** Collection path for a tenant: account-id based, or business-uuid based for ledger accounts. */
    public String collectionPath(String accountId, String businessUuid) {
        if (businessScoped) {
            if (businessUuid == null) {
                throw new IllegalArgumentException(this + " needs the tenant's business_uuid");
            }
            return pathTemplate.replace("{business}", businessUuid);
        }
        return pathTemplate.replace("{account}", accountId);
    }

    /** Key of the record inside {@code response.result}; null for the {@code {"data":…}} envelope. */
    public String singularKey() {
        return singularKey;
    }

    public String pluralKey() {
        return pluralKey;
    }

    /** Query string that makes a GET return the whole record (e.g. invoice lines). */
    public String include() {
        return include;
    }

    /** Ledger accounts use the newer {@code {"data": …}} envelope on the business_uuid path. */
    public boolean businessScoped() {
        return businessScoped;
    }

    /**
     * Whether listings can be narrowed by {@code search[updated_min]} (reference §5: documented for clients and
     * payments, used for invoices and expenses; not for bills, bill vendors, categories or ledger accounts,
     * which an incremental sweep re-lists whole).
     */
    public boolean updatedFilter() {
        return switch (this) {
            case INVOICE, PAYMENT, EXPENSE, CLIENT -> true;
            case BILL, BILL_VENDOR, CATEGORY, LEDGER_ACCOUNT -> false;
        };
    }

    public static Optional<ObjectType> forEvent(String eventName) {
        String noun = eventName.contains(".") ? eventName.substring(0, eventName.indexOf('.')) : eventName;
        return Arrays.stream(values()).filter(t -> t.eventPrefix.equals(noun)).findFirst();
    }
}
