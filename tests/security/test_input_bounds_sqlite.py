"""The embedded demo (SQLite) answers boundary input without a 500 (issue 12, items 2, 4, 5).

SQLite is where 20-digit ids and cursors overflowed ("Python int too large to convert to
SQLite INTEGER") and where a NUL byte was stored and then written into the CSV and the e-mail.
One real ``runserver`` on a fresh SQLite file with the demo data (``tests/sqlite_demo.py``),
driven over HTTP like a browser; the same classes on PostgreSQL are in
``test_input_bounds.py``.
"""

from __future__ import annotations

import pytest

from tests import sqlite_demo

HUGE = "99999999999999999999"
PASSWORD = "webex-demo"  # the demo's (payments/management/commands/load_demo.py)
NEW_PAYMENT = (
    "from payments.models import Payment; from sites.models import Session, Site;"
    "site = Site.objects.get(slug='acme');"
    "payment = Payment.objects.create(site=site, session=Session.objects.filter(site=site)"
    ".first(), attendee_name='Ann', attendee_email='ann@example.com', fee=10, amount=10,"
    " currency='USD', provider='payflow_pro', method='card', is_test=True, status='paid');"
    "print(payment.pk)"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("sqlite-bounds")
    with sqlite_demo.running(tmp_path, [["load_demo"]]) as (base, env, log_path):
        shell = sqlite_demo.manage(env, "shell", "-c", NEW_PAYMENT, capture_output=True, text=True)
        payment = shell.stdout.strip().splitlines()[-1]
        yield base, env, log_path, payment


@pytest.fixture(scope="module")
def alice(demo):
    return sqlite_demo.logged_in(demo[0], "alice", PASSWORD)


def post(session, base: str, path: str, data: dict, referer: str):
    token = sqlite_demo.csrf_of(session, base + referer)
    return session.post(
        base + path,
        {**data, "csrfmiddlewaretoken": token},
        headers={"Referer": base + referer},
        allow_redirects=False,
        timeout=60,
    )


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "query",
    [
        f"service=events&after=1777000000000000-{HUGE}",
        f"service=events&before=1777000000000000-{HUGE}",
        f"service=events&after={HUGE}-{HUGE}",
        f"service=events&batch={HUGE}",
        "service=events&created_to=31/12/9999",
    ],
)
def test_promo_report_and_csv(demo, alice, query):
    base = demo[0]
    report = alice.get(f"{base}/s/acme/events/ecommerce/promocodes/report/?{query}", timeout=60)
    assert report.status_code == 200
    export = alice.get(
        f"{base}/s/acme/events/ecommerce/promocodes/report/export.csv?{query}", timeout=60
    )
    assert export.status_code == 200  # the CSV, or the report it sends back to


@pytest.mark.timeout(240)
@pytest.mark.parametrize("query", ["date_to=31/12/9999", f"session={HUGE}", f"page={HUGE}"])
def test_transactions_report_and_csv(demo, alice, query):
    base = demo[0]
    assert alice.get(f"{base}/s/acme/transactions/?{query}", timeout=60).status_code == 200
    export = alice.get(f"{base}/s/acme/transactions/export.csv?{query}", timeout=60)
    assert export.status_code == 200


@pytest.mark.timeout(240)
def test_bulk_actions_refund_retry_and_ids(demo, alice):
    base, _env, _log, payment = demo
    report = "/s/acme/events/ecommerce/promocodes/report/?service=events"
    action = post(
        alice,
        base,
        "/s/acme/events/ecommerce/promocodes/report/action/",
        {"action": "delete", "ids": [HUGE, "abc"], "filters": "service=events"},
        report,
    )
    assert action.status_code == 302
    deleted = post(
        alice,
        base,
        "/s/acme/transactions/delete-test/",
        {"scope": "selected", "ids": [HUGE], "filters": "scope=test"},
        "/s/acme/transactions/?scope=test",
    )
    assert deleted.status_code == 302
    refund = f"/s/acme/transactions/{payment}/refund/"
    assert post(alice, base, refund, {"retry": "abc"}, refund).status_code == 404
    assert post(alice, base, refund, {"retry": HUGE}, refund).status_code == 404


@pytest.mark.timeout(240)
def test_create_refuses_impossible_sessions_nul_names_and_far_dates(demo, alice):
    base = demo[0]
    create = "/s/acme/events/ecommerce/promocodes/create/"
    data = {
        "service": "events",
        "code_type": "generated",
        "quantity": "1",
        "code_length": "8",
        "usage": "once",
        "discount_type": "percent",
        "discount_value": "10",
        "expires_on": "31/12/2030",
        "applies_to": "sessions",
        "sessions": [HUGE],
    }
    assert post(alice, base, create, data, create).status_code == 200
    data.update(applies_to="all", expires_on="31/12/9999", sessions=[])
    assert post(alice, base, create, data, create).status_code == 200
    data["expires_on"] = "31/12/2030"
    token = sqlite_demo.csrf_of(alice, base + create)
    upload = alice.post(
        base + create,
        {**data, "csrfmiddlewaretoken": token},
        files={"recipients_file": ("r.csv", b"nul@example.com,Pa\x00t\n", "text/csv")},
        headers={"Referer": base + create},
        allow_redirects=False,
        timeout=60,
    )
    assert upload.status_code == 200
    assert "Line 1: remove the invisible control characters" in upload.text
    export = alice.get(
        f"{base}/s/acme/events/ecommerce/promocodes/report/export.csv?service=events", timeout=60
    )
    assert "nul@example.com" not in export.text and "\x00" not in export.text


@pytest.mark.timeout(240)
def test_session_start_at_the_end_of_time(demo, alice):
    base = demo[0]
    new = "/s/acme/sessions/new/"
    data = {
        "title": "End of time",
        "service": "events",
        "kind": "live_event",
        "starts_at": "31/12/9999 23:59",
        "fee": "10",
    }
    answer = post(alice, base, new, data, new)
    assert answer.status_code == 200
    assert "Enter a date between 01/01/2000 and 31/12/2100." in answer.text


@pytest.mark.timeout(240)
def test_ops_admin_actions_and_no_crash_logged(demo):
    base, _env, log_path, _payment = demo
    ops = sqlite_demo.logged_in(base, "ops", PASSWORD)
    changelist = "/ops/sites/site/"
    answer = post(
        ops,
        base,
        changelist,
        {"action": "provision_ecommerce", "_selected_action": [HUGE], "index": "0"},
        changelist,
    )
    assert answer.status_code == 302
    assert "Traceback" not in log_path.read_text()
