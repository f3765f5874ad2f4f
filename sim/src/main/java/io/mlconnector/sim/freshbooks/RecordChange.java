package io.mlconnector.sim.freshbooks;

import java.time.Instant;

/**
 * One change of a record, as the accounting store reported it for webhooks ({@code invoice.update} of invoice
 * 100001 in account ACM123), whether or not any callback was registered for it.
 */
public record RecordChange(Instant at, WebhookEvent event) {}
