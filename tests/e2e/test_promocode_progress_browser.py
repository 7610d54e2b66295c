"""The progress of a large creation in a browser, on the French page, while a real Celery
worker creates the codes (above ``SYNC_CREATION_LIMIT`` the creation is queued).

The worker commits one code per chunk (``PROMOCODE_GENERATION_CHUNK=1``); once it has saved
more than a thousand, the test holds the batch row (each chunk locks it), so the worker waits
and the page's script (static/js/promocodes.js) shows that exact halfway point: the state,
the count and the percentage as French writes them (``1 042 / 1 500``, ``69 %``, non-breaking
spaces). Released, the worker finishes and the page says so, in French too.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from promocodes.creation import SYNC_CREATION_LIMIT
from promocodes.models import CreationBatch
from sites.money import format_number, format_percent
from tests.celery_worker import celery_worker
from tests.promocodes.conftest import wait_for

from .conftest import switch_language
from .test_walkthrough_procedures import LABELS, field

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NB = "\u00a0"
TOTAL = 1500


def in_french(batch: CreationBatch) -> dict[str, str]:
    """What the page should show for ``batch``, written as the French page writes it."""
    with translation.override("fr"):
        return {
            "state": str(batch.get_state_display()),
            "done": format_number(batch.done),
            "percent": format_percent(batch.percent),
        }


def plain(text: str) -> str:
    """``text`` with its runs of ASCII spaces and line breaks as one space (the non-breaking
    ones kept: they are what is checked)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def shows(page, selector: str, text: str, timeout: float = 15_000) -> None:
    """Wait until ``selector``'s text is exactly ``text``, spaces included (Playwright's
    to_have_text would take U+00A0, U+202F and a plain space for one another)."""
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).textContent.trim() === text",
        arg=[selector, text],
        timeout=timeout,
    )


def test_the_progress_of_a_queued_creation_reads_in_french(
    page, login, live_server, admin, site, tmp_path
):
    assert TOTAL > SYNC_CREATION_LIMIT
    t = LABELS["fr"]
    login("alice", "pw-alice")
    page.goto(live_server.url + reverse("promocode-create", args=[site.slug, "events"]))
    switch_language(page, "fr")
    with celery_worker(tmp_path, env={"PROMOCODE_GENERATION_CHUNK": "1"}):
        field(page, t["quantity"]).fill(str(TOTAL))
        field(page, t["code_length"]).fill("10")
        page.get_by_label(t["percentage"]).check()
        field(page, t["percent_off"]).fill("10")
        field(page, t["expiration_date"]).fill(
            (site.today() + timedelta(days=30)).strftime("%d/%m/%Y")
        )
        with page.expect_navigation():
            page.get_by_role("button", name=t["create"], exact=True).click()
        batch = CreationBatch.objects.get(site=site)
        label = page.locator("label[for=batch-progress]")
        assert f"/ 1{NB}500 codes promotionnels" in plain(label.text_content())

        wait_for(
            lambda: CreationBatch.objects.get(pk=batch.pk).done > 1000,
            timeout=120,
            message="the worker did not create a thousand codes in time",
        )
        with transaction.atomic():
            halfway = CreationBatch.objects.select_for_update().get(pk=batch.pk)
            assert 1000 < halfway.done < TOTAL, "the worker finished before the row was held"
            shown = in_french(halfway)
            assert shown["state"] == "Création en cours" and NB in shown["done"]
            shows(page, "[data-batch-done]", shown["done"])
            shows(page, "[data-batch-state]", shown["state"])
            shows(page, "#batch-progress", shown["percent"])
            said = plain(label.text_content())
            assert f"{shown['state']}{NB}: {shown['done']} / 1{NB}500" in said, said
            expect(page.locator("[data-batch-finished]")).to_be_hidden()

        finished = page.locator("[data-batch-finished]")
        expect(finished).to_be_visible(timeout=120_000)
        assert f"1{NB}500 codes promotionnels créés." in plain(finished.text_content())
        done = in_french(CreationBatch.objects.get(pk=batch.pk))
        assert done == {"state": "Terminé", "done": f"1{NB}500", "percent": f"100{NB}%"}, done
        shows(page, "[data-batch-done]", done["done"])
        shows(page, "[data-batch-state]", done["state"])
        shows(page, "#batch-progress", done["percent"])
