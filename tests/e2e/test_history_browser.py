"""The History page in a browser: a change made in French reads in English for an English
reader and in French for a French one; the area filter works. (Its screenshots at 1280×800
are the walkthrough's, ``test_13_history_and_charts_at_1280``.)"""

from datetime import date

import pytest
from django.utils.translation import gettext

from payments.models import CommerceSettings, ProviderKind
from promocodes.models import PromoCode
from sites import history

from .conftest import switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed(site, admin) -> None:
    """Entries of other areas, as the apps write them."""
    history.record(
        site,
        admin,
        "ecommerce.provider",
        [
            history.field_change(
                CommerceSettings._meta.get_field("provider"), "", ProviderKind.PAYFLOW_PRO
            )
        ],
    )
    history.record(
        site,
        admin,
        "promocodes.extend",
        [
            history.field_change(
                PromoCode._meta.get_field("expires_on"),
                history.Span(date(2030, 3, 1), date(2030, 3, 9)),
                date(2030, 6, 30),
            )
        ],
        summary=lambda: (
            gettext(
                "Extended %(extended)s promotional codes until %(until)s "
                "(%(reactivated)s reactivated, %(skipped)s deleted skipped)."
            )
            % {"extended": "12", "until": "30/06/2030", "reactivated": "2", "skipped": "0"}
        ),
    )


def test_history_reads_in_the_readers_language(page, login, live_server, admin, site):
    seed(site, admin)
    login("alice", "pw-alice")
    switch_language(page, "fr")
    page.goto(f"{live_server.url}/s/{site.slug}/training/ecommerce/")
    page.get_by_label("Webex Training").check()
    page.get_by_role("button", name="Mise à jour").click()
    assert CommerceSettings.for_site(site).training_enabled

    history_url = f"{live_server.url}/s/{site.slug}/history/"
    page.goto(history_url)
    table = page.locator("[data-history]")
    assert table.get_by_text("E-commerce — services activés").is_visible()
    assert table.get_by_text("Codes promotionnels — prolongation de l’expiration").is_visible()
    assert "Non" in table.inner_text() and "Oui" in table.inner_text()
    assert "01/03/2030 – 09/03/2030" in table.inner_text()
    assert "Codes promotionnels prolongés jusqu'au 30/06/2030" in table.inner_text()

    switch_language(page, "en")
    page.goto(history_url)
    text = table.inner_text()
    assert "E-commerce — enabled services" in text and "services activés" not in text
    assert "Webex Training" in text and "No" in text and "Yes" in text
    assert "Payment provider" in text and "PayPal Payflow Pro" in text
    assert "payflow_pro" not in text and "ecommerce." not in text

    page.get_by_label("Area").select_option(label="E-commerce — enabled services")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("[data-history] tbody tr").count() == 1
    assert "Promo codes" not in table.inner_text()
