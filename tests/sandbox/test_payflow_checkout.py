"""Express Checkout through Payflow on the simulator: ACTION S/G/D and the buyer's page."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from payments.sandbox.payflow_nvp import encode_nvp, parse_nvp

US = {"PARTNER": "PayPal", "VENDOR": "acmedemo", "USER": "acmedemo", "PWD": "pilot-pass-1"}
UK = {"PARTNER": "PayPalUK", "VENDOR": "globexuk", "USER": "globexuk", "PWD": "pilot-pass-uk-1"}
RETURN_URL = "https://shop.example/paypal/return?payment=42"
CANCEL_URL = "https://shop.example/paypal/cancel"


def post(sandbox, request_id: str = "", account=US, **fields):
    response = requests.post(
        sandbox.payflow_url,
        data=encode_nvp(account | fields),
        headers={
            "X-VPS-REQUEST-ID": request_id or uuid.uuid4().hex,
            "Content-Type": "text/namevalue",
        },
        timeout=10,
    )
    return parse_nvp(response.content)


def start(sandbox, amount="25.00", account=US, **fields):
    answer = post(
        sandbox,
        account=account,
        TRXTYPE="S",
        TENDER="P",
        ACTION="S",
        AMT=amount,
        RETURNURL=RETURN_URL,
        CANCELURL=CANCEL_URL,
        **fields,
    )
    assert answer["RESULT"] == "0", answer
    return answer["TOKEN"]


class FormReader(HTMLParser):
    """Collects each form's action and inputs, and whether the page has any script."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.has_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "id": attrs.get("id"), "fields": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "script":
            self.has_script = True


def page_url(sandbox, token):
    return f"{sandbox.base_url}/cgi-bin/webscr?cmd=_express-checkout&token={token}"


def choose(sandbox, token, decision):
    """What a buyer does: open the page, submit the chosen form; returns the redirect."""
    page = requests.get(page_url(sandbox, token), timeout=5)
    assert page.status_code == 200
    reader = FormReader()
    reader.feed(page.text)
    form = next(f for f in reader.forms if f["fields"].get("decision") == decision)
    return requests.post(
        urljoin(page.url, form["action"]), data=form["fields"], allow_redirects=False, timeout=5
    )


def pay(sandbox, token, payer_id, amount="25.00", request_id="", account=US):
    return post(
        sandbox,
        request_id,
        account=account,
        TRXTYPE="S",
        TENDER="P",
        ACTION="D",
        TOKEN=token,
        PAYERID=payer_id,
        AMT=amount,
    )


def details(sandbox, token, account=US):
    return post(sandbox, account=account, TRXTYPE="S", TENDER="P", ACTION="G", TOKEN=token)


def test_set_returns_a_twenty_character_token_and_moves_no_money(paypal_sandbox):
    token = start(paypal_sandbox)
    assert re.fullmatch(r"EC-[A-Z0-9]{17}", token)
    assert paypal_sandbox.ledger() == []


def test_set_requires_urls_and_a_valid_amount(paypal_sandbox):
    base = {"TRXTYPE": "S", "TENDER": "P", "ACTION": "S", "AMT": "5.00"}
    assert post(paypal_sandbox, **base)["RESULT"] == "7"
    urls = {"RETURNURL": RETURN_URL, "CANCELURL": CANCEL_URL}
    assert post(paypal_sandbox, **(base | urls | {"AMT": "-1"}))["RESULT"] == "4"
    assert post(paypal_sandbox, **(base | urls | {"RETURNURL": "/relative"}))["RESULT"] == "7"
    assert post(paypal_sandbox, **(base | urls | {"ACTION": "Q"}))["RESULT"] == "7"
    assert post(paypal_sandbox, **{k: v for k, v in base.items() if k != "ACTION"})["RESULT"] == "7"


def test_approval_page_is_plain_html_with_pay_and_cancel_forms(paypal_sandbox):
    token = start(paypal_sandbox, ORDERDESC="Level=5 & <Ruff> Johnson")
    page = requests.get(page_url(paypal_sandbox, token), timeout=5)

    assert page.headers["Content-Type"].startswith("text/html")
    assert "Pay now" in page.text and "Cancel and return" in page.text
    assert "25.00 USD" in page.text
    # The length-tagged description arrived whole and is escaped on the page.
    assert "Level=5 &amp; &lt;Ruff&gt; Johnson" in page.text
    reader = FormReader()
    reader.feed(page.text)
    assert not reader.has_script
    assert {f["fields"]["decision"] for f in reader.forms} == {"approve", "cancel"}


