"""Forms of the Transactions report: its parameters, the bulk deletion of test payments, and
a refund."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from sites.dates import DayField
from sites.inputs import IdListField, TextInputsForm
from sites.models import Session, Site
from sites.money import format_money
from sites.plain_fields import PlainFieldsForm

from ..models import PaymentStatus
from ..selectors import Scope, TransactionFilters


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        return f"{obj.title} ({obj.get_kind_display()})"


class TransactionFilterForm(PlainFieldsForm, TextInputsForm, forms.Form):
    """The report's parameters (GET). Dates are the site's local days; live payments only
    unless test payments are asked for."""

    date_from = DayField(label=_("From (dd/mm/yyyy)"), required=False)
    date_to = DayField(label=_("To (dd/mm/yyyy)"), required=False)
    session = SessionChoiceField(
        label=_("Session"), queryset=Session.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *PaymentStatus.choices], required=False
    )
    scope = forms.ChoiceField(
        label=_("Payments"),
        choices=[
            (Scope.LIVE, _("Live payments")),
            (Scope.TEST, _("Test payments")),
            (Scope.ALL, _("Live and test payments")),
        ],
        required=False,
    )

    FIELDS = ("date_from", "date_to", "session", "status", "scope")

    def __init__(self, data, *, site: Site):
        data = data.copy()
        if not data.get("scope"):
            data["scope"] = Scope.LIVE
        super().__init__(data)
        self.fields["session"].queryset = Session.objects.for_site(site).order_by("title", "pk")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> TransactionFilters:
        data = self.cleaned_data
        session = data.get("session")
        return TransactionFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            session_id=session.pk if session else None,
            status=data.get("status") or "",
            scope=data.get("scope") or Scope.LIVE,
        )

    def querystring(self, only: dict | None = None, **changed: str) -> str:
        """The parameters as submitted, for links, the CSV and the bulk action; ``changed``
        replaces some of them (e.g. ``scope="test"``); ``only`` keeps nothing else."""
        values = (
            dict(only)
            if only is not None
            else {**{k: self.data.get(k) for k in self.FIELDS}, **changed}
        )
        return urlencode([(k, values[k]) for k in self.FIELDS if values.get(k)])


class DeleteTestPaymentsForm(TextInputsForm, forms.Form):
    SCOPE_SELECTED, SCOPE_MATCHING = "selected", "matching"

    scope = forms.ChoiceField(
        choices=[
            (SCOPE_SELECTED, _("The test payments selected below")),
            (SCOPE_MATCHING, _("Every test payment matching the parameters")),
        ]
    )
    # Any ids: the service only ever deletes this site's test rows.
    ids = IdListField()

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.SCOPE_SELECTED and not data.get("ids"):
            raise forms.ValidationError(_("Select at least one test payment."), code="none")
        return data


class RefundForm(TextInputsForm, forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, available: Decimal, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.available = available
        self.fields["amount"].help_text = _(
            "Leave empty to refund everything left: %(amount)s."
        ) % {"amount": format_money(available, currency)}
        self.currency = currency

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if self.available <= 0:
            raise forms.ValidationError(_("Nothing is left to refund on this payment."))
        if amount is not None and amount > self.available:
            raise forms.ValidationError(
                _("At most %(amount)s can be refunded."),
                params={"amount": format_money(self.available, self.currency)},
                code="too_much",
            )
        return amount
