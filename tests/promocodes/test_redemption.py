"""The contract the payment page relies on: check, discount_for, redeem, release."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection

from promocodes import bulk, redemption, selectors
from promocodes.models import PromoCode, PromoCodeUse
from promocodes.redemption import PromoCodeRefused
from promocodes.selectors import Refusal

pytestmark = pytest.mark.django_db


def redeem(site, code_text, session, *, reference):
    """``redemption.redeem`` of the code the payment page resolved once (``find_code``)."""
    return redemption.redeem(
        site, selectors.find_code(site, code_text), session, reference=reference
    )


@pytest.fixture
def session(site, make_session):
    return make_session(site, "Live intro", kind="live_event", fee="80.00")


# --- check ---------------------------------------------------------------------------------


def test_valid_code_is_accepted_whatever_its_case_and_spaces(site, session, make_code):
    make_code(site, "Welcome10")
    result = selectors.check(site, "  wELCOME10 ", session)
    assert result.ok and result.code.code == "Welcome10" and result.message == ""


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"status": "deleted"}, Refusal.DELETED),
        ({"status": "expired"}, Refusal.EXPIRED),
        ({"expires_on": date(2020, 1, 1)}, Refusal.EXPIRED),
        ({"status": "used_up", "uses": 1}, Refusal.USED_UP),
        ({"uses": 1, "max_uses": 1}, Refusal.USED_UP),
        ({"service": "training"}, Refusal.NOT_APPLICABLE),
        ({"applies_to": "kind", "kind": "event_recording"}, Refusal.NOT_APPLICABLE),
        ({"applies_to": "sessions"}, Refusal.NOT_APPLICABLE),
    ],
)
def test_refusals_say_why(site, session, make_code, fields, refusal):
    make_code(site, "REASON1", **fields)
    result = selectors.check(site, "reason1", session)
    assert not result.ok and result.refusal == refusal
    assert result.message == str(Refusal.MESSAGES[refusal])


def test_unknown_code_and_another_sites_code_are_unknown(site, other_site, session, make_code):
    make_code(other_site, "THEIRS")
    for text in ("NOPE", "theirs", "", "x" * 50):
        assert selectors.check(site, text, session).refusal == Refusal.UNKNOWN


def test_code_for_the_right_kind_or_chosen_session_applies(site, session, make_code, make_session):
    make_code(site, "KIND1", applies_to="kind", kind="live_event")
    chosen = make_code(site, "CHOSEN1", applies_to="sessions")
    chosen.sessions.add(session)
    assert selectors.check(site, "KIND1", session).ok
    assert selectors.check(site, "CHOSEN1", session).ok
    other = make_session(site, "Other", kind="live_event")
    assert selectors.check(site, "CHOSEN1", other).refusal == Refusal.NOT_APPLICABLE


def test_expiry_day_is_judged_in_the_site_time_zone(site, session, make_code):
    """New York: a code expiring on 10 March is valid until 23:59 New York time."""
    make_code(site, "NYC1", expires_on=date(2026, 3, 10))
    ny = ZoneInfo("America/New_York")
    late = datetime(2026, 3, 10, 23, 59, tzinfo=ny)  # already 11 March in UTC
    after = datetime(2026, 3, 11, 0, 0, 1, tzinfo=ny)
    with mock.patch("django.utils.timezone.now", return_value=late):
        assert selectors.check(site, "NYC1", session).ok
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert selectors.check(site, "NYC1", session).refusal == Refusal.EXPIRED


# --- discount_for ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "fee", "expected"),
    [
        ("percent", "10", "80.00", "8.00"),
        ("percent", "100", "80.00", "80.00"),
        ("percent", "33", "9.99", "3.30"),
        ("percent", "12.5", "0.20", "0.03"),
        ("fixed", "5", "80.00", "5.00"),
        ("fixed", "500", "80.00", "80.00"),
        ("fixed", "5", "0", "0.00"),
    ],
)
def test_discount_never_exceeds_the_fee(kind, value, fee, expected):
    code = PromoCode(discount_type=kind, discount_value=Decimal(value))
    assert redemption.discount_for(code, Decimal(fee)) == Decimal(expected)


# --- redeem / release --------------------------------------------------------------------------


def test_redeem_takes_one_use_and_records_it(site, session, make_code):
    code = make_code(site, "TWICE", max_uses=2)
    use = redeem(site, "twice", session, reference="pay-1")
    code.refresh_from_db()
    assert (code.uses, code.status) == (1, "active")
    assert (use.promo_code, use.session, use.reference) == (code, session, "pay-1")
    redeem(site, "TWICE", session, reference="pay-2")
    code.refresh_from_db()
    assert (code.uses, code.status) == (2, "used_up")
    with pytest.raises(PromoCodeRefused) as refused:
        redeem(site, "TWICE", session, reference="pay-3")
    assert refused.value.refusal == Refusal.USED_UP and "used up" in refused.value.message


def test_redeem_of_a_resolved_code_is_one_conditional_update_and_one_insert(
    site, session, make_code, django_assert_num_queries
):
    make_code(site, "QUICK", max_uses=3)
    code = selectors.find_code(site, "quick")
    # SAVEPOINT, the reference's held use, the conditional UPDATE, the INSERT, RELEASE.
    with django_assert_num_queries(5) as captured:
        redemption.redeem(site, code, session, reference="pay-q")
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not any(s.startswith("SELECT") and "UPPER" in s for s in sqls)  # not looked up again
    with django_assert_num_queries(3):  # the same reference: its use back (in a savepoint)
        redemption.redeem(site, code, session, reference="pay-q")


def test_redeem_refuses_no_code_as_unknown(site, session, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(PromoCodeRefused) as refused:
        redemption.redeem(site, None, session, reference="p")
    assert refused.value.refusal == Refusal.UNKNOWN


def test_redeem_is_idempotent_per_reference(site, session, make_code):
    code = make_code(site, "ONCEONLY", max_uses=5)
    first = redeem(site, "ONCEONLY", session, reference="pay-9")
    again = redeem(site, "ONCEONLY", session, reference="pay-9")
    code.refresh_from_db()
    assert first == again and code.uses == 1


def test_unlimited_code_counts_uses_and_never_runs_out(site, session, make_code):
    code = make_code(site, "FOREVER", max_uses=None)
    for n in range(5):
        redeem(site, "FOREVER", session, reference=f"p{n}")
    code.refresh_from_db()
    assert (code.uses, code.status) == (5, "active")


def test_redeem_refuses_an_expired_code_even_before_the_sweep(site, session, make_code):
    code = make_code(site, "LATE", expires_on=site.today() - timedelta(days=1))
    with pytest.raises(PromoCodeRefused) as refused:
        redeem(site, "LATE", session, reference="p")
    assert refused.value.refusal == Refusal.EXPIRED
    code.refresh_from_db()
    assert code.uses == 0 and code.status == "active"


@pytest.mark.parametrize("status", ["deleted", "expired", "used_up"])
def test_redeem_refuses_codes_that_are_not_active(site, session, make_code, status):
    make_code(site, "STATUS1", status=status)
    with pytest.raises(PromoCodeRefused):
        redeem(site, "STATUS1", session, reference="p")
    assert not PromoCodeUse.objects.exists()


def test_release_gives_the_use_back_once(site, session, make_code):
    code = make_code(site, "GIVEBACK", max_uses=1)
    use = redeem(site, "GIVEBACK", session, reference="p1")
    code.refresh_from_db()
    assert code.status == "used_up"
    assert redemption.release(use) is True
    assert redemption.release(use) is False
    code.refresh_from_db()
    assert (code.uses, code.status) == (0, "active")
    use.refresh_from_db()
    assert use.released_at is not None
    again = redeem(site, "GIVEBACK", session, reference="p1")
    assert again.pk != use.pk


def test_released_deleted_code_stays_deleted(site, session, make_code):
    code = make_code(site, "DELREL", max_uses=3)
    use = redeem(site, "DELREL", session, reference="p1")
    PromoCode.objects.filter(pk=code.pk).update(status="deleted")
    redemption.release(use)
    code.refresh_from_db()
    assert (code.uses, code.status) == (0, "deleted")


def test_deleted_code_keeps_its_uses(site, session, make_code):
    code = make_code(site, "KEEPUSE", max_uses=3)
    redeem(site, "KEEPUSE", session, reference="p1")
    bulk.soft_delete(site, PromoCode.objects.filter(pk=code.pk), None)
    assert code.redemptions.count() == 1


# --- Concurrency: real threads, each with its own connection -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_redemptions_of_a_ten_use_code_yield_exactly_ten(
    site, make_code, make_session
):
    assert connection.vendor == "postgresql"
    session = make_session(site, "Rush hour", kind="live_event")
    code = make_code(site, "RUSH10", max_uses=10)
    barrier = threading.Barrier(50)
    accepted, refused, errors = [], [], []

    def attempt(n):
        try:
            barrier.wait(timeout=30)
            use = redeem(site, "rush10", session, reference=f"pay-{n}")
            accepted.append(use.pk)
        except PromoCodeRefused as exc:
            refused.append(exc.refusal)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(accepted) == 10 and len(set(accepted)) == 10
    assert len(refused) == 40 and set(refused) == {Refusal.USED_UP}
    code.refresh_from_db()
    assert (code.uses, code.status) == (10, "used_up")
    assert PromoCodeUse.objects.filter(promo_code=code, released_at__isnull=True).count() == 10
