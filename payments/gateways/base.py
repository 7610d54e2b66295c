"""The contract every PayPal gateway client honours.

Money moves only in the calls marked **moves money**. Each of them takes a ``request_id``
(the idempotency key: ``X-VPS-REQUEST-ID`` for Payflow, ``PayPal-Request-Id`` for REST) that
the caller generates once per payment attempt and reuses on every retry of that attempt:
PayPal then answers a repeat with the original result instead of charging again.

A call that gets no answer (time-out, dropped connection) raises ``GatewayTimeout``. The
request may or may not have reached PayPal: the caller must keep the payment *pending* and
resolve it later with the lookup call (Payflow inquiry by request id, Orders v2 GET), never
by sending a new request with a new id.

A 5xx on a call that moves money is not an answer either (PayPal may have done the work before
failing): it raises ``GatewayTimeout`` too, and the caller retries with the **same** id.

Results are typed: ``GatewayResult.outcome`` says approved / pending / declined / error, and
carries PayPal's own code and message for the attendee and the report. *Pending* means PayPal
accepted the payment but holds the money (a capture ``PENDING``, Payflow RESULT 126 under fraud
review, an Express Checkout ``PENDINGREASON``): nothing is delivered until a later lookup
answers approved or declined; ``pending_reason`` carries PayPal's reason. Secrets and card
numbers are never logged nor kept in ``raw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"  # accepted, money held by PayPal: settle later by lookup
    DECLINED = "declined"  # the buyer's instrument was refused: may try again
    ERROR = "error"  # the request or the merchant configuration is wrong


class GatewayError(Exception):
    """A failure that is not a decline: bad configuration, malformed answer."""


class GatewayTimeout(GatewayError):
    """No answer arrived; the operation may have happened. Resolve by lookup, same id."""


@dataclass(frozen=True)
class CardDetails:
    """A card as typed by the attendee. Never stored, never logged (``repr`` is masked)."""

    number: str
    exp_month: int
    exp_year: int  # four digits
    security_code: str
    name: str = ""
    postal_code: str = ""
    street: str = ""

    def __repr__(self) -> str:
        return f"CardDetails(last4={self.last4!r})"

    __str__ = __repr__

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class GatewayResult:
    """What PayPal answered, parsed.

    ``reference``: the id to refund, capture, void or look up later (Payflow PNREF, REST
    capture id). ``order_id``: the REST order id or Express Checkout token where one exists.
    ``raw``: the answer's fields with secrets removed, for the record. ``pending_reason``:
    PayPal's reason when the outcome is pending (``PENDING_REVIEW``, ``echeck``,
    ``fraud_review``...).
    """

    outcome: Outcome
    code: str
    message: str
    reference: str = ""
    order_id: str = ""
    duplicate: bool = False
    raw: dict = field(default_factory=dict)
    pending_reason: str = ""

    @property
    def approved(self) -> bool:
        return self.outcome is Outcome.APPROVED

    @property
    def held(self) -> bool:
        """PayPal accepted the payment but holds the money for now."""
        return self.outcome is Outcome.PENDING


@dataclass(frozen=True)
class Checkout:
    """A started redirect checkout: send the buyer to ``approval_url``."""

    token: str  # Express Checkout token or REST order id
    approval_url: str
    result: GatewayResult


class RefundGateway(Protocol):
    """Giving back money a payment collected, whatever took it (card or PayPal button)."""

    def refund(
        self, reference: str, amount: Decimal | None, currency: str, request_id: str
    ) -> GatewayResult:
        """Refund a collected payment in full (``None``) or in part. **Moves money.**

        Idempotent by ``request_id``. ``reference`` is the payment's gateway reference (Payflow
        PNREF, REST capture id); the result's ``reference`` is the refund's own.
        """


class ConnectionTest(Protocol):
    """*Test connection* on a provider's page: are these settings accepted by PayPal?"""

    def test_connection(self) -> GatewayResult:
        """Approved when PayPal accepted the credentials; never moves money.

        ``code`` and ``message`` are PayPal's own words for the administrator. Raises
        ``GatewayError`` (``GatewayTimeout``) when PayPal could not be asked.
        """


class CardGateway(RefundGateway, Protocol):
    """Card payments (Payflow Pro, Website Payments Pro Payflow Edition).

    ``refund`` (from ``RefundGateway``) gives back a card sale; ``credit`` is the same with
    Payflow's own arguments.
    """

    def sale(
        self,
        card: CardDetails,
        amount: Decimal,
        currency: str,
        request_id: str,
        *,
        invoice: str = "",
    ) -> GatewayResult:
        """Authorize and capture in one step. **Moves money.** Idempotent by ``request_id``."""

    def authorize(
        self, card: CardDetails, amount: Decimal, currency: str, request_id: str
    ) -> GatewayResult:
        """Hold funds without capturing. Idempotent by ``request_id``."""

    def capture(self, reference: str, amount: Decimal | None, request_id: str) -> GatewayResult:
        """Capture an authorization. **Moves money.** Idempotent by ``request_id``."""

    def void(self, reference: str, request_id: str) -> GatewayResult:
        """Cancel an uncaptured authorization. Idempotent by ``request_id``."""

    def credit(
        self, reference: str, amount: Decimal | None, request_id: str, *, tender: str = "C"
    ) -> GatewayResult:
        """Refund a captured sale, in full (``None``) or in part. **Moves money.**

        ``tender``: ``"C"`` for a card sale, ``"P"`` for a payment collected through PayPal.
        """

    def inquiry(
        self, *, reference: str = "", request_id: str = "", tender: str = "C"
    ) -> GatewayResult:
        """Look up an earlier transaction by its reference or its request id. Never moves money."""


class RedirectGateway(RefundGateway, Protocol):
    """PayPal-button payments: Express Checkout through Payflow, or Orders v2."""

    def start_checkout(
        self,
        amount: Decimal,
        currency: str,
        return_url: str,
        cancel_url: str,
        request_id: str,
        *,
        description: str = "",
    ) -> Checkout:
        """Create the checkout PayPal will show the buyer. Does not move money."""

    def complete_checkout(
        self, token: str, payer_id: str, amount: Decimal, currency: str, request_id: str
    ) -> GatewayResult:
        """Collect the approved checkout. **Moves money.** Idempotent by ``request_id``."""

    def buyer_approved(self, token: str) -> bool:
        """Whether the buyer approved the checkout on PayPal (it can be, or was, collected).
        Never moves money. Raises ``GatewayTimeout`` when PayPal could not say."""

    def lookup(self, token: str, request_id: str = "") -> GatewayResult:
        """The checkout's current state (approved = money collected, pending = collected but
        held by PayPal). Never moves money."""
