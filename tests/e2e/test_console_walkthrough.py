"""A site administrator logs in and turns on e-commerce for Webex Training, in a browser."""

import pytest

from payments.models import CommerceSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_logs_in_and_enables_training(page, login, live_server, admin, site):
    login("alice", "pw-alice")
    page.get_by_role("link", name="Webex Training › E-Commerce").first.click()
    page.get_by_label("Webex Training").check()
    page.get_by_role("button", name="Update").click()
    assert page.get_by_role("status").filter(has_text="saved").is_visible()
    commerce = CommerceSettings.for_site(site)
    assert commerce.training_enabled and not commerce.events_enabled
    assert page.get_by_label("Webex Training").is_checked()


def test_payment_page_preview_follows_typing_as_plain_text(page, login, live_server, admin, site):
    login("alice", "pw-alice")
    page.goto(f"{live_server.url}/s/{site.slug}/events/ecommerce/payment-page/")
    page.get_by_label("Header").fill("<b>Hello</b>")
    preview = page.locator('[data-preview-target="header"]')
    assert preview.inner_text() == "<b>Hello</b>"
    assert preview.locator("b").count() == 0
