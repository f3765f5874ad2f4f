package io.mlconnector.store;

import java.time.Instant;

/**
 * One verified webhook delivery, as stored in {@code inbox}.
 *
 * @param objectType the event name before the dot, e.g. {@code invoice}
 * @param fieldsJson the delivered form fields as a JSON object, in their original order
 */
public record InboxEvent(Instant receivedAt, String tenantId, String uriToken, String eventName, String objectType,
                         String objectId, String fieldsJson) {
}
