"""The simulator's NVP reader and writer, and the pilot rules, as pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from payments.sandbox.payflow_nvp import NVPFormatError, encode_nvp, parse_nvp
from payments.sandbox.payflow_rules import (
    amount_trigger_result,
    avs_address,
    avs_zip,
    card_number_result,
    cvv2_match,
    expiry_result,
)


def test_plain_fields_are_split_on_ampersand_and_names_upper_cased():
    assert parse_nvp(b"trxtype=S&AMT=15.00&EMPTY=") == {"TRXTYPE": "S", "AMT": "15.00", "EMPTY": ""}


def test_length_tag_takes_exact_bytes_including_ampersand_and_equals():
    body = b"COMMENT1[7]=Level=5&COMPANYNAME[14]=Ruff & Johnson&AMT=1.00"
    assert parse_nvp(body) == {
        "COMMENT1": "Level=5",
        "COMPANYNAME": "Ruff & Johnson",
        "AMT": "1.00",
    }


def test_length_tag_counts_utf8_bytes_not_characters():
    assert parse_nvp("NAME[16]=Müller & Söhne&X=1".encode()) == {
        "NAME": "Müller & Söhne",
        "X": "1",
    }
    with pytest.raises(NVPFormatError):
        parse_nvp("NAME[14]=Müller & Söhne&X=1".encode())


def test_length_tag_counting_utf8_bytes_round_trips():
    fields = {"NAME": "Müller & Söhne", "NOTE": "a=b", "PLAIN": "x y"}
    encoded = encode_nvp(fields)
    assert b"NAME[16]=" in encoded
    assert b"NOTE[3]=a=b" in encoded
    assert parse_nvp(encoded) == fields


@pytest.mark.parametrize(
    "body",
    [
        b"NAME[50]=short",  # runs past the end
        b"NAME[3]=abcdef&X=1",  # junk after the tagged value
        b"JUSTANAME",  # no '='
        b"BAD NAME=1",
    ],
)
def test_malformed_bodies_are_rejected(body):
    with pytest.raises(NVPFormatError):
        parse_nvp(body)


def test_encoder_tags_only_values_that_need_it():
    assert encode_nvp({"RESULT": 0, "RESPMSG": "Approved"}) == b"RESULT=0&RESPMSG=Approved"
    assert encode_nvp({"RESPMSG": "A&B"}) == b"RESPMSG[3]=A&B"


@pytest.mark.parametrize(
    ("acct", "result"),
    [
        ("4111111111111111", 0),
        ("378282246310005", 0),
        ("4222222222222", 0),
        ("000000000000000", 23),
        ("4111111111111112", 23),  # Luhn fails
        ("4000000000000002", 23),  # Luhn passes, not a PayPal test card
        ("4111-1111-1111-1111", 23),
    ],
)
def test_only_published_test_cards_pass(acct, result):
    assert card_number_result(acct) == result


@pytest.mark.parametrize(
    ("expdate", "result"),
    [("0298", 24), ("1299", 0), ("0125", 24), ("1326", 24), ("12x9", 24), ("0626", 0)],
)
def test_expiry_rules(expdate, result):
    assert expiry_result(expdate, today=dt.date(2026, 6, 15)) == result


@pytest.mark.parametrize(
    ("amount", "result"),
    [
        ("0.00", 0),
        ("1000.00", 0),
        ("1000.50", 12),
        ("1012.00", 12),
        ("1013.00", 13),
        ("1023.00", 23),
        ("1050.99", 50),
        ("1015.00", 12),  # 15 is no Payflow code
        ("1125.00", 125),
        ("2000.00", 1000),  # 1000 is a Payflow code (generic host error)
        ("2000.01", 12),
        ("99999.00", 12),
    ],
)
def test_pilot_amount_triggers(amount, result):
    assert amount_trigger_result(Decimal(amount)) == result


def test_avs_and_cvv2_ranges():
    assert [avs_address(s) for s in ("123 Main", "500 Elm", "777 Oak", "Main St", "")] == [
        "Y",
        "N",
        "X",
        "X",
        "X",
    ]
    assert [avs_zip(z) for z in ("12345", "50000", "50001", "SW1A 1AA")] == ["Y", "Y", "N", "X"]
    assert [cvv2_match(c) for c in ("123", "300", "301", "600", "601", "000")] == [
        "Y",
        "Y",
        "N",
        "N",
        "X",
        "X",
    ]
