"""The *Create promo codes* form: every field of the page, and the ``CreationParams`` it builds."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sites.date_display import format_date
from sites.dates import DAY_PLACEHOLDER, DayField
from sites.inputs import TextInputsForm
from sites.models import KINDS_BY_SERVICE, Service, Session, SessionKind, Site

from . import codegen
from .form_fields import SessionCheckboxes, SessionChoiceField
from .models import MAX_FIXED_DISCOUNT, AppliesTo, DiscountType
from .params import CreationParams
from .recipients import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, parse_recipients
from .selectors import find_code

MAX_QUANTITY = 100_000


class CreatePromoCodesForm(TextInputsForm, forms.Form):
    """Every field of the Webex *Create promo codes* page (docs/administrators.md)."""

    USAGE_ONCE, USAGE_TIMES, USAGE_UNLIMITED = "once", "times", "unlimited"
    TYPE_GENERATED, TYPE_SINGLE = "generated", "single"

    service = forms.ChoiceField(
        label=_("Promo codes for"), choices=Service.choices, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(
        label=_("Recipient name"), max_length=MAX_NAME_LENGTH, required=False
    )
    recipient_email = forms.EmailField(
        label=_("Email address"), max_length=MAX_EMAIL_LENGTH, required=False
    )
    recipients_file = forms.FileField(
        label=_("Or upload a list of recipients"),
        required=False,
        help_text=_(
            "A .txt or .csv file, one recipient per line: email[,name]. At most 1000 lines. "
            "Each recipient gets their own code by email."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,text/plain,text/csv"}),
    )
    email_language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The recipients receive their code in this language."),
    )
    code_type = forms.ChoiceField(
        label=_("Promo code type"),
        choices=[
            (TYPE_GENERATED, _("System generated")),
            (TYPE_SINGLE, _("Single promo code")),
        ],
        initial=TYPE_GENERATED,
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        required=False,
        help_text=_("System generated codes: up to 100,000; one per recipient when given."),
    )
    code_length = forms.IntegerField(
        label=_("Promo code length"),
        min_value=codegen.MIN_GENERATED_LENGTH,
        max_value=codegen.MAX_GENERATED_LENGTH,
        initial=codegen.DEFAULT_LENGTH,
        help_text=_("6 to 20 characters, for system generated codes."),
    )
    custom_code = forms.CharField(
        label=_("Promo code"),
        max_length=codegen.CODE_MAX_LENGTH,
        required=False,
        help_text=_("Single promo code: 3 to 20 letters, digits, - or _."),
    )
    usage = forms.ChoiceField(
        label=_("Promo code usage"),
        choices=[
            (USAGE_ONCE, _("Once")),
            (USAGE_TIMES, _("A number of times")),
            (USAGE_UNLIMITED, _("Unlimited until the expiration date")),
        ],
        initial=USAGE_ONCE,
        widget=forms.RadioSelect,
    )
    max_uses = forms.IntegerField(
        label=_("Number of times"), min_value=1, max_value=1_000_000, required=False
    )
    discount_type = forms.ChoiceField(
        label=_("Discount type"),
        choices=DiscountType.choices,
        initial=DiscountType.PERCENT,
        widget=forms.RadioSelect,
    )
    discount_value = forms.DecimalField(
        label=_("Percent off"), max_digits=8, decimal_places=2, min_value=Decimal("0.01")
    )
    # The value's label names what it is for the chosen discount type (the fieldset's legend
    # is "Discount"); static/js/promocodes.js swaps it when another type is chosen.
    DISCOUNT_VALUE_LABELS = {
        DiscountType.PERCENT: _("Percent off"),
        DiscountType.FIXED: _("Amount off"),
    }
    expires_on = DayField(label=_("Expiration date"), help_text=DAY_PLACEHOLDER)
    applies_to = forms.ChoiceField(
        label=_("Applicable to"),
        choices=AppliesTo.choices,
        initial=AppliesTo.ALL,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind of session"),
        choices=[("", "—"), *SessionKind.choices],
        required=False,
    )
    sessions = SessionChoiceField(
        label=_("Sessions"),
        queryset=Session.objects.none(),
        required=False,
        widget=SessionCheckboxes,
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["email_language"].initial = site.language
        self.recipients: list[tuple[str, str]] = []
        self.fields["sessions"].queryset = Session.objects.for_site(site).order_by(
            "service", "title"
        )
        self._label_discount_value()
        self.fields["discount_value"].help_text = _(
            "Fixed amount in %(currency)s (up to 999,999.99), or a percentage from 1 to 100."
        ) % {"currency": site.currency}

    def _label_discount_value(self) -> None:
        """ "Percent off" or "Amount off", after the type chosen (sent, else the initial one);
        both labels ride on the input for the page's script."""
        chosen = (
            self.data.get(self.add_prefix("discount_type"))
            if self.is_bound
            else self.initial.get("discount_type", self.fields["discount_type"].initial)
        )
        labels = self.DISCOUNT_VALUE_LABELS
        field = self.fields["discount_value"]
        field.label = labels.get(chosen, labels[DiscountType.PERCENT])
        field.widget.attrs.update({f"data-label-{kind}": label for kind, label in labels.items()})

    # Field by field -----------------------------------------------------------------

    def clean_recipients_file(self):
        upload = self.cleaned_data.get("recipients_file")
        if upload:
            self.recipients = parse_recipients(upload)
        return upload

    def clean_custom_code(self):
        text = self.cleaned_data.get("custom_code", "")
        if self.data.get(self.add_prefix("code_type")) != self.TYPE_SINGLE:
            return ""
        if not codegen.normalize(text):
            raise ValidationError(_("Type the promo code."), code="required")
        code = codegen.validate_custom_code(text)
        if find_code(self.site, code) is not None:
            raise ValidationError(
                _("The promo code %(code)s already exists in this site."),
                code="taken",
                params={"code": code},
            )
        return code

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = self.site.today()
        if expires_on < today:
            raise ValidationError(
                _("The expiration date is in the past (today is %(today)s)."),
                code="past",
                params={"today": format_date(today)},
            )
        return expires_on

    # Across fields -------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        self._clean_recipients(data)
        self._clean_quantity(data)
        self._clean_usage(data)
        self._clean_discount(data)
        self._clean_applicability(data)
        return data

    def _clean_recipients(self, data):
        name, email = data.get("recipient_name", ""), data.get("recipient_email", "")
        if self.recipients and (name or email):
            self.add_error(
                "recipients_file",
                _("Give either one recipient or a file of recipients, not both."),
            )
        elif name and not email and "recipient_email" not in self.errors:
            self.add_error("recipient_email", _("Enter the recipient's email address."))
        elif email and not self.recipients:
            self.recipients = [(email, name or email.split("@")[0])]

    def _clean_quantity(self, data):
        if data.get("code_type") == self.TYPE_SINGLE:
            if len(self.recipients) > 1:
                self.add_error(
                    "recipients_file",
                    _(
                        "A single promo code goes to one recipient at most: choose system "
                        "generated codes to give each recipient their own."
                    ),
                )
            return
        if not self.recipients and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("How many codes should be generated?"))

    def _clean_usage(self, data):
        missing = data.get("usage") == self.USAGE_TIMES and not data.get("max_uses")
        if missing and "max_uses" not in self.errors:
            self.add_error("max_uses", _("Enter how many times the code may be used (1 or more)."))

    def _clean_discount(self, data):
        value = data.get("discount_value")
        if value is None:
            return
        if data.get("discount_type") == DiscountType.PERCENT:
            if not 1 <= value <= 100:
                self.add_error("discount_value", _("A percentage is from 1 to 100."))
        elif value <= 0 or value > MAX_FIXED_DISCOUNT:
            self.add_error(
                "discount_value", _("A fixed amount is more than 0 and at most 999,999.99.")
            )

    def _clean_applicability(self, data):
        service, applies_to = data.get("service"), data.get("applies_to")
        if applies_to == AppliesTo.KIND:
            kind = data.get("kind")
            if not kind:
                self.add_error("kind", _("Choose the kind of session."))
            elif service and kind not in KINDS_BY_SERVICE[Service(service)]:
                self.add_error(
                    "kind",
                    _("%(kind)s is not a kind of %(service)s session.")
                    % {
                        "kind": SessionKind(kind).label,
                        "service": Service(service).label,
                    },
                )
        elif applies_to == AppliesTo.SESSIONS:
            sessions = data.get("sessions") or []
            if not sessions and "sessions" not in self.errors:
                self.add_error("sessions", _("Choose at least one session."))
            elif service and any(s.service != service for s in sessions):
                self.add_error(
                    "sessions",
                    _("Choose only sessions of %(service)s.") % {"service": Service(service).label},
                )

    def creation_params(self) -> CreationParams:
        """What to create, read by ``promocodes.creation`` (call on a valid form)."""
        data = self.cleaned_data
        usage = data["usage"]
        max_uses = {self.USAGE_ONCE: 1, self.USAGE_UNLIMITED: None}.get(usage, data.get("max_uses"))
        single = data["code_type"] == self.TYPE_SINGLE
        return CreationParams(
            service=data["service"],
            discount_type=data["discount_type"],
            discount_value=data["discount_value"],
            expires_on=data["expires_on"],
            code_length=data.get("code_length") or codegen.DEFAULT_LENGTH,
            quantity=1 if single else (len(self.recipients) or data.get("quantity") or 1),
            custom_code=data.get("custom_code", "") if single else "",
            recipients=tuple(self.recipients),
            max_uses=max_uses,
            applies_to=data["applies_to"],
            kind=data.get("kind", ""),
            session_ids=tuple(s.pk for s in data.get("sessions") or ()),
            email_language=data.get("email_language") or self.site.language,
        )
