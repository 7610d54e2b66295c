"""``CreationParams``: what one press of *Create* asks for, built once by the form.

The form (``CreatePromoCodesForm.creation_params``) builds it from the cleaned fields;
creation (``promocodes.creation``) reads it. A batch stores it as JSON (``to_json``) so that
a Celery worker can run the creation later; ``from_json`` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import codegen
from .models import AppliesTo


@dataclass(frozen=True)
class CreationParams:
    """The codes to create, consistent by construction.

    ``kind`` is kept only when ``applies_to`` is ``kind`` and ``session_ids`` only when it is
    ``sessions`` (both are emptied otherwise). ``custom_code`` is ``""`` for generated codes;
    ``recipients`` are ``(email, name)`` pairs; ``max_uses`` ``None`` means unlimited.
    """

    service: str
    discount_type: str
    discount_value: Decimal
    expires_on: date
    code_length: int = codegen.DEFAULT_LENGTH
    quantity: int = 1
    custom_code: str = ""
    recipients: tuple[tuple[str, str], ...] = ()
    max_uses: int | None = None
    applies_to: str = AppliesTo.ALL
    kind: str = ""
    session_ids: tuple[int, ...] = ()
    email_language: str = ""  # the recipients' e-mails' language (blank: the site's)

    def __post_init__(self):
        applies_to = self.applies_to or AppliesTo.ALL
        normalized = {
            "discount_value": Decimal(self.discount_value),
            "code_length": int(self.code_length or codegen.DEFAULT_LENGTH),
            "quantity": int(self.quantity),
            "recipients": tuple((str(email), str(name)) for email, name in self.recipients),
            "applies_to": applies_to,
            "kind": (self.kind or "") if applies_to == AppliesTo.KIND else "",
            "session_ids": (
                tuple(int(pk) for pk in self.session_ids)
                if applies_to == AppliesTo.SESSIONS
                else ()
            ),
        }
        for name, value in normalized.items():
            object.__setattr__(self, name, value)

    @property
    def total(self) -> int:
        """How many codes: one for a typed-in code, one per recipient, else ``quantity``."""
        if self.custom_code:
            return 1
        if self.recipients:
            return len(self.recipients)
        return self.quantity

    def to_json(self) -> dict:
        """The JSON stored in ``CreationBatch.params``."""
        return {
            "service": self.service,
            "code_length": self.code_length,
            "quantity": self.quantity,
            "custom_code": self.custom_code,
            "recipients": [list(r) for r in self.recipients],
            "max_uses": self.max_uses,
            "discount_type": self.discount_type,
            "discount_value": str(self.discount_value),
            "expires_on": self.expires_on.isoformat(),
            "applies_to": self.applies_to,
            "kind": self.kind,
            "session_ids": list(self.session_ids),
            "email_language": self.email_language,
        }

    @classmethod
    def from_json(cls, data: dict) -> CreationParams:
        """The parameters a batch stored (``to_json``); missing optional keys take defaults."""
        return cls(
            service=data["service"],
            discount_type=data["discount_type"],
            discount_value=Decimal(data["discount_value"]),
            expires_on=date.fromisoformat(data["expires_on"]),
            code_length=data.get("code_length") or codegen.DEFAULT_LENGTH,
            quantity=data.get("quantity") or 1,
            custom_code=data.get("custom_code") or "",
            recipients=tuple(tuple(r) for r in data.get("recipients") or ()),
            max_uses=data.get("max_uses"),
            applies_to=data.get("applies_to") or AppliesTo.ALL,
            kind=data.get("kind") or "",
            session_ids=tuple(data.get("session_ids") or ()),
            email_language=data.get("email_language") or "",
        )
