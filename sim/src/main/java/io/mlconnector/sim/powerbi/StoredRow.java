package io.mlconnector.sim.powerbi;

import java.time.Instant;
import java.util.Map;

/**
 * One row as the simulator holds it: its arrival sequence within the table, the RequestId of the POST that wrote
 * it, when, and its values (blank columns absent).
 */
public record StoredRow(long sequence, String requestId, Instant arrivedAt, Map<String, Object> values) {}
