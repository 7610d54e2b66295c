"""A Payflow request once authenticated: its fields, account and tables, and answer helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .payflow_rules import currency_result, message_for, parse_amount
from .payflow_store import Account, PayflowTables, Transaction, append_ledger, new_pnref
from .state import Behaviour, SandboxState

Answer = dict[str, str]


def error(result: int, detail: str = "") -> Answer:
    return {"RESULT": str(result), "RESPMSG": message_for(result, detail)}


@dataclass
class Call:
    """One authenticated Payflow request, as handlers see it."""

    state: SandboxState
    tables: PayflowTables
    account: Account
    fields: dict[str, str]
    request_id: str
    behaviour: Behaviour = field(default_factory=Behaviour)

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    def default_currency(self) -> str:
        return "GBP" if self.account.partner == "PayPalUK" else "USD"

    def record(self, trxtype: str, result: int, detail: str = "", **kwargs) -> Transaction:
        """Keep this request as a transaction with a new PNREF, approved or not."""
        txn = Transaction(
            pnref=new_pnref(),
            vendor_key=self.account.vendor_key,
            trxtype=trxtype,
            tender=self.get("TENDER"),
            result=result,
            respmsg=message_for(result, detail),
            request_id=self.request_id,
            custref=self.get("CUSTREF"),
            **kwargs,
        )
        self.tables.add_transaction(txn)
        return txn

    def ledger(self, kind: str, txn: Transaction, amount: Decimal) -> None:
        append_ledger(self.state, kind=kind, txn=txn, amount=amount, vendor=self.account.vendor)


def missing(call: Call, *names: str) -> Answer | None:
    absent = [name for name in names if not call.get(name)]
    return error(7, "missing " + ", ".join(absent)) if absent else None


def amount_and_currency(call: Call) -> tuple[Decimal, str] | Answer:
    """``AMT`` and ``CURRENCY`` of a call, or the error answer: 4 bad amount, 6 bad currency."""
    amount = parse_amount(call.get("AMT"))
    if amount is None:
        return error(4)
    currency = call.get("CURRENCY").upper() or call.default_currency()
    if currency_result(currency):
        return error(6)
    return amount, currency


def txn_answer(txn: Transaction, **extra: str) -> Answer:
    answer = {"RESULT": str(txn.result), "PNREF": txn.pnref, "RESPMSG": txn.respmsg}
    if txn.result in (0, 126) and txn.authcode:  # 126: authorized, held for review
        answer["AUTHCODE"] = txn.authcode
    answer.update({k: v for k, v in extra.items() if v})
    if txn.ppref:
        answer["PPREF"] = txn.ppref
    answer["TRANSTIME"] = txn.transtime
    return answer