def test_approve_get_details_and_pay(paypal_sandbox):
    token = start(paypal_sandbox)
    assert details(paypal_sandbox, token)["RESULT"] == "12"  # not approved yet

    redirect = choose(paypal_sandbox, token, "approve")
    assert redirect.status_code == 302
    target = urlsplit(redirect.headers["Location"])
    assert target.geturl().startswith("https://shop.example/paypal/return?")
    query = parse_qs(target.query)
    assert query["payment"] == ["42"]  # the merchant's own parameters survive
    assert query["token"] == [token]
    payer_id = query["PayerID"][0]
    assert len(payer_id) == 13

    info = details(paypal_sandbox, token)
    assert info["RESULT"] == "0"
    assert info["PAYERID"] == payer_id
    assert {"EMAIL", "PAYERSTATUS", "FIRSTNAME", "LASTNAME"} <= set(info)

    paid = pay(paypal_sandbox, token, payer_id, request_id="ec-pay-1")
    assert paid["RESULT"] == "0"
    assert re.fullmatch(r"[A-Z0-9]{12}", paid["PNREF"])
    assert re.fullmatch(r"[A-Z0-9]{17}", paid["PPREF"])
    assert paypal_sandbox.ledger() == [
        {
            "protocol": "payflow",
            "kind": "express_checkout",
            "pnref": paid["PNREF"],
            "amount": "25.00",
            "currency": "USD",
            "request_id": "ec-pay-1",
            "vendor": "acmedemo",
            "ppref": paid["PPREF"],
        }
    ]


def test_paying_twice_on_one_token(paypal_sandbox):
    token = start(paypal_sandbox)
    payer_id = parse_qs(
        urlsplit(choose(paypal_sandbox, token, "approve").headers["Location"]).query
    )["PayerID"][0]
    first = pay(paypal_sandbox, token, payer_id, request_id="first-d")
    replay = pay(paypal_sandbox, token, payer_id, request_id="first-d")
    second = pay(paypal_sandbox, token, payer_id, request_id="second-d")

    assert replay["DUPLICATE"] == "1" and replay["PNREF"] == first["PNREF"]
    assert second["RESULT"] == "30"
    assert len(paypal_sandbox.ledger()) == 1


def test_pay_checks_approval_payer_and_amount(paypal_sandbox):
    token = start(paypal_sandbox)
    assert pay(paypal_sandbox, token, "SBXBUYER00001")["RESULT"] == "12"  # not approved
    choose(paypal_sandbox, token, "approve")
    assert pay(paypal_sandbox, token, "SOMEONEELSE01")["RESULT"] == "7"
    assert pay(paypal_sandbox, token, "SBXBUYER00001", amount="25.01")["RESULT"] == "4"
    assert pay(paypal_sandbox, "EC-NOSUCHTOKEN00000", "SBXBUYER00001")["RESULT"] == "7"
    assert details(paypal_sandbox, token, account=UK)["RESULT"] == "7"  # another vendor's token
    assert paypal_sandbox.ledger() == []


def test_amount_triggers_apply_to_the_collection(paypal_sandbox):
    token = start(paypal_sandbox, amount="1012.00")
    choose(paypal_sandbox, token, "approve")
    assert pay(paypal_sandbox, token, "SBXBUYER00001", amount="1012.00")["RESULT"] == "12"
    assert paypal_sandbox.ledger() == []


def test_cancel_returns_to_the_cancel_url_and_blocks_payment(paypal_sandbox):
    token = start(paypal_sandbox)
    redirect = choose(paypal_sandbox, token, "cancel")

    assert redirect.status_code == 302
    assert redirect.headers["Location"] == f"{CANCEL_URL}?token={token}"
    assert details(paypal_sandbox, token)["RESULT"] == "12"
    assert pay(paypal_sandbox, token, "SBXBUYER00001")["RESULT"] == "12"
    approve_late = requests.post(
        paypal_sandbox.base_url + "/cgi-bin/webscr",
        data={"cmd": "_express-checkout", "token": token, "decision": "approve"},
        allow_redirects=False,
        timeout=5,
    )
    assert approve_late.status_code == 409
    assert paypal_sandbox.ledger() == []


def test_unknown_token_page_is_not_found(paypal_sandbox):
    response = requests.get(page_url(paypal_sandbox, "EC-00000000000000000"), timeout=5)
    assert response.status_code == 404


def test_authorization_checkout_is_captured_later(paypal_sandbox):
    token = start(paypal_sandbox)
    choose(paypal_sandbox, token, "approve")
    auth = post(
        paypal_sandbox,
        TRXTYPE="A",
        TENDER="P",
        ACTION="D",
        TOKEN=token,
        PAYERID="SBXBUYER00001",
        AMT="25.00",
    )
    assert auth["RESULT"] == "0"
    assert paypal_sandbox.ledger() == []
    captured = post(paypal_sandbox, TRXTYPE="D", TENDER="P", ORIGID=auth["PNREF"])
    assert captured["RESULT"] == "0"
    assert [e["kind"] for e in paypal_sandbox.ledger()] == ["capture"]


def test_credit_and_inquiry_of_an_express_checkout_payment(paypal_sandbox):
    token = start(paypal_sandbox, account=UK)
    choose(paypal_sandbox, token, "approve")
    paid = pay(paypal_sandbox, token, "SBXBUYER00001", account=UK)
    assert paid["RESULT"] == "0"
    refund = post(
        paypal_sandbox, account=UK, TRXTYPE="C", TENDER="P", ORIGID=paid["PNREF"], AMT="5.00"
    )
    found = post(paypal_sandbox, account=UK, TRXTYPE="I", TENDER="P", ORIGID=paid["PNREF"])

    assert refund["RESULT"] == "0"
    assert (found["ORIGRESULT"], found["TOKEN"], found["PPREF"]) == ("0", token, paid["PPREF"])
    assert [(e["kind"], e["currency"]) for e in paypal_sandbox.ledger()] == [
        ("express_checkout", "GBP"),
        ("credit", "GBP"),
    ]
