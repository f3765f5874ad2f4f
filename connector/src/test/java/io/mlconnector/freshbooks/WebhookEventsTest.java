package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.freshbooks.WebhookEvents.Refusal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The intake's rule for which deliveries it stores (reference §3.2, §3.4), as a table. */
class WebhookEventsTest {

    @ParameterizedTest(name = "{0} receives {1} #{2}")
    @CsvSource(delimiter = '|', textBlock = """
            invoice        | invoice.create      | 1234567
            invoice        | invoice.update      | 1
            invoice        | invoice.delete      | 999999999999999999
            invoice        | invoice.sendByEmail | 100001
            invoice.create | invoice.create      | 42
            payment        | payment.update      | 200001
            expense        | expense.delete      | 300001
            client         | client.update       | 921895
            bill           | bill.create         | 1601
            bill_vendor    | bill_vendor.update  | 7001
            category       | category.delete     | 4001
            """)
    void processableDeliveriesPass(String registered, String name, String objectId) {
        assertThat(WebhookEvents.check(registered, name, objectId)).isEmpty();
    }

    @ParameterizedTest(name = "{0} refuses {1} #{2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            invoice        | CLIENT.CREATE        | 1       | UNKNOWN_EVENT
            invoice        | Invoice.create       | 1       | UNKNOWN_EVENT
            invoice        | invoice.Create       | 1       | UNKNOWN_EVENT
            invoice        | invoice.sendbyemail  | 1       | UNKNOWN_EVENT
            invoice        | invoice              | 1       | UNKNOWN_EVENT
            invoice        | invoice.             | 1       | UNKNOWN_EVENT
            invoice        | .create              | 1       | UNKNOWN_EVENT
            invoice        | invoice.create.x     | 1       | UNKNOWN_EVENT
            invoice        | invoice.pastdue.1    | 1       | UNKNOWN_EVENT
            invoice        | x.y                  | 1       | UNKNOWN_EVENT
            estimate       | estimate.create      | 1       | UNKNOWN_EVENT
            payment        | payment.sendByEmail  | 1       | UNKNOWN_EVENT
            ledger_account | ledger_account.create| 1       | UNKNOWN_EVENT
            invoice        | callback.verify      | 1       | UNKNOWN_EVENT
            invoice        | payment.create       | 1       | WRONG_EVENT_FAMILY
            payment        | invoice.create       | 1       | WRONG_EVENT_FAMILY
            bill           | bill_vendor.create   | 1       | WRONG_EVENT_FAMILY
            invoice.create | invoice.update       | 1       | WRONG_EVENT_FAMILY
            invoice.create | invoice.sendByEmail  | 1       | WRONG_EVENT_FAMILY
            invoice        | invoice.create       | 0       | BAD_OBJECT_ID
            invoice        | invoice.create       | 007     | BAD_OBJECT_ID
            invoice        | invoice.create       | -1      | BAD_OBJECT_ID
            invoice        | invoice.create       | +1      | BAD_OBJECT_ID
            invoice        | invoice.create       | 1.5     | BAD_OBJECT_ID
            invoice        | invoice.create       | 1e3     | BAD_OBJECT_ID
            invoice        | invoice.create       | 0x1F    | BAD_OBJECT_ID
            invoice        | invoice.create       | abc     | BAD_OBJECT_ID
            invoice        | invoice.create       | ../1    | BAD_OBJECT_ID
            invoice        | invoice.create       | ١٢٣     | BAD_OBJECT_ID
            invoice        | invoice.create       | 1234567890123456789 | BAD_OBJECT_ID
            """)
    void unprocessableDeliveriesAreRefusedWithTheirReason(String registered, String name, String objectId, Refusal expected) {
        assertThat(WebhookEvents.check(registered, name, objectId)).contains(expected);
    }

    @ParameterizedTest(name = "object id [{0}]")
    @CsvSource(value = {"' 1'", "'1 '", "''"})
    void objectIdsWithSpacesOrNothingAreNotIds(String objectId) {
        assertThat(WebhookEvents.isObjectId(objectId)).isFalse();
        assertThat(WebhookEvents.isObjectId(null)).isFalse();
    }
}
