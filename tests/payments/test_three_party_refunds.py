"""Issue 11 §6: an Express Checkout refund is a three-party call naming the merchant
(PayPal-Auth-Assertion). When PayPal's id of the merchant is unknown or their consent is not
in force, the console refuses the refund with the reason, before anything is sent."""

from __future__ import annotations

import pytest
from django.utils import translation

from payments import refunds
from payments.models import ExpressCheckoutAccount, Refund
from tests.payments import test_refunds as refund_tests
from tests.payments.paypal_steps import FR, kinds
from tests.payments.test_refunds import refund_url

# The refund tests' fixtures: a site's Express Checkout account and a payment captured on it.
session = refund_tests.session
express_account = refund_tests.express_account
rest_payment = refund_tests.rest_payment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change, english, french",
    [
        (
            {"merchant_id_in_paypal": ""},
            "PayPal&#x27;s id of this merchant is unknown",
            "L’identifiant PayPal de ce marchand est inconnu",
        ),
        (
            {"permission_status": "refused"},
            "or has revoked it",
            "ou l’a révoquée",
        ),
        (
            {"permission_status": "pending"},
            "has not granted Webex API permission",
            "n’a pas accordé à Webex l’autorisation",
        ),
    ],
    ids=["unknown-merchant-id", "consent-revoked", "consent-not-granted"],
)
def test_a_refund_without_permission_for_the_merchant_is_refused_before_anything_is_sent(
    admin_client, site, rest_payment, paypal_sandbox, change, english, french
):
    ExpressCheckoutAccount.objects.filter(site=site).update(**change)
    before = paypal_sandbox.ledger()
    response = admin_client.post(refund_url(site, rest_payment), {"amount": "5"})
    assert response.status_code == 200
    assert english in response.content.decode()
    response = admin_client.post(refund_url(site, rest_payment), {"amount": "5"}, **FR)
    assert french in response.content.decode()
    assert not Refund.objects.exists()
    assert paypal_sandbox.ledger() == before  # nothing reached PayPal
    assert kinds(paypal_sandbox) == ["capture"]


def test_with_permission_in_force_the_refund_names_the_merchant_and_goes_through(
    site, rest_payment, paypal_sandbox
):
    account = ExpressCheckoutAccount.objects.get(site=site)
    assert account.api_permission_active
    paypal_sandbox.register_merchant(account.paypal_email, account.merchant_id_in_paypal)
    assert refunds.refund_payment(rest_payment, None, None).status == "paid"
    assert kinds(paypal_sandbox) == ["capture", "refund"]


def test_a_consent_revoked_on_paypal_is_refused_by_paypal_and_not_sent_again(
    site, rest_payment, paypal_sandbox
):
    """Before the console learns of the revocation PayPal itself refuses (403); once the
    account says so, the console refuses first."""
    account = ExpressCheckoutAccount.objects.get(site=site)
    paypal_sandbox.register_merchant(account.paypal_email, account.merchant_id_in_paypal)
    paypal_sandbox.revoke_consent(account.merchant_id_in_paypal)
    refused = refunds.refund_payment(rest_payment, None, None)
    assert refused.status == "failed"
    ExpressCheckoutAccount.objects.filter(pk=account.pk).update(permission_status="refused")
    with translation.override("en"), pytest.raises(refunds.RefundRefused, match="revoked"):
        refunds.refund_payment(rest_payment, None, None)
    assert kinds(paypal_sandbox) == ["capture"]


def test_api_permission_active_is_the_one_decider():
    account = ExpressCheckoutAccount(permission_status="granted", merchant_id_in_paypal="M1")
    assert account.api_permission_active
    assert not ExpressCheckoutAccount(
        permission_status="granted", merchant_id_in_paypal=" "
    ).api_permission_active
    assert not ExpressCheckoutAccount(
        permission_status="refused", merchant_id_in_paypal="M1"
    ).api_permission_active
