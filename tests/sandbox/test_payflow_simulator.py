"""The Payflow simulator over real HTTP: raw NVP in, NVP out, as PayPal's pilot server."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests

from payments.sandbox.payflow_nvp import encode_nvp, parse_nvp

US = {"PARTNER": "PayPal", "VENDOR": "acmedemo", "USER": "acmedemo", "PWD": "pilot-pass-1"}
UK = {"PARTNER": "PayPalUK", "VENDOR": "globexuk", "USER": "globexuk", "PWD": "pilot-pass-uk-1"}
CARD = {"ACCT": "4111111111111111", "EXPDATE": "1239", "CVV2": "123"}


def post_raw(sandbox, body: bytes, request_id: str | None = "", timeout: float = 10):
    headers = {"Content-Type": "text/namevalue"}
    if request_id is not None:
        headers["X-VPS-REQUEST-ID"] = request_id or uuid.uuid4().hex
    response = requests.post(sandbox.payflow_url, data=body, headers=headers, timeout=timeout)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/namevalue")
    return parse_nvp(response.content)


def post(sandbox, request_id: str = "", account=US, **fields):
    return post_raw(sandbox, encode_nvp(account | fields), request_id)


def sale(sandbox, request_id: str = "", **fields):
    return post(
        sandbox, request_id, **({"TRXTYPE": "S", "TENDER": "C", "AMT": "15.00"} | CARD | fields)
    )


def authorize(sandbox, amount="40.00"):
    return post(sandbox, TRXTYPE="A", TENDER="C", AMT=amount, **CARD)


# --- approval ------------------------------------------------------------------------------------


def test_sale_with_a_test_card_is_approved_and_lands_in_the_ledger(paypal_sandbox):
    answer = sale(paypal_sandbox, "req-sale-1", BILLTOSTREET="123 Main St", BILLTOZIP="12345")

    assert answer["RESULT"] == "0"
    assert answer["RESPMSG"] == "Approved"
    assert re.fullmatch(r"[A-Z0-9]{12}", answer["PNREF"])
    assert answer["AUTHCODE"]
    assert (answer["AVSADDR"], answer["AVSZIP"], answer["CVV2MATCH"]) == ("Y", "Y", "Y")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", answer["TRANSTIME"])
    assert paypal_sandbox.ledger() == [
        {
            "protocol": "payflow",
            "kind": "sale",
            "pnref": answer["PNREF"],
            "amount": "15.00",
            "currency": "USD",
            "request_id": "req-sale-1",
            "vendor": "acmedemo",
        }
    ]


def test_answer_never_echoes_card_or_password(paypal_sandbox):
    raw = requests.post(
        paypal_sandbox.payflow_url,
        data=encode_nvp(US | CARD | {"TRXTYPE": "S", "TENDER": "C", "AMT": "15.00"}),
        headers={"X-VPS-REQUEST-ID": "no-echo", "Content-Type": "text/namevalue"},
        timeout=10,
    )
    assert parse_nvp(raw.content)["RESULT"] == "0"
    assert not {"ACCT", "CVV2", "PWD", "EXPDATE"} & set(parse_nvp(raw.content))
    for secret in ("4111111111111111", "pilot-pass-1", "1239"):
        assert secret not in raw.text


def test_avs_and_cvv2_answers_follow_the_documented_ranges(paypal_sandbox):
    answer = sale(paypal_sandbox, BILLTOSTREET="500 Elm", BILLTOZIP="90210", CVV2="450")
    assert answer["RESULT"] == "0"
    assert (answer["AVSADDR"], answer["AVSZIP"], answer["CVV2MATCH"]) == ("N", "N", "N")


def test_uk_partner_defaults_to_pounds(paypal_sandbox):
    answer = sale(paypal_sandbox, account=UK)
    assert answer["RESULT"] == "0"
    assert paypal_sandbox.ledger()[0]["currency"] == "GBP"
    assert paypal_sandbox.ledger()[0]["vendor"] == "globexuk"


# --- declines and errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "result"),
    [
        ({"AMT": "1012.00"}, "12"),
        ({"AMT": "1013.00"}, "13"),
        ({"AMT": "1023.00"}, "23"),
        ({"AMT": "1050.00"}, "50"),
        ({"AMT": "1015.00"}, "12"),
        ({"AMT": "2000.01"}, "12"),
        ({"AMT": "3500.00"}, "12"),
        ({"ACCT": "000000000000000"}, "23"),
        ({"ACCT": "4111111111111112"}, "23"),
        ({"ACCT": "4000000000000002"}, "23"),
        ({"EXPDATE": "0298"}, "24"),
        ({"EXPDATE": "0120"}, "24"),
        ({"AMT": "-1"}, "4"),
        ({"AMT": "15"}, "4"),
        ({"AMT": "1,00"}, "4"),
        ({"TENDER": "G"}, "2"),
        ({"TRXTYPE": "G"}, "3"),
        ({"CURRENCY": "XYZ"}, "6"),
        ({"ACCT": ""}, "7"),
    ],
)
def test_pilot_declines_and_errors(paypal_sandbox, fields, result):
    answer = sale(paypal_sandbox, **fields)
    assert answer["RESULT"] == result
    assert answer["RESPMSG"]
    assert paypal_sandbox.ledger() == []


def test_a_declined_sale_still_gets_a_pnref(paypal_sandbox):
    answer = sale(paypal_sandbox, AMT="1012.00")
    assert answer["RESPMSG"] == "Declined"
    assert re.fullmatch(r"[A-Z0-9]{12}", answer["PNREF"])
    assert "AUTHCODE" not in answer


@pytest.mark.parametrize(
    ("account", "result"),
    [
        (US | {"PWD": "wrong"}, "1"),
        (US | {"VENDOR": "nobody", "USER": "nobody"}, "26"),
        (US | {"PARTNER": "Verisign"}, "26"),
        (US | {"PARTNER": "PayPalUK"}, "26"),  # the vendor exists under another partner
    ],
)
def test_merchant_authentication(paypal_sandbox, account, result):
    answer = post(paypal_sandbox, account=account, TRXTYPE="S", TENDER="C", AMT="1.00", **CARD)
    assert answer["RESULT"] == result
    assert "PNREF" not in answer


def test_user_defaults_to_vendor_and_logins_ignore_case(paypal_sandbox):
    account = {"PARTNER": "paypal", "VENDOR": "AcmeDemo", "PWD": "pilot-pass-1"}
    assert sale(paypal_sandbox, account=account)["RESULT"] == "0"


@pytest.mark.parametrize("request_id", [None, "x" * 33])
def test_request_id_is_required(paypal_sandbox, request_id):
    body = encode_nvp(US | CARD | {"TRXTYPE": "S", "TENDER": "C", "AMT": "1.00"})
    answer = post_raw(paypal_sandbox, body, request_id=request_id)
    assert answer["RESULT"] == "7"
    assert "X-VPS-REQUEST-ID" in answer["RESPMSG"]


def test_malformed_length_tag_is_a_field_format_error(paypal_sandbox):
    answer = post_raw(paypal_sandbox, b"TRXTYPE=S&COMMENT1[99]=short")
    assert answer["RESULT"] == "7"


# --- wire format ---------------------------------------------------------------------------------


def test_length_tagged_values_with_ampersand_and_equals_are_read_whole(paypal_sandbox):
    body = (
        b"TRXTYPE=S&TENDER=C&PARTNER=PayPal&VENDOR=acmedemo&USER=acmedemo&PWD=pilot-pass-1"
        b"&ACCT=4111111111111111&EXPDATE=1239&AMT=15.00"
        b"&COMMENT1[7]=Level=5&COMPANYNAME[14]=Ruff & Johnson&BILLTOSTREET[16]=500 Ave&B=C Road"
        b"&BILLTOZIP=12345"
    )
    answer = post_raw(paypal_sandbox, body)
    assert answer["RESULT"] == "0"
    assert answer["AVSADDR"] == "N"  # 500 read from the whole tagged street
    assert answer["AVSZIP"] == "Y"  # BILLTOZIP after the tagged values still parsed


def test_a_password_holding_ampersand_and_equals_authenticates_when_tagged(paypal_sandbox):
    account = {"partner": "PayPal", "vendor": "tricky", "password": "p&ss=w0rd"}
    assert requests.post(
        paypal_sandbox.base_url + "/_sandbox/payflow/accounts", json=account, timeout=5
    ).ok
    body = (
        b"PARTNER=PayPal&VENDOR=tricky&PWD[9]=p&ss=w0rd"
        b"&TRXTYPE=S&TENDER=C&ACCT=4111111111111111&EXPDATE=1239&AMT=2.00"
    )
    assert post_raw(paypal_sandbox, body)["RESULT"] == "0"


def test_answers_length_tag_values_holding_ampersand_or_equals(paypal_sandbox):
    raw = requests.post(
        paypal_sandbox.payflow_url,
        data=b"JUSTANAME",
        headers={"X-VPS-REQUEST-ID": "tagging", "Content-Type": "text/namevalue"},
        timeout=5,
    ).content
    message = "Field format error: field without '=' at byte 0"
    assert f"RESPMSG[{len(message)}]={message}".encode() in raw
    assert parse_nvp(raw) == {"RESULT": "7", "RESPMSG": message}


# --- idempotency ---------------------------------------------------------------------------------


def test_a_repeated_request_id_replays_the_original_and_ignores_new_data(paypal_sandbox):
    first = sale(paypal_sandbox, "same-id", AMT="15.00")
    again = sale(paypal_sandbox, "same-id", AMT="999.00", ACCT="000000000000000")

    assert "DUPLICATE" not in first
    assert again["DUPLICATE"] == "1"
    assert {k: v for k, v in again.items() if k != "DUPLICATE"} == first
    assert len(paypal_sandbox.ledger()) == 1


def test_request_ids_are_per_vendor(paypal_sandbox):
    us = sale(paypal_sandbox, "shared-id")
    uk = sale(paypal_sandbox, "shared-id", account=UK)
    assert "DUPLICATE" not in uk
    assert us["PNREF"] != uk["PNREF"]
    assert len(paypal_sandbox.ledger()) == 2


def test_an_authentication_failure_does_not_burn_the_request_id(paypal_sandbox):
    assert sale(paypal_sandbox, "retry-me", account=US | {"PWD": "typo"})["RESULT"] == "1"
    answer = sale(paypal_sandbox, "retry-me")
    assert answer["RESULT"] == "0"
    assert "DUPLICATE" not in answer


# --- authorization, capture, void, credit --------------------------------------------------------


def test_authorize_then_capture_once(paypal_sandbox):
    auth = authorize(paypal_sandbox)
    assert auth["RESULT"] == "0"
    assert paypal_sandbox.ledger() == []  # an authorization moves no money

    captured = post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"])
    assert captured["RESULT"] == "0"
    assert captured["PNREF"] != auth["PNREF"]
    again = post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"])
    assert again["RESULT"] == "111"

    ledger = paypal_sandbox.ledger()
    assert [(e["kind"], e["amount"], e["pnref"]) for e in ledger] == [
        ("capture", "40.00", captured["PNREF"])
    ]


def test_partial_capture_and_capture_above_the_authorization(paypal_sandbox):
    auth = authorize(paypal_sandbox, "40.00")
    above = post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"], AMT="40.01")
    assert above["RESULT"] == "111"
    part = post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"], AMT="25.00")
    assert part["RESULT"] == "0"
    assert paypal_sandbox.ledger()[0]["amount"] == "25.00"


def test_capture_needs_a_known_origid(paypal_sandbox):
    assert post(paypal_sandbox, TRXTYPE="D", TENDER="C")["RESULT"] == "7"
    assert post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID="V00000000000")["RESULT"] == "19"


def test_another_vendors_pnref_is_not_found(paypal_sandbox):
    auth = authorize(paypal_sandbox)
    answer = post(paypal_sandbox, account=UK, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"])
    assert answer["RESULT"] == "19"


def test_void_an_authorization_then_capture_fails(paypal_sandbox):
    auth = authorize(paypal_sandbox)
    assert post(paypal_sandbox, TRXTYPE="V", TENDER="C", ORIGID=auth["PNREF"])["RESULT"] == "0"
    assert post(paypal_sandbox, TRXTYPE="V", TENDER="C", ORIGID=auth["PNREF"])["RESULT"] == "108"
    assert post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"])["RESULT"] == "111"
    assert paypal_sandbox.ledger() == []


def test_voiding_a_captured_authorization_fails(paypal_sandbox):
    auth = authorize(paypal_sandbox)
    post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"])
    assert post(paypal_sandbox, TRXTYPE="V", TENDER="C", ORIGID=auth["PNREF"])["RESULT"] == "108"


def test_credit_in_part_then_the_rest_then_too_much(paypal_sandbox):
    paid = sale(paypal_sandbox, AMT="30.00")
    part = post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=paid["PNREF"], AMT="10.00")
    rest = post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=paid["PNREF"])
    more = post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=paid["PNREF"], AMT="0.01")

    assert (part["RESULT"], rest["RESULT"], more["RESULT"]) == ("0", "0", "105")
    credits = [(e["kind"], e["amount"]) for e in paypal_sandbox.ledger()]
    assert credits == [("sale", "30.00"), ("credit", "10.00"), ("credit", "20.00")]


def test_credit_above_the_sale_is_a_credit_error(paypal_sandbox):
    paid = sale(paypal_sandbox, AMT="30.00")
    answer = post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=paid["PNREF"], AMT="30.01")
    assert answer["RESULT"] == "105"


def test_credit_of_a_declined_sale_or_an_authorization_fails(paypal_sandbox):
    declined = sale(paypal_sandbox, AMT="1012.00")
    auth = authorize(paypal_sandbox)
    for origid in (declined["PNREF"], auth["PNREF"]):
        assert post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=origid)["RESULT"] == "105"


def test_credits_approve_whatever_the_amount_trigger(paypal_sandbox):
    paid = sale(paypal_sandbox, AMT="900.00")
    post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=paid["PNREF"], AMT="500.00")
    # 1012.00 would decline a sale; a credit of the remaining balance still approves.
    assert post(paypal_sandbox, TRXTYPE="C", TENDER="C", ORIGID=paid["PNREF"])["RESULT"] == "0"


# --- inquiry -------------------------------------------------------------------------------------


def test_inquiry_by_pnref_reports_the_original_and_its_state(paypal_sandbox):
    auth = authorize(paypal_sandbox, "12.00")
    before = post(paypal_sandbox, TRXTYPE="I", TENDER="C", ORIGID=auth["PNREF"])
    post(paypal_sandbox, TRXTYPE="D", TENDER="C", ORIGID=auth["PNREF"])
    after = post(paypal_sandbox, TRXTYPE="I", TENDER="C", ORIGID=auth["PNREF"])

    assert before["RESULT"] == "0"
    assert (before["ORIGRESULT"], before["ORIGPNREF"], before["AMT"]) == (
        "0",
        auth["PNREF"],
        "12.00",
    )
    assert (before["TRANSSTATE"], after["TRANSSTATE"]) == ("3", "9")
    assert paypal_sandbox.ledger()[-1]["kind"] == "capture"  # the inquiries added nothing


def test_inquiry_by_custref_finds_the_latest_transaction_that_carried_it(paypal_sandbox):
    sale(paypal_sandbox, CUSTREF="ABC123", AMT="1012.00")
    approved = sale(paypal_sandbox, CUSTREF="ABC123", AMT="11.00")
    found = post(paypal_sandbox, TRXTYPE="I", TENDER="C", CUSTREF="abc123")

    assert (found["ORIGRESULT"], found["PNREF"], found["TRANSSTATE"]) == (
        "0",
        approved["PNREF"],
        "6",
    )


def test_inquiry_reports_a_declined_original(paypal_sandbox):
    declined = sale(paypal_sandbox, AMT="1050.00")
    found = post(paypal_sandbox, TRXTYPE="I", TENDER="C", ORIGID=declined["PNREF"])
    assert (found["RESULT"], found["ORIGRESULT"], found["TRANSSTATE"]) == ("0", "50", "1")


def test_inquiry_for_nothing(paypal_sandbox):
    assert post(paypal_sandbox, TRXTYPE="I", TENDER="C", CUSTREF="NEVERSENT")["RESULT"] == "19"
    assert post(paypal_sandbox, TRXTYPE="I", TENDER="C")["RESULT"] == "7"
    assert (
        post(paypal_sandbox, TRXTYPE="I", TENDER="C", CUSTREF="far-too-long-ref")["RESULT"] == "7"
    )


# --- merchant accounts ---------------------------------------------------------------------------


def test_registered_accounts_authenticate_and_are_listed_without_passwords(paypal_sandbox):
    url = paypal_sandbox.base_url + "/_sandbox/payflow/accounts"
    created = requests.post(
        url,
        json={"partner": "PayPalUK", "vendor": "newshop", "user": "api", "password": "s3cret"},
        timeout=5,
    )
    assert created.status_code == 201
    account = {"PARTNER": "PayPalUK", "VENDOR": "newshop", "USER": "api", "PWD": "s3cret"}
    assert sale(paypal_sandbox, account=account)["RESULT"] == "0"

    listing = requests.get(url, timeout=5).json()
    assert {"partner": "PayPalUK", "vendor": "newshop", "user": "api"} in listing
    assert "s3cret" not in requests.get(url, timeout=5).text


def test_registration_validates_partner_and_reset_forgets_it(paypal_sandbox):
    url = paypal_sandbox.base_url + "/_sandbox/payflow/accounts"
    bad = requests.post(url, json={"partner": "Other", "vendor": "v", "password": "p"}, timeout=5)
    assert bad.status_code == 400
    requests.post(url, json={"partner": "PayPal", "vendor": "temp", "password": "p"}, timeout=5)
    paypal_sandbox.reset()
    vendors = {a["vendor"] for a in requests.get(url, timeout=5).json()}
    assert vendors == {"acmedemo", "globexuk"}


# --- faults --------------------------------------------------------------------------------------


def test_delay_commits_the_sale_but_answers_too_late(paypal_sandbox):
    paypal_sandbox.set_faults(delay_seconds=1.5)
    body = encode_nvp(US | CARD | {"TRXTYPE": "S", "TENDER": "C", "AMT": "15.00"})
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        post_raw(paypal_sandbox, body, "slow-one", timeout=0.4)
    assert time.monotonic() - started < 1.4
    paypal_sandbox.set_faults()
    assert [e["request_id"] for e in paypal_sandbox.ledger()] == ["slow-one"]


def test_control_routes_are_never_delayed(paypal_sandbox):
    paypal_sandbox.set_faults(delay_seconds=5)
    started = time.monotonic()
    paypal_sandbox.ledger()
    assert time.monotonic() - started < 1


def test_drop_after_commit_closes_the_socket_without_any_answer(paypal_sandbox):
    paypal_sandbox.set_faults(drop_after_commit=1)
    body = encode_nvp(US | CARD | {"TRXTYPE": "S", "TENDER": "C", "AMT": "15.00"})
    with pytest.raises(requests.ConnectionError):  # no status line at all, not a 500
        post_raw(paypal_sandbox, body, "dropped-one")
    assert [e["request_id"] for e in paypal_sandbox.ledger()] == ["dropped-one"]

    # The switch was for one request; the retry with the same id replays the committed sale.
    again = post_raw(paypal_sandbox, body, "dropped-one")
    assert (again["RESULT"], again["DUPLICATE"]) == ("0", "1")
    assert len(paypal_sandbox.ledger()) == 1


def test_faults_can_be_narrowed_to_matching_requests(paypal_sandbox):
    requests.post(
        paypal_sandbox.base_url + "/_sandbox/faults",
        json={"drop_after_commit": 1, "only_matching": "AMT=77.00"},
        timeout=5,
    ).raise_for_status()
    assert sale(paypal_sandbox, AMT="15.00")["RESULT"] == "0"  # not matching: answered
    body = encode_nvp(US | CARD | {"TRXTYPE": "S", "TENDER": "C", "AMT": "77.00"})
    with pytest.raises(requests.ConnectionError):
        post_raw(paypal_sandbox, body, "matching")
    assert sale(paypal_sandbox, AMT="77.00")["RESULT"] == "0"  # the one drop is spent
    assert len(paypal_sandbox.ledger()) == 3
