"""The Payflow simulator's tables: merchant accounts, transactions, stored answers, EC tokens.

They live in ``state.table("payflow")`` and are rebuilt (with the built-in demo accounts)
after ``/_sandbox/reset``. Every function here expects the caller to hold ``state.lock``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .payflow_rules import message_for
from .state import SandboxState

PARTNERS = ("PayPal", "PayPalUK")

# Built-in merchant accounts, present after every reset: (partner, vendor, user, password).
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("PayPal", "acmedemo", "acmedemo", "pilot-pass-1"),
    ("PayPalUK", "globexuk", "globexuk", "pilot-pass-uk-1"),
)

# The one buyer who approves every Express Checkout on the simulator's approval page.
SANDBOX_BUYER = {
    "EMAIL": "buyer@sandbox.example.com",
    "PAYERID": "SBXBUYER00001",
    "PAYERSTATUS": "verified",
    "FIRSTNAME": "Sandbox",
    "LASTNAME": "Buyer",
}

_ALNUM = string.ascii_uppercase + string.digits


def random_code(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pnref() -> str:
    """12 upper-case alphanumerics starting with a letter, like ``V19A2E3A4B56``."""
    return secrets.choice(string.ascii_uppercase) + random_code(11)


def new_token() -> str:
    """An Express Checkout token: ``EC-`` and 17 alphanumerics (20 characters)."""
    return "EC-" + random_code(17)


def transtime() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Account:
    partner: str
    vendor: str
    user: str
    password: str

    @property
    def key(self) -> tuple[str, str, str]:
        return account_key(self.partner, self.vendor, self.user)

    @property
    def vendor_key(self) -> str:
        return self.vendor.lower()

    def public(self) -> dict[str, str]:
        return {"partner": self.partner, "vendor": self.vendor, "user": self.user}


def account_key(partner: str, vendor: str, user: str) -> tuple[str, str, str]:
    # PayPal Manager logins are case-insensitive; passwords are not.
    return (partner.lower(), vendor.lower(), user.lower())


@dataclass
class Transaction:
    """One processed request that got a PNREF (approved or not)."""

    pnref: str
    vendor_key: str
    trxtype: str  # S, A, D, C, V
    tender: str  # C or P
    result: int
    respmsg: str
    request_id: str
    amount: Decimal | None = None
    currency: str = ""
    custref: str = ""
    orig_pnref: str = ""
    authcode: str = ""
    ppref: str = ""
    token: str = ""
    transtime: str = field(default_factory=transtime)
    # Mutable life of the original: authorizations get captured or voided, payments refunded.
    captured: bool = False
    voided: bool = False
    refunded: Decimal = Decimal("0.00")
    # Held back: "fraud_review" (RESULT 126) or an Express Checkout PENDINGREASON; "" once
    # settled. ``was_pending`` remembers that it was.
    pending: str = ""
    was_pending: bool = False

    @property
    def transstate(self) -> int:
        """PayPal's TRANSSTATE: 1 failed, 3 authorized, 9 authorization captured,
        6 settlement pending (sale, capture, credit), 0 succeeded (void).

        PayPal's list has no "voided" state: a voided authorization reads 1 (no longer
        collectible), the simulator's choice.
        """
        if self.result != 0:
            return 1
        if self.trxtype == "A":
            if self.voided:
                return 1
            return 9 if self.captured else 3
        if self.trxtype == "V":
            return 0
        return 6


@dataclass
class CheckoutToken:
    """An Express Checkout started with ACTION=S; the buyer approves or cancels it."""

    token: str
    vendor_key: str
    vendor: str
    partner: str
    trxtype: str
    amount: Decimal
    currency: str
    return_url: str
    cancel_url: str
    description: str = ""
    status: str = "created"  # created -> approved -> paid, or cancelled
    payer_id: str = ""


@dataclass
class PayflowTables:
    accounts: dict[tuple[str, str, str], Account] = field(default_factory=dict)
    # (vendor, X-VPS-REQUEST-ID) -> the original answer, replayed with DUPLICATE=1.
    answers: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    transactions: dict[str, Transaction] = field(default_factory=dict)
    # (vendor, CUSTREF) -> PNREF of the latest transaction carrying it.
    custrefs: dict[tuple[str, str], str] = field(default_factory=dict)
    tokens: dict[str, CheckoutToken] = field(default_factory=dict)

    def register(self, account: Account) -> None:
        self.accounts[account.key] = account

    def find_transaction(self, vendor_key: str, pnref: str) -> Transaction | None:
        txn = self.transactions.get(pnref.upper())
        return txn if txn and txn.vendor_key == vendor_key else None

    def add_transaction(self, txn: Transaction) -> None:
        self.transactions[txn.pnref] = txn
        if txn.custref:
            self.custrefs[(txn.vendor_key, txn.custref.upper())] = txn.pnref


def settle(state: SandboxState, txn: Transaction, accepted: bool, vendor: str) -> None:
    """PayPal's later word on a held transaction: a fraud review's or a pending payment's.

    Accepted: a review becomes RESULT 0 (approved), a pending payment completes; a sale or
    an Express Checkout payment then moves money (ledger). Rejected: a review becomes 125
    (declined by the fraud service), a pending payment 12 (declined).
    """
    review = txn.pending == "fraud_review"
    txn.pending, txn.was_pending = "", True
    if not accepted:
        txn.result = 125 if review else 12
        txn.respmsg = message_for(txn.result)
        return
    if review:
        txn.result, txn.respmsg = 0, message_for(0)
    if txn.trxtype == "S":
        kind = "express_checkout" if txn.tender == "P" else "sale"
        append_ledger(state, kind=kind, txn=txn, amount=txn.amount, vendor=vendor)


def tables(state: SandboxState) -> PayflowTables:
    """The Payflow tables of this server, created with the demo accounts on first use."""
    with state.lock:
        table = state.table("payflow")
        if "tables" not in table:
            fresh = PayflowTables()
            for partner, vendor, user, password in DEMO_ACCOUNTS:
                fresh.register(Account(partner, vendor, user, password))
            table["tables"] = fresh
        return table["tables"]


def append_ledger(
    state: SandboxState, *, kind: str, txn: Transaction, amount: Decimal, vendor: str
) -> None:
    """Record a money movement: ``sale``, ``capture``, ``credit`` or ``express_checkout``."""
    entry: dict[str, Any] = {
        "protocol": "payflow",
        "kind": kind,
        "pnref": txn.pnref,
        "amount": f"{amount:.2f}",
        "currency": txn.currency,
        "request_id": txn.request_id,
        "vendor": vendor,
    }
    if txn.ppref:
        entry["ppref"] = txn.ppref
    state.ledger.append(entry)
