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
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A business that lives: each {@link #step} picks a business and does one thing its bookkeeper would (a new client,
 * an invoice, a partial payment, an archived invoice, a bill and its payment, …) through the same
 * {@link AccountingStore} calls the HTTP API uses, so the same webhooks fire. Deterministic for a seed, given the
 * same clock readings; can also run on a timer for the demo.
 */
public final class BusinessGenerator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BusinessGenerator.class);
    private static final String[] ORGS = {"Northwind", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
        "Soylent", "Tyrell", "Cyberdyne", "Gringotts", "Oceanic", "Wonka", "Dunder Mifflin", "Prestige"};
    private static final String[] FIRST = {"Ada", "Grace", "Linus", "Edsger", "Barbara", "Ken", "Margaret", "Alan"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Torvalds", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Turing"};
    private static final String[] ITEMS = {"Consulting", "Design", "Bowls", "Widgets", "Support plan", "Training", "Audit"};
    private static final String[] CATEGORIES_SEED = {"Office Supplies", "Travel", "Meals", "Software", "Rent", "Utilities"};
    private static final String[] VENDORS = {"Staples", "Amazon Business", "City Power", "Landlord LLC", "Telco Inc"};
    private static final String[] PAYMENT_TYPES = {"Check", "Cash", "Bank Transfer", "Credit Card", "VISA", "ACH"};

    private enum Action {
        CREATE_CLIENT(8), UPDATE_CLIENT(3), ARCHIVE_CLIENT(1), CREATE_VENDOR(2), UPDATE_VENDOR(1), CREATE_CATEGORY(1),
        CREATE_INVOICE(18), SEND_INVOICE(8), EDIT_INVOICE(5), PAY_INVOICE(15), DELETE_PAYMENT(2), ARCHIVE_INVOICE(2),
        DELETE_INVOICE(2), CREATE_EXPENSE(10), UPDATE_EXPENSE(3), DELETE_EXPENSE(2), CREATE_BILL(6), PAY_BILL(6),
        DELETE_BILL_PAYMENT(1), ARCHIVE_BILL(1), DELETE_BILL(1);

        final int weight;

        Action(int weight) {
            this.weight = weight;
        }
    }

    private final AccountingStore store;
    private final Directory directory;
    private final Random random;
    private final ScheduledExecutorService timer;
    private ScheduledFuture<?> ticking;

    public BusinessGenerator(AccountingStore store, Directory directory, long seed) {
        this.store = store;
        this.directory = directory;
        this.random = new Random(seed);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fb-sim-generator");
            t.setDaemon(true);
            return t;
        });
    }

    /** Performs {@code n} actions; returns what each did ("ACM123 PAY_INVOICE payment 200001"), for logs and tests. */
    public synchronized List<String> step(int n) {
        List<String> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            done.add(stepOnce());
        }
        return done;
    }

    /**
     * Creates {@code n} invoices of 1–4 lines each in one business and nothing else: a backlog for a backfill to
     * read (the benchmarks). Returns their ids.
     */
    public synchronized List<Long> createInvoices(String accountId, int n) {
        Actor actor = ownerActor(accountId);
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(id(createInvoice(accountId, actor)));
        }
        return ids;
    }

    /** Runs {@code stepsPerTick} steps every {@code interval} until {@link #stopTimer()}. */
    public synchronized void startTimer(Duration interval, int stepsPerTick) {
        stopTimer();
        ticking = timer.scheduleAtFixedRate(() -> {
            try {
                step(stepsPerTick);
            } catch (RuntimeException e) {
                LOG.warn("generator step failed", e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void stopTimer() {
        if (ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
    }

    public synchronized boolean isRunning() {
        return ticking != null;
    }

    @Override
    public void close() {
        stopTimer();
        timer.shutdownNow();
    }

    // ---------------------------------------------------------------- one step

    private String stepOnce() {
        List<String> accounts = store.accountIds();
        if (accounts.isEmpty()) {
            return "no business";
        }
        String acct = accounts.get(random.nextInt(accounts.size()));
        Actor actor = ownerActor(acct);
        // a business first gets the basics it needs to trade
        if (live(acct, CATEGORIES).size() < 3) {
            return done(acct, "CREATE_CATEGORY", createCategory(acct, actor));
        }
        if (live(acct, CLIENTS).isEmpty()) {
            return done(acct, "CREATE_CLIENT", createClient(acct, actor));
        }
        if (live(acct, BILL_VENDORS).isEmpty()) {
            return done(acct, "CREATE_VENDOR", createVendor(acct, actor));
        }
        Action action = pick();
        ObjectNode rec = perform(acct, actor, action);
        if (rec == null) { // nothing to act on: trade instead
            action = Action.CREATE_INVOICE;
            rec = createInvoice(acct, actor);
        }
        return done(acct, action.name(), rec);
    }

    private ObjectNode perform(String acct, Actor actor, Action action) {
        return switch (action) {
            case CREATE_CLIENT -> live(acct, CLIENTS).size() >= 40 ? null : createClient(acct, actor);
            case UPDATE_CLIENT -> any(acct, CLIENTS, r -> true)
                    .map(c -> store.update(acct, CLIENTS, id(c), obj().put("bus_phone", phone()), actor)).orElse(null);
            case ARCHIVE_CLIENT -> live(acct, CLIENTS).size() < 5 ? null : any(acct, CLIENTS, r -> vis(r) == 0)
                    .map(c -> store.update(acct, CLIENTS, id(c), obj().put("vis_state", 2), actor)).orElse(null);
            case CREATE_VENDOR -> live(acct, BILL_VENDORS).size() >= 10 ? null : createVendor(acct, actor);
            case UPDATE_VENDOR -> any(acct, BILL_VENDORS, r -> true)
                    .map(v -> store.update(acct, BILL_VENDORS, v.get("vendorid").asLong(),
                            obj().put("phone", phone()), actor)).orElse(null);
            case CREATE_CATEGORY -> live(acct, CATEGORIES).size() >= CATEGORIES_SEED.length ? null : createCategory(acct, actor);
            case CREATE_INVOICE -> createInvoice(acct, actor);
            case SEND_INVOICE -> any(acct, INVOICES, r -> vis(r) == 0 && r.get("status").asInt() == 1)
                    .map(i -> store.update(acct, INVOICES, id(i), obj().put("action_mark_as_sent", true), actor)).orElse(null);
            case EDIT_INVOICE -> any(acct, INVOICES, r -> vis(r) == 0 && paid(r).signum() == 0)
                    .map(i -> store.update(acct, INVOICES, id(i), invoiceEdit(), actor)).orElse(null);
            case PAY_INVOICE -> any(acct, INVOICES, r -> vis(r) == 0 && r.get("status").asInt() != 1
                    && outstanding(r).signum() > 0).map(i -> payInvoice(acct, i, actor)).orElse(null);
            case DELETE_PAYMENT -> any(acct, PAYMENTS, r -> vis(r) == 0)
                    .map(p -> store.delete(acct, PAYMENTS, id(p), actor)).orElse(null);
            case ARCHIVE_INVOICE -> any(acct, INVOICES, r -> vis(r) == 0 && r.get("status").asInt() == 4)
                    .map(i -> store.update(acct, INVOICES, id(i), obj().put("vis_state", 2), actor)).orElse(null);
            case DELETE_INVOICE -> any(acct, INVOICES, r -> vis(r) == 0 && paid(r).signum() == 0 && !hasPayments(acct, id(r)))
                    .map(i -> store.delete(acct, INVOICES, id(i), actor)).orElse(null);
            case CREATE_EXPENSE -> createExpense(acct, actor);
            case UPDATE_EXPENSE -> any(acct, EXPENSES, r -> vis(r) == 0)
                    .map(e -> store.update(acct, EXPENSES, id(e), obj().put("notes", "Reviewed " + random.nextInt(1000))
                            .set("amount", obj().put("amount", cents(500, 50_000).toPlainString())), actor)).orElse(null);
            case DELETE_EXPENSE -> any(acct, EXPENSES, r -> vis(r) == 0)
                    .map(e -> store.delete(acct, EXPENSES, id(e), actor)).orElse(null);
            case CREATE_BILL -> createBill(acct, actor);
            case PAY_BILL -> any(acct, BILLS, r -> vis(r) == 0 && Money.amountOf(r.get("outstanding")).signum() > 0)
                    .map(b -> payBill(acct, b, actor)).orElse(null);
            case DELETE_BILL_PAYMENT -> any(acct, BILL_PAYMENTS, r -> vis(r) == 0)
                    .map(p -> store.delete(acct, BILL_PAYMENTS, id(p), actor)).orElse(null);
            case ARCHIVE_BILL -> any(acct, BILLS, r -> vis(r) == 0 && "paid".equals(r.get("status").asString()))
                    .map(b -> store.update(acct, BILLS, id(b), obj().put("vis_state", 2), actor)).orElse(null);
            case DELETE_BILL -> any(acct, BILLS, r -> vis(r) == 0 && Money.amountOf(r.get("paid")).signum() == 0
                    && r.get("bill_payments").isEmpty()).map(b -> store.delete(acct, BILLS, id(b), actor)).orElse(null);
        };
    }

    // ---------------------------------------------------------------- the actions

    private ObjectNode createClient(String acct, Actor actor) {
        ObjectNode in = obj();
        String org = ORGS[random.nextInt(ORGS.length)] + " " + (100 + random.nextInt(900));
        in.put("organization", org);
        in.put("fname", FIRST[random.nextInt(FIRST.length)]);
        in.put("lname", LAST[random.nextInt(LAST.length)]);
        in.put("email", org.toLowerCase().replace(' ', '.') + "@example.com");
        in.put("p_city", "Toronto");
        return store.create(acct, CLIENTS, in, actor);
    }

    private ObjectNode createVendor(String acct, Actor actor) {
        ObjectNode in = obj();
        in.put("vendor_name", VENDORS[random.nextInt(VENDORS.length)] + " " + (10 + random.nextInt(90)));
        in.put("primary_contact_email", "ap" + random.nextInt(1000) + "@vendor.example");
        return store.create(acct, BILL_VENDORS, in, actor);
    }

    private ObjectNode createCategory(String acct, Actor actor) {
        int existing = store.idsWhere(acct, CATEGORIES, rec -> true).size();
        String name = CATEGORIES_SEED[existing % CATEGORIES_SEED.length];
        return store.create(acct, CATEGORIES, obj().put("category", name), actor);
    }

    private ObjectNode createInvoice(String acct, Actor actor) {
        ObjectNode client = any(acct, CLIENTS, r -> vis(r) == 0).orElseGet(() -> createClient(acct, actor));
        ObjectNode in = obj();
        in.put("customerid", id(client));
        in.put("due_offset_days", new int[] {0, 15, 30, 45}[random.nextInt(4)]);
        in.put("discount_value", new String[] {"0", "0", "5", "10"}[random.nextInt(4)]);
        in.set("lines", lines(1 + random.nextInt(4)));
        return store.create(acct, INVOICES, in, actor);
    }

    private ObjectNode invoiceEdit() {
        ObjectNode in = obj();
        if (random.nextBoolean()) {
            in.set("lines", lines(1 + random.nextInt(4)));
        } else {
            in.put("discount_value", new String[] {"0", "5", "10", "15"}[random.nextInt(4)]);
        }
        in.put("notes", "Revised " + random.nextInt(1000));
        return in;
    }

    private ArrayNode lines(int n) {
        ArrayNode lines = Json.MAPPER.createArrayNode();
        for (int i = 0; i < n; i++) {
            ObjectNode l = lines.addObject();
            l.put("name", ITEMS[random.nextInt(ITEMS.length)]);
            l.put("qty", random.nextInt(5) == 0 ? "1.5" : Integer.toString(1 + random.nextInt(10)));
            l.putObject("unit_cost").put("amount", cents(500, 50_000).toPlainString());
            if (random.nextBoolean()) {
                l.put("taxName1", "HST");
                l.put("taxAmount1", "13");
            }
        }
        return lines;
    }

    /** Half the time pays in full, else 20–80 % of what is outstanding. */
    private ObjectNode payInvoice(String acct, ObjectNode invoice, Actor actor) {
        BigDecimal outstanding = outstanding(invoice);
        BigDecimal amount = random.nextBoolean() ? outstanding
                : outstanding.multiply(BigDecimal.valueOf(20 + random.nextInt(61))).divide(BigDecimal.valueOf(100), 2, RoundingMode.DOWN);
        if (amount.signum() <= 0) {
            amount = outstanding;
        }
        ObjectNode in = obj();
        in.put("invoiceid", id(invoice));
        in.putObject("amount").put("amount", amount.toPlainString());
        in.put("type", PAYMENT_TYPES[random.nextInt(PAYMENT_TYPES.length)]);
        in.put("note", amount.compareTo(outstanding) == 0 ? "Paid in full" : "Partial payment");
        return store.create(acct, PAYMENTS, in, actor);
    }

    private ObjectNode createExpense(String acct, Actor actor) {
        ObjectNode category = any(acct, CATEGORIES, r -> vis(r) == 0).orElseThrow();
        ObjectNode in = obj();
        in.put("categoryid", id(category));
        in.putObject("amount").put("amount", cents(500, 80_000).toPlainString());
        in.put("vendor", VENDORS[random.nextInt(VENDORS.length)]);
        if (random.nextInt(3) == 0) {
            any(acct, CLIENTS, r -> vis(r) == 0).ifPresent(c -> in.put("clientid", id(c)));
        }
        if (random.nextBoolean()) {
            in.put("taxName1", "HST");
            in.put("taxPercent1", "13");
        }
        return store.create(acct, EXPENSES, in, actor);
    }

    private ObjectNode createBill(String acct, Actor actor) {
        ObjectNode vendor = any(acct, BILL_VENDORS, r -> vis(r) == 0).orElseGet(() -> createVendor(acct, actor));
        ObjectNode in = obj();
        in.put("vendorid", vendor.get("vendorid").asLong());
        ArrayNode lines = in.putArray("lines");
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            ObjectNode l = lines.addObject();
            l.put("categoryid", id(any(acct, CATEGORIES, r -> vis(r) == 0).orElseThrow()));
            l.put("description", ITEMS[random.nextInt(ITEMS.length)]);
            l.put("quantity", Integer.toString(1 + random.nextInt(5)));
            l.putObject("unit_cost").put("amount", cents(1_000, 30_000).toPlainString());
            if (random.nextBoolean()) {
                l.put("tax_name1", "HST");
                l.put("tax_percent1", "13");
            }
        }
        return store.create(acct, BILLS, in, actor);
    }

    private ObjectNode payBill(String acct, ObjectNode bill, Actor actor) {
        BigDecimal outstanding = Money.amountOf(bill.get("outstanding"));
        BigDecimal amount = random.nextBoolean() ? outstanding
                : outstanding.divide(BigDecimal.valueOf(2), 2, RoundingMode.DOWN);
        ObjectNode in = obj();
        in.put("billid", id(bill));
        in.putObject("amount").put("amount", (amount.signum() > 0 ? amount : outstanding).toPlainString());
        in.put("payment_type", PAYMENT_TYPES[random.nextInt(PAYMENT_TYPES.length)]);
        return store.create(acct, BILL_PAYMENTS, in, actor);
    }

    // ---------------------------------------------------------------- helpers

    private Action pick() {
        int total = 0;
        for (Action a : Action.values()) {
            total += a.weight;
        }
        int roll = random.nextInt(total);
        for (Action a : Action.values()) {
            roll -= a.weight;
            if (roll < 0) {
                return a;
            }
        }
        throw new IllegalStateException();
    }

    private java.util.Optional<ObjectNode> any(String acct, Resource r, Predicate<ObjectNode> filter) {
        List<Long> ids = store.idsWhere(acct, r, rec -> vis(rec) != 1 && filter.test(rec));
        return ids.isEmpty() ? java.util.Optional.empty() : store.get(acct, r, ids.get(random.nextInt(ids.size())));
    }

    private List<Long> live(String acct, Resource r) {
        return store.idsWhere(acct, r, rec -> vis(rec) != 1);
    }

    private boolean hasPayments(String acct, long invoiceId) {
        return !store.idsWhere(acct, PAYMENTS, p -> p.get("invoiceid").asLong() == invoiceId).isEmpty();
    }

    private Actor ownerActor(String acct) {
        Map.Entry<SimUser, Membership> owner = directory.ownerOf(acct)
                .orElseThrow(() -> new IllegalStateException("no user in " + acct));
        return new Actor(owner.getKey().identityId(), owner.getValue().userId());
    }

    private static String done(String acct, String action, ObjectNode rec) {
        JsonNode id = rec.has("id") ? rec.get("id") : rec.get("vendorid");
        return acct + " " + action + " " + id.asLong();
    }

    private BigDecimal cents(int minCents, int maxCents) {
        return BigDecimal.valueOf(minCents + random.nextInt(maxCents - minCents), 2);
    }

    private String phone() {
        return "416-555-" + (1000 + random.nextInt(9000));
    }

    private static long id(ObjectNode rec) {
        return rec.get("id").asLong();
    }

    private static int vis(ObjectNode rec) {
        return rec.get("vis_state").asInt();
    }

    private static BigDecimal paid(ObjectNode invoice) {
        return Money.amountOf(invoice.get("paid"));
    }

    private static BigDecimal outstanding(ObjectNode invoice) {
        return Money.amountOf(invoice.get("outstanding"));
    }

    private static ObjectNode obj() {
        return Json.MAPPER.createObjectNode();
    }
}
