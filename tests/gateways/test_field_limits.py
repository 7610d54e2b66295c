"""Issue 11 §7: every text field the gateways send respects PayPal's documented maximum, from
one table (``payments.gateways.limits``)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import requests

from payments.gateways import limits
from payments.provider_gateways import payflow_gateways

CREDENTIALS = {"partner": "PayPal", "vendor": "acmedemo", "user": "acmedemo"}
LONG_TITLE = "Annual partner summit: keynote, workshops and the closing session " * 4


def test_fit_cuts_at_the_limit_and_strips():
    assert limits.fit("  abc  ", 2) == "ab"
    assert limits.fit("ab cd", 3) == "ab"
    assert limits.fit("", 5) == ""
    assert limits.fit_fields({"ORDERDESC": "x" * 300, "AMT": "1" * 300}) == {
        "ORDERDESC": "x" * 127,
        "AMT": "1" * 300,
    }


def test_the_documented_maxima():
    assert limits.PAYFLOW["ORDERDESC"] == 127
    assert limits.PAYFLOW["CUSTREF"] == 12
    assert limits.ORDERS["description"] == 127
    assert limits.ORDERS["soft_descriptor"] == 22


def test_express_checkout_through_payflow_sends_at_most_127_characters_of_description(
    paypal_sandbox,
):
    _card, gateway = payflow_gateways("test", password="pilot-pass-1", **CREDENTIALS)
    checkout = gateway.start_checkout(
        Decimal("10.00"),
        "USD",
        "https://shop.example/return",
        "https://shop.example/cancel",
        uuid.uuid4().hex,
        description=LONG_TITLE,
    )
    assert checkout.approval_url
    page = requests.get(checkout.approval_url, timeout=10).text
    shown = re.search(r"<p>For: (.*?)</p>", page).group(1)
    assert len(shown) <= 127 and LONG_TITLE.startswith(shown)
