package io.mlconnector.sim.freshbooks;

import java.time.LocalDate;

/**
 * One list request after parameter parsing (reference §5): 1-based page, capped per_page, optional
 * {@code search[vis_state]} (null = active and archived) and Eastern-date {@code updated} bounds (min inclusive,
 * max exclusive; null = open).
 */
public record ListQuery(int page, int perPage, Integer visState, LocalDate updatedMin, LocalDate updatedMax) {

    public static final int DEFAULT_PER_PAGE = 15;
    public static final int MAX_PER_PAGE = 100;

    public static ListQuery firstPage() {
        return new ListQuery(1, DEFAULT_PER_PAGE, null, null, null);
    }
}
