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


def phone_example(country: str) -> tuple[str, str]:
    """A landline number of ``country`` as written there and with its country code:
    ``("01 23 45 67 89", "+33 1 23 45 67 89")`` for FR."""
    number = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.FIXED_LINE)
    if number is None:  # a region without an example: the US one
        return phone_example("US")
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    )


def normalize_support_info(value: str, country: str = "US") -> str:
    """An e-mail address, or a phone number stored in international format; else
    ValidationError.

    A number with its country code (``+33 1 23 45 67 89``) is accepted whatever the site; one
    without (``01 23 45 67 89``) is read as a number of ``country``, the site's ISO 3166-1
    code. Whatever is neither (junk, 200 digits) is a ValidationError whose message shows an
    example of that country's numbers.
    """
    value = value.strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), code="email") from None
        return value
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        national, international = phone_example(country)
        raise ValidationError(
            _("Enter an e-mail address or a phone number, e.g. %(national)s or %(international)s."),
            code="support",
            params={"national": national, "international": international},
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
        }

    def __init__(self, *args, country: str = "US", **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country
        self.fields["business_name"].required = True
        self.fields["support_info"].required = True
        national, _international = phone_example(country)
        self.fields["support_info"].help_text = _(
            "An e-mail address or a phone number attendees can contact. A number without its "
            "country code is read as a number of the site's country, %(country)s (e.g. "
            "%(example)s); Webex operations set the site's country."
        ) % {"country": country, "example": national}

    def clean_business_name(self):
        return " ".join(self.cleaned_data["business_name"].split())

    def clean_support_info(self):
        return normalize_support_info(self.cleaned_data["support_info"], self.country)


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
