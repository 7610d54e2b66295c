"""CreationParams: built once by the form, stored as JSON by the batch, read back the same."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from promocodes.params import CreationParams


def make(**changes) -> CreationParams:
    fields = {
        "service": "events",
        "discount_type": "percent",
        "discount_value": Decimal("12.50"),
        "expires_on": date(2026, 5, 1),
    }
    return CreationParams(**{**fields, **changes})


def test_json_round_trip_gives_the_same_parameters():
    params = make(
        recipients=(("ann@example.com", "Ann"),),
        max_uses=None,
        applies_to="sessions",
        session_ids=(3, 4),
    )
    stored = params.to_json()
    assert stored["discount_value"] == "12.50" and stored["expires_on"] == "2026-05-01"
    assert stored["recipients"] == [["ann@example.com", "Ann"]]
    assert CreationParams.from_json(stored) == params


@pytest.mark.parametrize(
    ("applies_to", "kind", "session_ids"),
    [("all", "", ()), ("kind", "live_event", ()), ("sessions", "", (7,))],
)
def test_kind_and_sessions_are_kept_only_for_what_the_code_applies_to(
    applies_to, kind, session_ids
):
    params = make(applies_to=applies_to, kind="live_event", session_ids=[7])
    assert (params.kind, params.session_ids) == (kind, session_ids)


def test_total_is_one_typed_code_one_per_recipient_or_the_quantity():
    assert make(custom_code="SPRING", quantity=9).total == 1
    assert make(recipients=[("a@example.com", "A"), ("b@example.com", "B")]).total == 2
    assert make(quantity=40).total == 40


def test_parameters_cannot_be_changed_once_built():
    with pytest.raises(AttributeError):
        make().quantity = 5
