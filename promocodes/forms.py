"""Forms of the promotional codes pages: Create, the report's parameters, its actions."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sites.models import KINDS_BY_SERVICE, Service, Session, SessionKind, Site

from . import codegen
from .models import MAX_FIXED_DISCOUNT, AppliesTo, DiscountType, PromoCode, Status
from .services import site_today

MAX_RECIPIENT_LINES = 1000
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_QUANTITY = 100_000
MAX_REPORTED_LINE_ERRORS = 20


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=settings.DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        **kwargs,
    )


def parse_recipients(upload) -> list[tuple[str, str]]:
    """``[(email, name), …]`` from a ``.txt``/``.csv`` file of ``email[,name]`` lines.

    All or nothing: any bad line raises one ValidationError naming every bad line (up to
    twenty). Blank lines are ignored; a first line ``email[,name]`` is taken as a header;
    without a name, the part of the address before ``@`` is used.
    """
    name = (upload.name or "").lower()
    if not name.endswith((".txt", ".csv")):
        raise ValidationError(_("Upload a .txt or .csv file."), code="extension")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 1 MB."), code="size")
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text."), code="encoding") from exc
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if numbered and numbered[0][1].strip().lower().replace(" ", "") in ("email", "email,name"):
        numbered = numbered[1:]
    if not numbered:
        raise ValidationError(_("The file holds no recipient."), code="empty")
    if len(numbered) > MAX_RECIPIENT_LINES:
        raise ValidationError(
            _("The file has %(count)d recipients; at most %(max)d are allowed."),
            code="too_many",
            params={"count": len(numbered), "max": MAX_RECIPIENT_LINES},
        )
    recipients, errors = [], []
    for number, line in numbered:
        try:
            fields = next(csv.reader(io.StringIO(line)))
        except csv.Error:
            fields = None
        fields = [f.strip() for f in fields or []]
        if not fields or len(fields) > 2 or not fields[0]:
            errors.append(
                _("Line %(line)d: expected email[,name].") % {"line": number},
            )
            continue
        email = fields[0]
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Line %(line)d: “%(email)s” is not a valid email address.")
                % {"line": number, "email": email[:80]}
            )
            continue
        recipient_name = fields[1] if len(fields) == 2 and fields[1] else email.split("@")[0]
        if len(recipient_name) > 200:
            errors.append(_("Line %(line)d: the name is too long.") % {"line": number})
            continue
        recipients.append((email, recipient_name))
    if errors:
        shown = [ValidationError(str(e), code="line") for e in errors[:MAX_REPORTED_LINE_ERRORS]]
        if len(errors) > MAX_REPORTED_LINE_ERRORS:
            more = len(errors) - MAX_REPORTED_LINE_ERRORS
            shown.append(
                ValidationError(
                    ngettext("…and %(n)d more bad line.", "…and %(n)d more bad lines.", more)
                    % {"n": more},
                    code="line",
                )
            )
        shown.append(ValidationError(_("Nothing was created."), code="nothing"))
        raise ValidationError(shown)
    return recipients


class SessionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        return f"{obj.title} ({obj.get_kind_display()})"


class SessionCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that carry their session's service, so the page can hide the others."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-service"] = instance.service
        return option


class CreatePromoCodesForm(forms.Form):
    """Every field of the Webex *Create promo codes* page (SPEC §5)."""

    USAGE_ONCE, USAGE_TIMES, USAGE_UNLIMITED = "once", "times", "unlimited"
    TYPE_GENERATED, TYPE_SINGLE = "generated", "single"

    service = forms.ChoiceField(
        label=_("Promo codes for"), choices=Service.choices, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(label=_("Recipient name"), max_length=200, required=False)
    recipient_email = forms.EmailField(label=_("Email address"), required=False)
    recipients_file = forms.FileField(
        label=_("Or upload a list of recipients"),
        required=False,
        help_text=_(
            "A .txt or .csv file, one recipient per line: email[,name]. At most 1000 lines. "
            "Each recipient gets their own code by email."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,text/plain,text/csv"}),
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
        label=_("Discount"), max_digits=8, decimal_places=2, min_value=Decimal("0.01")
    )
    expires_on = _date_field(_("Expiration date"), help_text=_("dd/mm/yyyy"))
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
        self.recipients: list[tuple[str, str]] = []
        self.fields["sessions"].queryset = Session.objects.for_site(site).order_by(
            "service", "title"
        )
        self.fields["discount_value"].help_text = _(
            "Fixed amount in %(currency)s (up to 999,999.99), or a percentage from 1 to 100."
        ) % {"currency": site.currency}

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
        taken = (
            PromoCode.objects.for_site(self.site)
            .alias(code_upper=Upper("code"))
            .filter(code_upper=code.upper())
            .exists()
        )
        if taken:
            raise ValidationError(
                _("The promo code %(code)s already exists in this site."),
                code="taken",
                params={"code": code},
            )
        return code

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < site_today(self.site):
            raise ValidationError(
                _("The expiration date is in the past (today is %(today)s)."),
                code="past",
                params={"today": site_today(self.site).strftime("%d/%m/%Y")},
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

    def creation_params(self) -> dict:
        """The parameters of ``services.start_creation`` (JSON-serializable)."""
        data = self.cleaned_data
        usage = data["usage"]
        max_uses = {self.USAGE_ONCE: 1, self.USAGE_UNLIMITED: None}.get(usage, data.get("max_uses"))
        applies_to = data["applies_to"]
        single = data["code_type"] == self.TYPE_SINGLE
        return {
            "service": data["service"],
            "code_length": data.get("code_length") or codegen.DEFAULT_LENGTH,
            "quantity": 1 if single else (len(self.recipients) or data.get("quantity") or 1),
            "custom_code": data.get("custom_code", "") if single else "",
            "recipients": [list(r) for r in self.recipients],
            "max_uses": max_uses,
            "discount_type": data["discount_type"],
            "discount_value": str(data["discount_value"]),
            "expires_on": data["expires_on"].isoformat(),
            "applies_to": applies_to,
            "kind": data.get("kind", "") if applies_to == AppliesTo.KIND else "",
            "session_ids": (
                [s.pk for s in data.get("sessions") or []]
                if applies_to == AppliesTo.SESSIONS
                else []
            ),
        }


class ReportFilterForm(forms.Form):
    """The report's parameters (GET): *Show report*."""

    service = forms.ChoiceField(label=_("Promo codes for"), choices=Service.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    created_from = _date_field(_("Created from"), required=False)
    created_to = _date_field(_("Created until"), required=False)
    expires_from = _date_field(_("Expiring from"), required=False)
    expires_to = _date_field(_("Expiring until"), required=False)
    q = forms.CharField(label=_("Code or recipient contains"), max_length=100, required=False)
    batch = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain Bootstrap markup (rendered by promocodes/_field.html, lighter than crispy).
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        for start, end in (("created_from", "created_to"), ("expires_from", "expires_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("This date is before the start date."))
        return data


class ReportActionForm(forms.Form):
    """A bulk action on the selected codes, or on every code matching the parameters."""

    ACTION_EXTEND, ACTION_DELETE = "extend", "delete"
    SCOPE_SELECTED, SCOPE_ALL = "selected", "all"

    action = forms.ChoiceField(
        choices=[
            (ACTION_EXTEND, _("Extend expiration date")),
            (ACTION_DELETE, _("Delete promotional codes")),
        ]
    )
    scope = forms.ChoiceField(
        choices=[(SCOPE_SELECTED, _("Selected codes")), (SCOPE_ALL, _("All matching codes"))],
        initial=SCOPE_SELECTED,
        required=False,
    )
    ids = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    until = _date_field(_("Extend until (dd/mm/yyyy)"), required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_ids(self):
        # Any integers: the codes are looked up within the site and the report's filters.
        raw = self.cleaned_data.get("ids") or []
        if isinstance(raw, str):
            raw = [raw]
        ids = []
        for value in raw[:1000]:
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                continue
        return ids

    def clean(self):
        data = super().clean()
        scope = data.get("scope") or self.SCOPE_SELECTED
        data["scope"] = scope
        if scope == self.SCOPE_SELECTED and not data.get("ids"):
            raise ValidationError(_("Select at least one promo code."), code="nothing")
        if data.get("action") == self.ACTION_EXTEND:
            until: date | None = data.get("until")
            if until is None:
                if "until" not in self.errors:
                    self.add_error("until", _("Enter the new expiration date (dd/mm/yyyy)."))
            elif until < site_today(self.site):
                self.add_error("until", _("The new expiration date is in the past."))
        return data
