"""The attendee's form on the payment page: who pays, the promo code, and the card."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.inputs import TextInputsForm

from .. import cards
from ..gateways.base import CardDetails
from ..models import Card
from . import direct_widgets as widgets

APPLY, PAY_CARD, PAY_PAYPAL = "apply", "pay_card", "pay_paypal"
CARD_FIELDS = (
    "card_type",
    "card_number",
    "expiry",
    "security_code",
    "name_on_card",
    "postal_code",
)


class PaymentForm(TextInputsForm, forms.Form):
    """Validated before anything is sent to PayPal. Card fields matter only for a card payment.

    The card number and security code never leave this form except inside ``CardDetails``
    handed to the gateway; they are never stored, logged, or rendered back. Its widgets write
    their HTML without templates (``direct_widgets``): the same markup, faster.
    """

    attempt = forms.UUIDField(widget=widgets.HiddenInput)
    attendee_name = forms.CharField(label=_("Your name"), max_length=200, widget=widgets.TextInput)
    attendee_email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254, widget=widgets.EmailInput
    )
    promo_code = forms.CharField(
        label=_("Promo code"), max_length=40, required=False, widget=widgets.TextInput
    )
    card_type = forms.ChoiceField(label=_("Card type"), required=False, widget=widgets.Select)
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        required=False,
        widget=widgets.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    expiry = forms.CharField(
        label=_("Expiry (mm/yy)"),
        max_length=7,
        required=False,
        widget=widgets.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "mm/yy"}),
    )
    security_code = forms.CharField(
        label=_("Security code"),
        max_length=4,
        required=False,
        widget=widgets.PasswordInput(
            render_value=False, attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}
        ),
    )
    name_on_card = forms.CharField(
        label=_("Name on card"),
        max_length=100,
        required=False,
        widget=widgets.TextInput(attrs={"autocomplete": "cc-name"}),
    )
    postal_code = forms.CharField(
        label=_("Billing ZIP/postcode"),
        max_length=12,
        required=False,
        widget=widgets.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args, card_types=(), action: str = APPLY, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["card_type"].choices = [(c, Card(c).label) for c in card_types]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "card_type" else "form-control"
        if not self.is_bound:
            self.initial.setdefault("attempt", uuid.uuid4())
        if action != PAY_CARD:
            for name in ("attendee_name", "attendee_email"):
                self.fields[name].required = action == PAY_PAYPAL

    def mark_invalid_fields(self) -> None:
        """Flag the fields in error for the browser and assistive technology (after cleaning)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"

    def clean_promo_code(self):
        return " ".join(self.cleaned_data["promo_code"].split())

    def clean(self):
        cleaned = super().clean()
        if self.action == PAY_CARD:
            self._clean_card(cleaned)
        else:
            # The card section plays no part in applying a code or paying with PayPal.
            for name in CARD_FIELDS:
                self._errors.pop(name, None)
        return cleaned

    def _clean_card(self, cleaned):
        required = ["card_type", "card_number", "expiry", "security_code", "name_on_card"]
        for name in required:
            if not cleaned.get(name):
                self.add_error(name, ValidationError(_("This field is required."), "required"))
        number = cards.digits_only(cleaned.get("card_number", ""))
        card_type = cleaned.get("card_type")
        brand = None
        if number:
            brand = cards.detect_brand(number)
            if not cards.luhn_valid(number):
                self.add_error("card_number", _("This card number is not valid."))
            elif card_type and brand not in cards.BRANDS_BY_TYPE[card_type]:
                self.add_error(
                    "card_number",
                    _("This number is not a %(type)s card.") % {"type": Card(card_type).label},
                )
        expiry = cleaned.get("expiry")
        if expiry:
            parsed = cards.parse_expiry(expiry)
            if parsed is None:
                self.add_error("expiry", _("Enter the expiry date as mm/yy."))
            elif cards.expired(*parsed, timezone.localdate()):
                self.add_error("expiry", _("This card has expired."))
            else:
                cleaned["expiry_parsed"] = parsed
        code = cleaned.get("security_code", "")
        if code and brand:
            length = cards.security_code_length(brand)
            if not code.isdigit() or len(code) != length:
                self.add_error(
                    "security_code",
                    _("The security code of this card has %(n)d digits.") % {"n": length},
                )
        cleaned["brand"] = brand or ""
        cleaned["number"] = number

    def card_details(self) -> CardDetails:
        data = self.cleaned_data
        month, year = data["expiry_parsed"]
        return CardDetails(
            number=data["number"],
            exp_month=month,
            exp_year=year,
            security_code=data["security_code"],
            name=data["name_on_card"],
            postal_code=data.get("postal_code", ""),
        )
