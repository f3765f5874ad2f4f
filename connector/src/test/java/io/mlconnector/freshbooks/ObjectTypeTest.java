package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ObjectTypeTest {

    /** The webhook worker knows the account id only; account-scoped types must not need the business uuid. */
    @Test
    void accountScopedPathsNeedNoBusinessUuid() {
        assertThat(ObjectType.PAYMENT.collectionPath("ACM123", null))
                .isEqualTo("/accounting/account/ACM123/payments/payments");
        assertThat(ObjectType.INVOICE.collectionPath("ACM123", "b-uuid"))
                .isEqualTo("/accounting/account/ACM123/invoices/invoices");
    }

    @Test
    void businessScopedPathsUseTheBusinessUuidAndRequireIt() {
        assertThat(ObjectType.LEDGER_ACCOUNT.collectionPath("ACM123", "b-uuid"))
                .isEqualTo("/accounting/businesses/b-uuid/ledger_accounts/accounts");
        assertThatIllegalArgumentException().isThrownBy(() -> ObjectType.LEDGER_ACCOUNT.collectionPath("ACM123", null))
                .withMessageContaining("business_uuid");
    }
}
