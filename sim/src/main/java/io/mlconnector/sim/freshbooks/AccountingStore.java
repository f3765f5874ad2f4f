package io.mlconnector.sim.freshbooks;

import static io.mlconnector.sim.freshbooks.Resource.BILLS;
import static io.mlconnector.sim.freshbooks.Resource.BILL_PAYMENTS;
import static io.mlconnector.sim.freshbooks.Resource.BILL_VENDORS;
import static io.mlconnector.sim.freshbooks.Resource.CATEGORIES;
import static io.mlconnector.sim.freshbooks.Resource.CLIENTS;
import static io.mlconnector.sim.freshbooks.Resource.EXPENSES;
import static io.mlconnector.sim.freshbooks.Resource.INVOICES;
import static io.mlconnector.sim.freshbooks.Resource.PAYMENTS;

import io.mlconnector.sim.common.Json;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The books of every simulated business, and the one place records change. Every change goes through
 * {@link #create}, {@link #update} or {@link #delete}, which keep derived fields right (invoice and bill arithmetic,
 * paid/outstanding/status) and fire the matching webhooks, whether the caller is the HTTP API or the generator.
 * Records are kept as the JSON FreshBooks would return (reference §4); callers get deep copies.
 */
public final class AccountingStore {

    /** The tables of the truth API, in a stable order. */
    public static final List<String> TRUTH_TABLES = List.of("invoices", "invoice_lines", "payments", "expenses",
            "bills", "bill_payments", "clients", "vendors", "categories", "accounts");

    private static final Map<Resource, Set<String>> EDITABLE = new EnumMap<>(Resource.class);

    static {
        EDITABLE.put(INVOICES, Set.of("invoice_number", "customerid", "create_date", "due_offset_days", "discount_value",
                "discount_description", "notes", "terms", "po_number", "description", "currency_code", "language",
                "template", "address", "street", "street2", "city", "province", "country", "code", "organization",
                "fname", "lname", "email"));
        EDITABLE.put(CLIENTS, Set.of("organization", "fname", "lname", "email", "username", "currency_code", "language",
                "bus_phone", "home_phone", "mob_phone", "fax", "p_street", "p_street2", "p_city", "p_province",
                "p_country", "p_code", "s_street", "s_street2", "s_city", "s_province", "s_country", "s_code",
                "vat_name", "vat_number", "note", "allow_late_fees", "allow_late_notifications", "company_industry",
                "company_size"));
        EDITABLE.put(PAYMENTS, Set.of("date", "type", "note", "send_client_notification"));
        EDITABLE.put(EXPENSES, Set.of("categoryid", "clientid", "vendor", "date", "taxName1", "taxPercent1", "taxName2",
                "taxPercent2", "notes", "billable", "markup_percent", "status", "projectid", "is_cogs", "has_receipt"));
        EDITABLE.put(CATEGORIES, Set.of("category", "parentid", "is_cogs"));
        EDITABLE.put(BILLS, Set.of("bill_number", "vendorid", "issue_date", "due_offset_days", "currency_code",
                "language", "overall_category", "overall_description"));
        EDITABLE.put(BILL_PAYMENTS, Set.of("paid_date", "payment_type", "note"));
        EDITABLE.put(BILL_VENDORS, Set.of("vendor_name", "account_number", "primary_contact_email",
                "primary_contact_first_name", "primary_contact_last_name", "phone", "street", "street2", "city",
                "province", "postal_code", "country", "currency_code", "language", "is_1099", "note", "website"));
    }

    /** Fields FreshBooks sends as strings even when they hold numbers (reference §7). */
    private static final Set<String> STRINGY = Set.of("discount_value", "markup_percent", "taxPercent1", "taxPercent2");

    private static final class Books {
        final SimBusiness business;
        final Map<Resource, TreeMap<Long, ObjectNode>> tables = new EnumMap<>(Resource.class);
        final Map<Resource, Long> nextId = new EnumMap<>(Resource.class);
        final Set<Long> sentInvoices = new HashSet<>();
        final LinkedHashMap<String, ObjectNode> ledgerAccounts = new LinkedHashMap<>();
        long nextLineId = 1;
        int nextInvoiceNumber = 1;
        int nextBillNumber = 1;

        Books(SimBusiness business) {
            this.business = business;
            for (Resource r : Resource.values()) {
                tables.put(r, new TreeMap<>());
                nextId.put(r, r.firstId());
            }
        }

        TreeMap<Long, ObjectNode> table(Resource r) {
            return tables.get(r);
        }
    }

    private final Clock clock;
    private final EventSink events;
    private final Random random;
    private final Map<String, Books> books = new LinkedHashMap<>();

    public AccountingStore(Clock clock, EventSink events, long seed) {
        this.clock = clock;
        this.events = events;
        this.random = new Random(seed);
    }

    // ---------------------------------------------------------------- businesses and reads

