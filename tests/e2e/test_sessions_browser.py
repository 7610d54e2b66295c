"""An organizer schedules a priced live training session in a browser and gets its link."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sites.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_creates_a_live_training_session_and_sees_its_registration_link(
    page, login, live_server, organizer, site
):
    login("oscar", "pw-oscar")
    page.get_by_role("link", name="Priced sessions").first.click()
    page.get_by_role("link", name="Create").click()

    page.get_by_label("Title").fill("Advanced Webex Training")
    page.get_by_label("Webex Training").check()
    kind = page.get_by_label("Kind")
    # The page offers only the kinds of the chosen service.
    assert kind.locator("option[value=live_event]").is_hidden()
    kind.select_option("live_training")
    page.get_by_label("Program").fill("Onboarding")
    page.get_by_label("Start time").fill("24/12/2030 09:30")
    page.get_by_label("Fee (USD)").fill("49.90")
    page.get_by_role("button", name="Create").click()

    assert page.get_by_role("status").filter(has_text="created").is_visible()
    session = Session.objects.get(site=site)
    assert session.organizer == organizer
    assert session.starts_at == datetime(2030, 12, 24, 9, 30, tzinfo=ZoneInfo(site.time_zone))
    assert session.fee == Decimal("49.90")

    row = page.locator(f'tr[data-session="{session.pk}"]')
    assert "24/12/2030 09:30" in row.inner_text()
    assert "$49.90" in row.inner_text()
    link = row.locator("[data-registration-link]")
    assert link.get_attribute("href") == f"{live_server.url}/pay/{site.slug}/{session.pk}/"
    assert link.inner_text() == f"{live_server.url}/pay/{site.slug}/{session.pk}/"
