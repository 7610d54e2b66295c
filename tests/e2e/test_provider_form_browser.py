"""The provider form's card checkboxes follow the account type in the browser."""

import time

import pytest

from payments.models import PayflowAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_cards(page, expected=None, timeout=5.0):
    """The values of the card boxes on screen; with ``expected``, waits (up to ``timeout``)
    until they are those — the page's script may still be arriving on a loaded machine."""
    deadline = time.monotonic() + timeout
    while True:
        shown = [
            box.get_attribute("value")
            for box in page.locator('input[name="cards"]').all()
            if box.is_visible()
        ]
        if expected is None or shown == expected or time.monotonic() > deadline:
            return shown
        time.sleep(0.1)


def test_card_boxes_follow_the_account_type_then_save(page, login, live_server, admin, site):
    login("alice", "pw-alice")
    page.goto(f"{live_server.url}/s/{site.slug}/events/ecommerce/provider/")
    page.get_by_label("PayPal Payflow Pro").check()
    page.get_by_role("button", name="Configure").click()
    page.wait_for_load_state("load")  # the form's script has run

    account_type = page.get_by_label("Account type")
    account_type.select_option("website_payments_pro")
    assert visible_cards(page, []) == []
    assert not page.get_by_label("Express Checkout").is_visible()

    account_type.select_option("payments_pro_payflow_edition")
    edition_cards = ["visa", "mastercard", "amex", "discover"]
    assert visible_cards(page, edition_cards) == edition_cards
    assert not page.get_by_label("Express Checkout").is_visible()

    account_type.select_option("payflow_pro")
    payflow_cards = ["visa", "mastercard", "amex", "discover", "diners", "jcb"]
    assert visible_cards(page, payflow_cards) == payflow_cards
    page.get_by_label("JCB").check()
    page.get_by_label("Visa", exact=True).check()
    page.get_by_label("Express Checkout").check()

    page.get_by_label("Merchant/Vendor login ID").fill("acmedemo")
    page.get_by_label("User name").fill("acmedemo")
    page.get_by_label("Password").fill("pilot-pass-1")
    page.get_by_role("button", name="Update").click()
    assert page.get_by_role("status").filter(has_text="saved").is_visible()

    account = PayflowAccount.objects.get(site=site)
    assert sorted(account.cards) == ["jcb", "visa"]
    assert account.express_checkout and account.password == "pilot-pass-1"
    assert page.get_by_label("Password").input_value() == ""

    # A card ticked for one type is dropped when a type without it is chosen.
    account_type.select_option("payments_pro_payflow_edition")
    assert not page.get_by_label("JCB").is_visible()
