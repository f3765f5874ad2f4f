package io.mlconnector.app;

import io.mlconnector.freshbooks.ObjectType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code mlc backfill --tables}: FreshBooks record types by their listing's name ({@code invoices},
 * {@code bill_vendors}, {@code categories}, {@code ledger_accounts}) or their event name ({@code invoice}).
 */
public final class BackfillTypes {
    private BackfillTypes() {
    }

    /** The types named, in {@link ObjectType} order; every type when none is named. */
    public static List<ObjectType> of(List<String> names) {
        if (names == null || names.stream().allMatch(n -> n == null || n.isBlank())) {
            return List.of(ObjectType.values());
        }
        Set<ObjectType> chosen = new LinkedHashSet<>();
        for (String name : names) {
            for (String one : name.split(",")) {
                if (one.isBlank()) {
                    continue;
                }
                chosen.add(named(one.trim()).orElseThrow(() -> new IllegalArgumentException("--tables: no FreshBooks "
                        + "records '" + one.trim() + "'; give some of: " + String.join(",", names()))));
            }
        }
        return Arrays.stream(ObjectType.values()).filter(chosen::contains).toList();
    }

    /** The names {@code --tables} accepts, one per type. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (ObjectType type : ObjectType.values()) {
            names.add(listingName(type));
        }
        return names;
    }

    static String listingName(ObjectType type) {
        return type.pluralKey() != null ? type.pluralKey() : type.eventPrefix() + "s";
    }

    private static Optional<ObjectType> named(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return Arrays.stream(ObjectType.values())
                .filter(t -> t.eventPrefix().equals(lower) || listingName(t).equals(lower)).findFirst();
    }
}
