"""Forms of the E-Commerce settings pages; each ends with an Update button."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from sites.inputs import TextInputsForm

from ..models import CommerceSettings, Mode
from ..readiness import production_blockers

PHONE_REGION_BY_LANGUAGE = {"fr": "FR", "en": "US"}


def normalize_support_info(value: str, language: str = "en") -> str:
    """An e-mail address, or a phone number in international format; else ValidationError."""
    value = value.strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), code="email") from None
        return value
    try:
        number = phonenumbers.parse(value, PHONE_REGION_BY_LANGUAGE.get(language, "US"))
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter an e-mail address or a phone number, e.g. +1 408 555 0100."), code="support"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class ServicesForm(TextInputsForm, forms.ModelForm):
    class Meta:
        model = CommerceSettings
        fields = ["events_enabled", "training_enabled"]


class ModeForm(TextInputsForm, forms.ModelForm):
    mode = forms.ChoiceField(
        label=_("Operation mode"), choices=Mode.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = CommerceSettings
        fields = ["mode"]

    def clean_mode(self):
        mode = self.cleaned_data["mode"]
        if mode == Mode.PRODUCTION and self.initial.get("mode") != Mode.PRODUCTION:
            reasons = production_blockers(self.instance)
            if reasons:
                raise ValidationError(
                    [_("Production mode cannot be turned on yet:")] + reasons, code="not_ready"
                )
        return mode


class BusinessInfoForm(TextInputsForm, forms.ModelForm):
    class Meta:
        model = CommerceSettings
        fields = ["business_name", "support_info"]
        help_texts = {
            "business_name": _("Shown to attendees on the payment page and in receipts."),
            "support_info": _("An e-mail address or a phone number attendees can contact."),
        }

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.fields["business_name"].required = True
        self.fields["support_info"].required = True

    def clean_business_name(self):
        return " ".join(self.cleaned_data["business_name"].split())

    def clean_support_info(self):
        return normalize_support_info(self.cleaned_data["support_info"], self.language)


class PaymentPageForm(TextInputsForm, forms.ModelForm):
    class Meta:
        model = CommerceSettings
        fields = ["header_text", "footer_text"]
        widgets = {
            "header_text": forms.Textarea(attrs={"rows": 4, "data-preview": "header"}),
            "footer_text": forms.Textarea(attrs={"rows": 4, "data-preview": "footer"}),
        }
        help_texts = {
            "header_text": _("Plain text shown above the Credit/Debit card section."),
            "footer_text": _("Plain text shown below it. Line breaks are kept; HTML is not."),
        }
