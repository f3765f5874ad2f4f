package io.mlconnector.sim.freshbooks;

import java.time.Instant;

/**
 * One request the simulator answered (paths under {@code /sim/} aside), so a test can count e.g. how often a
 * client read one record: {@code GET /accounting/account/ACM123/invoices/invoices/100001} with status 200.
 *
 * @param path the path without the query string
 * @param status the answer's HTTP status
 */
public record ApiRequest(Instant at, String method, String path, int status) {}
