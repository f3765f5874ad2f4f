package io.mlconnector.mapping;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** FreshBooks object type name (as in webhook event names, e.g. {@code invoice.update}) → its mapper. */
public final class MapperRegistry {

    private final Map<String, RecordMapper> mappers;

    public MapperRegistry(Map<String, RecordMapper> mappers) {
        this.mappers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mappers));
    }

    public static MapperRegistry standard() {
        Map<String, RecordMapper> mappers = new LinkedHashMap<>();
        mappers.put("invoice", new InvoiceMapper());
        mappers.put("payment", new PaymentMapper());
        mappers.put("expense", new ExpenseMapper());
        mappers.put("bill", new BillMapper());
        mappers.put("client", new ClientMapper());
        mappers.put("bill_vendor", new VendorMapper());
        mappers.put("category", new ExpenseCategoryMapper());
        mappers.put("ledger_account", new LedgerAccountMapper());
        return new MapperRegistry(mappers);
    }

    public Optional<RecordMapper> forType(String objectType) {
        return Optional.ofNullable(mappers.get(objectType));
    }

    public RecordMapper require(String objectType) {
        return forType(objectType).orElseThrow(() ->
                new IllegalArgumentException("no mapper for FreshBooks object type '" + objectType + "'; known: " + types()));
    }

    public Set<String> types() {
        return mappers.keySet();
    }
}