    /** Opens the books of a business, with a small default chart of accounts (auto-created, as FreshBooks does). */
    public synchronized void addBusiness(SimBusiness business) {
        if (books.containsKey(business.accountId())) {
            return;
        }
        Books bk = new Books(business);
        books.put(business.accountId(), bk);
        String[][] chart = {
            {"Cash", "1000", "asset", "Cash & Bank", "cash"},
            {"Accounts Receivable", "1200", "asset", "Current Asset", "accounts_receivable"},
            {"Accounts Payable", "2000", "liability", "Current Liability", "accounts_payable"},
            {"Sales", "4000", "income", "Income", "sales"},
            {"Operating Expenses", "5000", "expense", "Expense", "operating_expenses"},
        };
        for (String[] a : chart) {
            addLedgerAccount(bk, a[0], a[1], a[2], a[3], a[4], null, true);
        }
    }

    public synchronized List<String> accountIds() {
        return List.copyOf(books.keySet());
    }

    public synchronized Optional<SimBusiness> business(String accountId) {
        return Optional.ofNullable(books.get(accountId)).map(b -> b.business);
    }

    public synchronized Optional<ObjectNode> get(String accountId, Resource r, long id) {
        ObjectNode rec = books(accountId).table(r).get(id);
        return Optional.ofNullable(rec).map(ObjectNode::deepCopy);
    }

    /** Every record of a table, deleted ones included, in id order. */
    public synchronized List<ObjectNode> all(String accountId, Resource r) {
        return books(accountId).table(r).values().stream().map(ObjectNode::deepCopy).toList();
    }

    /** Ids of the records matching {@code filter}, in id order, without copying them (the generator's hot path). */
    synchronized List<Long> idsWhere(String accountId, Resource r, java.util.function.Predicate<ObjectNode> filter) {
        List<Long> out = new ArrayList<>();
        books(accountId).table(r).forEach((id, rec) -> {
            if (filter.test(rec)) {
                out.add(id);
            }
        });
        return out;
    }

    public synchronized ListResult list(String accountId, Resource r, ListQuery q) {
        List<ObjectNode> matching = new ArrayList<>();
        for (ObjectNode rec : books(accountId).table(r).values()) {
            int vis = rec.get("vis_state").asInt();
            boolean visible = q.visState() == null ? vis != 1 : vis == q.visState();
            if (visible && withinUpdated(r, rec, q)) {
                matching.add(rec);
            }
        }
        int total = matching.size();
        int pages = (total + q.perPage() - 1) / q.perPage();
        int from = (int) Math.min((long) (q.page() - 1) * q.perPage(), total);
        int to = Math.min(from + q.perPage(), total);
        List<ObjectNode> items = matching.subList(from, to).stream().map(ObjectNode::deepCopy).toList();
        return new ListResult(items, q.page(), pages, q.perPage(), total);
    }

    private static boolean withinUpdated(Resource r, ObjectNode rec, ListQuery q) {
        if (!r.updatedFilter() || (q.updatedMin() == null && q.updatedMax() == null)) {
            return true;
        }
        LocalDate day = FbTime.dateOfWall(rec.get("updated").asString()); // Eastern wall time, so its date is the Eastern day
        return (q.updatedMin() == null || !day.isBefore(q.updatedMin()))
                && (q.updatedMax() == null || day.isBefore(q.updatedMax()));
    }

    // ---------------------------------------------------------------- ledger accounts (business_uuid based)

    public synchronized Optional<String> accountIdForUuid(String businessUuid) {
        return books.values().stream().filter(b -> b.business.businessUuid().equals(businessUuid))
                .map(b -> b.business.accountId()).findFirst();
    }

    public synchronized List<ObjectNode> ledgerAccounts(String accountId) {
        return books(accountId).ledgerAccounts.values().stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized ObjectNode createLedgerAccount(String accountId, String name, String number, String type,
                                                       String subType, String parentUuid) {
        return addLedgerAccount(books(accountId), name, number, type, subType, null, parentUuid, false).deepCopy();
    }

    private ObjectNode addLedgerAccount(Books bk, String name, String number, String type, String subType,
                                        String systemName, String parentUuid, boolean autoCreated) {
        ObjectNode a = obj();
        String uuid = newUuid();
        a.put("uuid", uuid);
        a.put("name", name);
        a.put("number", number);
        a.put("description", "");
        a.put("type", type);
        a.put("sub_type", subType);
        a.put("system_account_name", systemName);
        a.put("parent_account", parentUuid);
        a.putArray("sub_accounts");
        a.put("auto_created", autoCreated);
        a.put("state", "active");
        a.put("updated_at", FbTime.isoUtcMicros(clock.instant()));
        if (parentUuid != null) {
            ObjectNode parent = bk.ledgerAccounts.get(parentUuid);
            if (parent == null) {
                throw ApiError.accounting(400, 1004, "Parent account not found.", "parent_account", "account", parentUuid);
            }
            ((ArrayNode) parent.get("sub_accounts")).add(uuid);
        }
        bk.ledgerAccounts.put(uuid, a);
        return a;
    }

    // ---------------------------------------------------------------- writes

    public synchronized ObjectNode create(String accountId, Resource r, JsonNode input, Actor actor) {
        Books bk = books(accountId);
        JsonNode in = input == null ? obj() : input;
        Instant now = clock.instant();
        long id = bk.nextId.get(r);
        ObjectNode rec = defaults(bk, r, id, in, now);
        applyData(bk, r, rec, in);
        if (r == INVOICES && in.has("lines")) {
            replaceLines(bk, rec, in.get("lines"), now);
        }
        if (r == BILLS && in.has("lines")) {
            replaceBillLines(bk, rec, in.get("lines"));
        }
        derive(bk, r, rec, null);
        touch(r, rec, now);
        bk.nextId.put(r, id + 1);
        bk.table(r).put(id, rec);
        fire(bk, r, "create", id, actor);
        afterChange(bk, r, rec, actor, now);
        return rec.deepCopy();
    }

    /**
     * A PUT: only the given keys change. The update-phase rule of reference §4.0: a body with {@code vis_state}
     * changes only that; else an action ({@code action_mark_as_sent}, {@code action_email}) runs alone; else data.
     */
    public synchronized ObjectNode update(String accountId, Resource r, long id, JsonNode input, Actor actor) {
        Books bk = books(accountId);
        ObjectNode rec = bk.table(r).get(id);
        if (rec == null) {
            throw ApiError.notFound(r, id);
        }
        JsonNode in = input == null ? obj() : input;
        Instant now = clock.instant();
        if (in.has("vis_state")) {
            int vis = in.get("vis_state").asInt(-1);
            if (vis < 0 || vis > 2) {
                throw ApiError.invalid("vis_state", r.singular(), "Invalid vis_state.", in.get("vis_state").asString());
            }
            int before = rec.get("vis_state").asInt();
            if (vis == before) {
                return rec.deepCopy();
            }
            rec.put("vis_state", vis);
            touch(r, rec, now);
            fire(bk, r, vis == 1 ? "delete" : "update", id, actor);
            afterChange(bk, r, rec, actor, now);
            return rec.deepCopy();
        }
        if (r == INVOICES && (in.path("action_mark_as_sent").asBoolean(false) || in.path("action_email").asBoolean(false))) {
            bk.sentInvoices.add(id);
            derive(bk, r, rec, null);
            touch(r, rec, now);
            if (in.path("action_email").asBoolean(false)) {
                fire(bk, r, "sendByEmail", id, actor);
            }
            fire(bk, r, "update", id, actor);
            return rec.deepCopy();
        }
        ObjectNode before = rec.deepCopy();
        try {
            applyData(bk, r, rec, in);
            if (r == INVOICES && in.has("lines")) {
                replaceLines(bk, rec, in.get("lines"), now);
            }
            if (r == BILLS && in.has("lines")) {
                replaceBillLines(bk, rec, in.get("lines"));
            }
            derive(bk, r, rec, id);
        } catch (ApiError | NumberFormatException e) {
            bk.table(r).put(id, before); // nothing written on a failed update
            throw e;
        }
        touch(r, rec, now);
        fire(bk, r, "update", id, actor);
        afterChange(bk, r, rec, actor, now);
        return rec.deepCopy();
    }

    /** Soft delete: the same as a PUT of {@code vis_state} 1. */
    public synchronized ObjectNode delete(String accountId, Resource r, long id, Actor actor) {
        return update(accountId, r, id, obj().put("vis_state", 1), actor);
    }

    // ---------------------------------------------------------------- record shapes

    private ObjectNode defaults(Books bk, Resource r, long id, JsonNode in, Instant now) {
        SimBusiness b = bk.business;
        ObjectNode rec = obj();
        for (String f : r.idFields()) {
            rec.put(f, id);
        }
        String today = FbTime.easternDate(now).toString();
        switch (r) {
            case CLIENTS -> {
                rec.put("uuid", newUuid());
                rec.put("accounting_systemid", b.accountId());
                for (String f : List.of("organization", "fname", "lname", "email", "username", "bus_phone", "mob_phone",
                        "fax", "p_street", "p_street2", "p_city", "p_province", "p_country", "p_code", "s_street",
                        "s_street2", "s_city", "s_province", "s_country", "s_code", "vat_number")) {
                    rec.put(f, "");
                }
                rec.put("currency_code", b.currencyCode());
                rec.put("language", "en");
                rec.putNull("home_phone");
                rec.putNull("vat_name");
                rec.putNull("note");
                rec.put("allow_late_fees", true);
                rec.put("allow_late_notifications", true);
                rec.put("allow_email_include_pdf", false);
                rec.put("pref_email", true);
                rec.put("pref_gmail", false);
                rec.put("level", 0);
                rec.put("role", "client");
                rec.put("notified", false);
                rec.put("num_logins", 0);
                rec.putNull("last_login");
                rec.putNull("last_activity");
                rec.put("signup_date", FbTime.utcWall(now));
                rec.put("has_retainer", false);
                rec.putNull("retainer_id");
                rec.putNull("company_industry");
                rec.putNull("company_size");
                rec.putNull("statement_token");
                rec.putNull("direct_link_token");
                rec.putNull("subdomain");
            }
            case BILL_VENDORS -> {
                for (String f : List.of("vendor_name", "account_number", "primary_contact_email",
                        "primary_contact_first_name", "primary_contact_last_name", "phone", "street", "street2", "city",
                        "province", "postal_code", "country", "note", "website")) {
                    rec.put(f, "");
                }
                rec.put("currency_code", b.currencyCode());
                rec.put("language", "en");
                rec.put("is_1099", false);
                rec.putArray("outstanding_balance");
                rec.putArray("overdue_balance");
                rec.putArray("tax_defaults");
                rec.put("created_at", FbTime.utcWall(now));
            }
            case CATEGORIES -> {
                rec.put("category", "");
                rec.putNull("parentid");
                rec.put("is_cogs", false);
                rec.put("is_editable", true);
                rec.put("created_at", FbTime.eastern(now));
            }
            case INVOICES -> {
                require(in, "customerid", r);
                rec.put("accountid", b.accountId());
                rec.put("accounting_systemid", b.accountId());
                rec.put("invoice_number", b.accountId().substring(0, Math.min(3, b.accountId().length()))
                        + String.format("%04d", bk.nextInvoiceNumber++));
                for (String f : List.of("organization", "current_organization", "fname", "lname", "email", "address",
                        "street", "street2", "city", "province", "country", "code", "notes", "terms", "po_number",
                        "description", "discount_description", "vat_name", "vat_number")) {
                    rec.put(f, "");
                }
                rec.put("currency_code", b.currencyCode());
                rec.put("language", "en");
                rec.put("create_date", today);
                rec.put("created_at", FbTime.eastern(now));
                rec.put("due_offset_days", 0);
                rec.putNull("date_paid");
                rec.putNull("fulfillment_date");
                rec.putNull("generation_date");
                rec.put("discount_value", "0");
                rec.putNull("deposit_amount");
                rec.putNull("deposit_percentage");
                rec.put("deposit_status", "none");
                rec.putNull("dispute_status");
                rec.put("autobill_status", (String) null);
                rec.put("auto_bill", false);
                rec.putNull("last_order_status");
                rec.put("template", "clean-grouped");
                rec.put("parent", 0);
                rec.put("estimateid", 0);
                rec.put("ownerid", 1);
                rec.put("sentid", 0);
                rec.put("ext_archive", 0);
                rec.put("basecampid", 0);
                rec.put("show_attachments", true);
                rec.put("gmail", false);
                rec.putNull("payment_details");
                rec.putNull("return_uri");
                rec.put("uuid", newUuid());
                rec.putArray("lines");
            }
            case PAYMENTS -> {
                long invoiceId = require(in, "invoiceid", r).asLong();
                ObjectNode inv = liveRecord(bk, INVOICES, invoiceId, "invoiceid", r);
                rec.put("invoiceid", invoiceId);
                rec.put("clientid", inv.get("customerid").asLong());
                for (String f : List.of("creditid", "overpaymentid", "orderid", "transactionid", "gateway", "bulk_paymentid")) {
                    rec.putNull(f);
                }
                rec.set("amount", moneyInput(in, "amount", r, inv.get("currency_code").asString()));
                rec.put("date", today);
                rec.put("type", "Check");
                rec.put("note", "");
                rec.put("from_credit", false);
                rec.put("send_client_notification", false);
                rec.put("accounting_systemid", b.accountId());
            }
            case EXPENSES -> {
                require(in, "categoryid", r);
                rec.put("categoryid", 0);
                rec.put("clientid", 0);
                rec.put("projectid", 0);
                rec.putNull("invoiceid");
                rec.put("staffid", 1);
                for (String f : List.of("profileid", "transactionid", "accountid", "ext_accountid", "modern_projectid",
                        "attachment", "background_jobid", "taxName1", "taxName2", "taxPercent1", "taxPercent2")) {
                    rec.putNull(f);
                }
                rec.put("account_name", "");
                rec.put("bank_name", "");
                rec.put("vendor", "");
                rec.put("date", today);
                rec.set("amount", moneyInput(in, "amount", r, b.currencyCode()));
                rec.put("compounded_tax", false);
                rec.put("markup_percent", "0");
                rec.put("notes", "");
                rec.put("status", 0);
                rec.put("billable", false);
                rec.put("has_receipt", false);
                rec.put("include_receipt", false);
                rec.put("isduplicate", false);
                rec.put("is_cogs", false);
                rec.put("ext_invoiceid", 0);
                rec.put("ext_systemid", 0);
                rec.putArray("bill_matches");
                rec.put("potential_bill_payment", false);
                rec.put("from_bulk_import", false);
                rec.put("accounting_systemid", b.accountId());
            }
            case BILLS -> {
                require(in, "vendorid", r);
                rec.put("bill_number", "B" + String.format("%05d", bk.nextBillNumber++));
                rec.put("issue_date", today);
                rec.put("due_offset_days", 30);
                rec.put("currency_code", b.currencyCode());
                rec.put("language", "en");
                rec.put("overall_category", "");
                rec.put("overall_description", "");
                rec.putNull("attachment");
                rec.putArray("bill_payments");
                rec.putArray("lines");
                rec.put("created_at", FbTime.utcWall(now));
            }
            case BILL_PAYMENTS -> {
                long billId = require(in, "billid", r).asLong();
                ObjectNode bill = liveRecord(bk, BILLS, billId, "billid", r);
                rec.put("billid", billId);
                rec.set("amount", moneyInput(in, "amount", r, bill.get("currency_code").asString()));
                rec.put("paid_date", today);
                rec.put("payment_type", "Check");
                rec.put("note", "");
                rec.put("matched_with_expense", false);
            }
        }
        rec.put("vis_state", 0);
        return rec;
    }

    /** Copies the editable keys that are present; money fields become Money nodes in the record's currency. */
    private void applyData(Books bk, Resource r, ObjectNode rec, JsonNode in) {
        for (Map.Entry<String, JsonNode> e : in.properties()) {
            String key = e.getKey();
            if (EDITABLE.get(r).contains(key)) {
                JsonNode v = e.getValue();
                rec.set(key, STRINGY.contains(key) && !v.isNull() ? Json.MAPPER.getNodeFactory().stringNode(v.asString())
                        : v.deepCopy());
            }
        }
        if ((r == PAYMENTS || r == EXPENSES || r == BILL_PAYMENTS) && in.has("amount")) {
            rec.set("amount", moneyInput(in, "amount", r, rec.get("amount").get("code").asString()));
        }
        if (r == INVOICES && in.has("customerid")) {
            ObjectNode client = liveRecord(bk, CLIENTS, in.get("customerid").asLong(), "customerid", r);
            for (String f : List.of("organization", "fname", "lname", "email")) {
                if (!in.has(f)) {
                    rec.put(f, client.get(f).asString());
                }
            }
            rec.put("current_organization", client.get("organization").asString());
            if (!in.has("currency_code")) {
                rec.put("currency_code", client.get("currency_code").asString());
            }
        }
    }

    private void replaceLines(Books bk, ObjectNode inv, JsonNode linesIn, Instant now) {
        if (!linesIn.isArray()) {
            throw ApiError.invalid("lines", "invoice", "lines must be a list.", linesIn.toString());
        }
        ArrayNode lines = Json.MAPPER.createArrayNode();
        for (JsonNode l : linesIn) {
            ObjectNode line = lines.addObject();
            long lineId = l.path("lineid").asLong(0);
            line.put("lineid", lineId > 0 ? lineId : bk.nextLineId++);
            line.put("invoiceid", inv.get("id").asLong());
            line.put("type", l.path("type").asInt(0));
            line.put("name", l.path("name").asString(""));
            line.put("description", l.path("description").asString(""));
            line.put("qty", decimalString(l, "qty", "1"));
            BigDecimal unitCost = Money.amountOf(l.get("unit_cost"));
            line.set("unit_cost", Money.node(unitCost == null ? BigDecimal.ZERO : unitCost, "XXX"));
            line.set("amount", Money.node(BigDecimal.ZERO, "XXX"));
            line.put("taxName1", l.hasNonNull("taxName1") ? l.get("taxName1").asString() : null);
            line.put("taxAmount1", decimalString(l, "taxAmount1", "0"));
            line.put("taxName2", l.hasNonNull("taxName2") ? l.get("taxName2").asString() : null);
            line.put("taxAmount2", decimalString(l, "taxAmount2", "0"));
            line.putNull("taxNumber1");
            line.putNull("taxNumber2");
            line.put("compounded_tax", false);
            line.putNull("date");
            line.put("updated", FbTime.eastern(now));
            line.putNull("expenseid");
            line.put("taskno", 0);
            line.putNull("retainer_id");
            line.putNull("retainer_period_id");
            line.put("basecampid", 0);
            line.putNull("modern_project_id");
            line.putArray("modern_time_entries");
        }
        inv.set("lines", lines);
    }

    private void replaceBillLines(Books bk, ObjectNode bill, JsonNode linesIn) {
        if (!linesIn.isArray()) {
            throw ApiError.invalid("lines", "bill", "lines must be a list.", linesIn.toString());
        }
        ArrayNode lines = Json.MAPPER.createArrayNode();
        int index = 1;
        for (JsonNode l : linesIn) {
            ObjectNode line = lines.addObject();
            long categoryId = l.path("categoryid").asLong(0);
            ObjectNode category = bk.table(CATEGORIES).get(categoryId);
            if (category == null) {
                throw ApiError.invalid("categoryid", "bill", "Category not found.", Long.toString(categoryId));
            }
            line.put("categoryid", categoryId);
            ObjectNode cat = line.putObject("category");
            cat.put("categoryid", categoryId);
            cat.put("category", category.get("category").asString());
            line.put("list_index", index++);
            line.put("description", l.path("description").asString(""));
            line.put("quantity", decimalString(l, "quantity", "1"));
            BigDecimal unitCost = Money.amountOf(l.get("unit_cost"));
            line.set("unit_cost", Money.node(unitCost == null ? BigDecimal.ZERO : unitCost, "XXX"));
            line.put("tax_name1", l.hasNonNull("tax_name1") ? l.get("tax_name1").asString() : null);
            line.put("tax_percent1", l.hasNonNull("tax_percent1") ? l.get("tax_percent1").asString() : null);
            line.putNull("tax_authorityid1");
            line.put("tax_name2", l.hasNonNull("tax_name2") ? l.get("tax_name2").asString() : null);
            line.put("tax_percent2", l.hasNonNull("tax_percent2") ? l.get("tax_percent2").asString() : null);
            line.putNull("tax_authorityid2");
        }
        bill.set("lines", lines);
    }

    /** Recomputes everything derived from a record's own fields and its children (payments, bill payments). */
    private void derive(Books bk, Resource r, ObjectNode rec, Long excludeChildCheckFor) {
        switch (r) {
            case INVOICES -> deriveInvoice(bk, rec);
            case BILLS -> deriveBill(bk, rec);
            case EXPENSES -> {
                long categoryId = rec.get("categoryid").asLong();
                if (!bk.table(CATEGORIES).containsKey(categoryId)) {
                    throw ApiError.invalid("categoryid", "expense", "Category not found.", Long.toString(categoryId));
                }
                String code = rec.get("amount").get("code").asString();
                BigDecimal amount = Money.amountOf(rec.get("amount"));
                for (int n = 1; n <= 2; n++) {
                    JsonNode pct = rec.get("taxPercent" + n);
                    BigDecimal tax = pct == null || pct.isNull() ? BigDecimal.ZERO
                            : amount.multiply(parseDecimal(pct.asString(), "taxPercent" + n, r)).movePointLeft(2);
                    rec.set("taxAmount" + n, Money.node(tax, code));
                }
            }
            case PAYMENTS -> checkNotOverpaid(bk, INVOICES, rec.get("invoiceid").asLong(), PAYMENTS, "invoiceid",
                    rec, excludeChildCheckFor, "outstanding");
            case BILL_PAYMENTS -> checkNotOverpaid(bk, BILLS, rec.get("billid").asLong(), BILL_PAYMENTS, "billid",
                    rec, excludeChildCheckFor, "outstanding");
            default -> {
                // clients, vendors, categories: nothing derived
            }
        }
    }

    private void checkNotOverpaid(Books bk, Resource parentType, long parentId, Resource childType, String link,
                                  ObjectNode child, Long childId, String field) {
        BigDecimal amount = Money.amountOf(child.get("amount"));
        if (amount.signum() <= 0) {
            throw ApiError.invalid("amount", childType.singular(), "Amount must be greater than zero.", amount.toPlainString());
        }
        ObjectNode parent = bk.table(parentType).get(parentId);
        BigDecimal total = Money.amountOf(parent.get(parentType == INVOICES ? "amount" : "total_amount"));
        BigDecimal others = paidBy(bk, childType, link, parentId, childId);
        if (others.add(amount).compareTo(total) > 0) {
            // Overpayments become credits in FreshBooks; the simulator refuses them instead (a documented choice).
            throw ApiError.invalid("amount", childType.singular(), "Amount exceeds the " + field + " balance.",
                    amount.toPlainString());
        }
    }

    private static BigDecimal paidBy(Books bk, Resource childType, String link, long parentId, Long excludeId) {
        BigDecimal sum = BigDecimal.ZERO;
        for (ObjectNode c : bk.table(childType).values()) {
            if (c.get(link).asLong() == parentId && c.get("vis_state").asInt() != 1
                    && (excludeId == null || c.get("id").asLong() != excludeId)) {
                sum = sum.add(Money.amountOf(c.get("amount")));
            }
        }
        return sum;
    }

    private void deriveInvoice(Books bk, ObjectNode inv) {
        String code = inv.get("currency_code").asString();
        List<InvoiceMath.Line> lines = new ArrayList<>();
        for (JsonNode l : inv.get("lines")) {
            lines.add(new InvoiceMath.Line(parseDecimal(l.get("qty").asString(), "qty", INVOICES),
                    Money.amountOf(l.get("unit_cost")),
                    parseDecimal(l.get("taxAmount1").asString(), "taxAmount1", INVOICES),
                    parseDecimal(l.get("taxAmount2").asString(), "taxAmount2", INVOICES)));
        }
        InvoiceMath.InvoiceTotals t = InvoiceMath.invoice(lines,
                parseDecimal(inv.get("discount_value").asString(), "discount_value", INVOICES));
        int i = 0;
        for (JsonNode l : inv.get("lines")) {
            ObjectNode line = (ObjectNode) l;
            line.set("unit_cost", Money.node(Money.amountOf(line.get("unit_cost")), code));
            line.set("amount", Money.node(t.lineAmounts().get(i++), code));
        }
        long id = inv.get("id").asLong();
        BigDecimal paid = paidBy(bk, PAYMENTS, "invoiceid", id, null);
        inv.set("amount", Money.node(t.amount(), code));
        inv.set("discount_total", Money.node(t.discountTotal(), code));
        inv.set("paid", Money.node(paid, code));
        inv.set("outstanding", Money.node(t.amount().subtract(paid), code));
        inv.set("net_paid_amount", Money.node(paid, code));
        InvoiceMath.InvoiceStatus s = InvoiceMath.invoiceStatus(t.amount(), paid, bk.sentInvoices.contains(id));
        inv.put("status", s.status());
        inv.put("v3_status", s.v3Status());
        inv.put("payment_status", s.paymentStatus());
        inv.put("display_status", s.displayStatus());
        inv.put("date_paid", s.status() == 4 ? latestPaymentDate(bk, id) : null);
        LocalDate created = parseDate(inv.get("create_date").asString(), "create_date", INVOICES);
        inv.put("due_date", created.plusDays(inv.get("due_offset_days").asInt()).toString());
    }

    private static String latestPaymentDate(Books bk, long invoiceId) {
        String latest = null;
        for (ObjectNode p : bk.table(PAYMENTS).values()) {
            if (p.get("invoiceid").asLong() == invoiceId && p.get("vis_state").asInt() != 1) {
                String d = p.get("date").asString();
                latest = latest == null || d.compareTo(latest) > 0 ? d : latest;
            }
        }
        return latest;
    }

    private void deriveBill(Books bk, ObjectNode bill) {
        long vendorId = bill.get("vendorid").asLong();
        if (!bk.table(BILL_VENDORS).containsKey(vendorId)) {
            throw ApiError.invalid("vendorid", "bill", "Vendor not found.", Long.toString(vendorId));
        }
        String code = bill.get("currency_code").asString();
        List<InvoiceMath.BillLine> lines = new ArrayList<>();
        for (JsonNode l : bill.get("lines")) {
            lines.add(new InvoiceMath.BillLine(parseDecimal(l.get("quantity").asString(), "quantity", BILLS),
                    Money.amountOf(l.get("unit_cost")), optionalDecimal(l.get("tax_percent1")),
                    optionalDecimal(l.get("tax_percent2"))));
        }
        InvoiceMath.BillTotals t = InvoiceMath.bill(lines);
        int i = 0;
        for (JsonNode l : bill.get("lines")) {
            ObjectNode line = (ObjectNode) l;
            InvoiceMath.BillLineTotals lt = t.lines().get(i++);
            line.set("unit_cost", Money.node(Money.amountOf(line.get("unit_cost")), code));
            line.set("amount", Money.node(lt.amount(), code));
            line.set("tax_amount1", line.get("tax_percent1").isNull() ? null : Money.node(lt.taxAmount1(), code));
            line.set("tax_amount2", line.get("tax_percent2").isNull() ? null : Money.node(lt.taxAmount2(), code));
            line.set("total_amount", Money.node(lt.total(), code));
        }
        long id = bill.get("id").asLong();
        ArrayNode payments = Json.MAPPER.createArrayNode();
        BigDecimal paid = BigDecimal.ZERO;
        for (ObjectNode p : bk.table(BILL_PAYMENTS).values()) {
            if (p.get("billid").asLong() == id && p.get("vis_state").asInt() != 1) {
                payments.add(p.deepCopy());
                paid = paid.add(Money.amountOf(p.get("amount")));
            }
        }
        LocalDate issued = parseDate(bill.get("issue_date").asString(), "issue_date", BILLS);
        LocalDate due = issued.plusDays(bill.get("due_offset_days").asInt());
        bill.put("due_date", due.toString());
        bill.set("amount", Money.node(t.amount(), code));
        bill.set("tax_amount", Money.node(t.taxAmount(), code));
        bill.set("total_amount", Money.node(t.totalAmount(), code));
        bill.set("paid", Money.node(paid, code));
        bill.set("outstanding", Money.node(t.totalAmount().subtract(paid), code));
        bill.put("status", InvoiceMath.billStatus(t.totalAmount(), paid,
                due.isBefore(FbTime.easternDate(clock.instant()))));
        bill.set("bill_payments", payments);
    }

    /** Knock-on effects: a payment moves its invoice, a bill payment moves its bill (reference §3.2: only bill.update). */
    private void afterChange(Books bk, Resource r, ObjectNode rec, Actor actor, Instant now) {
        if (r == PAYMENTS) {
            refreshParent(bk, INVOICES, rec.get("invoiceid").asLong(), actor, now);
        } else if (r == BILL_PAYMENTS) {
            refreshParent(bk, BILLS, rec.get("billid").asLong(), actor, now);
        }
    }

    private void refreshParent(Books bk, Resource parentType, long parentId, Actor actor, Instant now) {
        ObjectNode parent = bk.table(parentType).get(parentId);
        ObjectNode before = parent.deepCopy();
        derive(bk, parentType, parent, null);
        if (!parent.equals(before)) {
            touch(parentType, parent, now);
            fire(bk, parentType, "update", parentId, actor);
        }
    }

    private static void touch(Resource r, ObjectNode rec, Instant now) {
        switch (r) {
            case INVOICES -> {
                rec.put("updated", FbTime.eastern(now));
                rec.put("version", FbTime.easternMicros(now));
            }
            case PAYMENTS, EXPENSES, CLIENTS -> rec.put("updated", FbTime.eastern(now));
            case BILLS, BILL_VENDORS -> rec.put("updated_at", FbTime.utcWall(now));
            case CATEGORIES -> rec.put("updated_at", FbTime.eastern(now));
            case BILL_PAYMENTS -> {
                // bill payments carry no timestamp (reference §4.6)
            }
        }
    }

    private void fire(Books bk, Resource r, String verb, long id, Actor actor) {
        if (r.eventNoun() != null) {
            events.publish(new WebhookEvent(r.eventNoun() + "." + verb, id, bk.business.accountId(),
                    bk.business.businessId(), actor.identityId(), actor.userId()));
        }
    }

    // ---------------------------------------------------------------- truth

    /** Control totals per table for records that are not deleted (archived ones count; see {@link TableTotals}). */
    public synchronized Truth truth(String accountId) {
        Books bk = books(accountId);
        Map<String, TableTotals> out = new LinkedHashMap<>();
        out.put("invoices", totals("invoices", bk.table(INVOICES).values(), "amount", "paid", "outstanding", "discount_total"));
        List<ObjectNode> lines = new ArrayList<>();
        long archivedLines = 0;
        for (ObjectNode inv : bk.table(INVOICES).values()) {
            int vis = inv.get("vis_state").asInt();
            if (vis != 1) {
                for (JsonNode l : inv.get("lines")) {
                    ObjectNode copy = ((ObjectNode) l).deepCopy();
                    copy.put("vis_state", vis); // a line lives and is archived with its invoice
                    lines.add(copy);
                    archivedLines += vis == 2 ? 1 : 0;
                }
            }
        }
        out.put("invoice_lines", totals("invoice_lines", lines, "amount"));
        out.put("payments", totals("payments", bk.table(PAYMENTS).values(), "amount"));
        out.put("expenses", totals("expenses", bk.table(EXPENSES).values(), "amount", "taxAmount1", "taxAmount2"));
        out.put("bills", totals("bills", bk.table(BILLS).values(), "amount", "tax_amount", "total_amount", "paid", "outstanding"));
        out.put("bill_payments", totals("bill_payments", bk.table(BILL_PAYMENTS).values(), "amount"));
        out.put("clients", totals("clients", bk.table(CLIENTS).values()));
        out.put("vendors", totals("vendors", bk.table(BILL_VENDORS).values()));
        out.put("categories", totals("categories", bk.table(CATEGORIES).values()));
        List<ObjectNode> accounts = bk.ledgerAccounts.values().stream()
                .map(a -> a.deepCopy().put("vis_state", "active".equals(a.get("state").asString()) ? 0 : 1)).toList();
        out.put("accounts", totals("accounts", accounts));
        return new Truth(accountId, out);
    }

    private static TableTotals totals(String table, Iterable<ObjectNode> records, String... moneyFields) {
        long count = 0;
        long archived = 0;
        Map<String, BigDecimal> sums = new LinkedHashMap<>();
        for (String f : moneyFields) {
            sums.put(f, BigDecimal.ZERO.setScale(2));
        }
        for (ObjectNode rec : records) {
            int vis = rec.get("vis_state").asInt();
            if (vis == 1) {
                continue;
            }
            count++;
            archived += vis == 2 ? 1 : 0;
            for (String f : moneyFields) {
                BigDecimal v = Money.amountOf(rec.get(f));
                if (v != null) {
                    sums.merge(f, v, BigDecimal::add);
                }
            }
        }
        return new TableTotals(table, count, archived, sums);
    }

    // ---------------------------------------------------------------- helpers

    private Books books(String accountId) {
        Books bk = books.get(accountId);
        if (bk == null) {
            throw ApiError.forbidden("Unknown account " + accountId + ".");
        }
        return bk;
    }

    private static ObjectNode liveRecord(Books bk, Resource type, long id, String field, Resource forType) {
        ObjectNode rec = bk.table(type).get(id);
        if (rec == null || rec.get("vis_state").asInt() == 1) {
            throw ApiError.invalid(field, forType.singular(), type.displayName() + " not found.", Long.toString(id));
        }
        return rec;
    }

    private static JsonNode require(JsonNode in, String field, Resource r) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull() || v.asString().isBlank()) {
            throw ApiError.required(field, r.singular());
        }
        if (field.endsWith("id") && v.asLong(-1) < 0) {
            throw ApiError.invalid(field, r.singular(), "Invalid " + field + ".", v.asString());
        }
        return v;
    }

    private static ObjectNode moneyInput(JsonNode in, String field, Resource r, String code) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.required(field, r.singular());
        }
        BigDecimal amount;
        try {
            amount = Money.amountOf(v);
        } catch (NumberFormatException e) {
            throw ApiError.invalid(field, r.singular(), "Invalid amount.", v.toString());
        }
        if (amount == null) {
            throw ApiError.required(field, r.singular());
        }
        return Money.node(amount, code);
    }

    private static String decimalString(JsonNode l, String field, String dflt) {
        JsonNode v = l.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        parseDecimal(v.asString(), field, INVOICES);
        return v.asString();
    }

    private static BigDecimal parseDecimal(String s, String field, Resource r) {
        try {
            return new BigDecimal(s == null || s.isBlank() ? "0" : s.trim());
        } catch (NumberFormatException e) {
            throw ApiError.invalid(field, r.singular(), "Invalid number for " + field + ".", s);
        }
    }

    private static BigDecimal optionalDecimal(JsonNode v) {
        return v == null || v.isNull() ? null : parseDecimal(v.asString(), "tax_percent", BILLS);
    }

    private static LocalDate parseDate(String s, String field, Resource r) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.invalid(field, r.singular(), "Invalid date for " + field + ".", s);
        }
    }

    private String newUuid() {
        return new UUID((random.nextLong() & ~0xF000L) | 0x4000L, (random.nextLong() & ~(3L << 62)) | (1L << 63)).toString();
    }

    private static ObjectNode obj() {
        return Json.MAPPER.createObjectNode();
    }
}
