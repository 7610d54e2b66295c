"""Forms of the Promotional Codes Report: its parameters (GET) and its bulk actions."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from sites.dates import DayField
from sites.inputs import IdField, IdListField, TextInputsForm
from sites.models import Service, Site
from sites.plain_fields import PlainFieldsForm

from .models import Status
from .selectors import ReportFilters


class ReportFilterForm(PlainFieldsForm, TextInputsForm, forms.Form):
    """The report's parameters (GET): *Show report*."""

    service = forms.ChoiceField(label=_("Promo codes for"), choices=Service.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    created_from = DayField(label=_("Created from"), required=False)
    created_to = DayField(label=_("Created until"), required=False)
    expires_from = DayField(label=_("Expiring from"), required=False)
    expires_to = DayField(label=_("Expiring until"), required=False)
    q = forms.CharField(label=_("Code or recipient contains"), max_length=100, required=False)
    batch = IdField(widget=forms.HiddenInput, required=False)

    FIELDS = (
        "service",
        "status",
        "created_from",
        "created_to",
        "expires_from",
        "expires_to",
        "q",
        "batch",
    )

    def clean(self):
        data = super().clean()
        for start, end in (("created_from", "created_to"), ("expires_from", "expires_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("This date is before the start date."))
        return data

    def filters(self) -> ReportFilters:
        """The valid parameters as the report's selector reads them."""
        data = self.cleaned_data
        return ReportFilters(
            service=data["service"],
            status=data.get("status") or "",
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            expires_from=data.get("expires_from"),
            expires_to=data.get("expires_to"),
            contains=data.get("q") or "",
            batch=data.get("batch"),
        )

    def querystring(self) -> str:
        """The parameters as submitted, for links, the CSV and the bulk actions."""
        return urlencode([(k, self.data[k]) for k in self.FIELDS if self.data.get(k)])


class ReportActionForm(TextInputsForm, forms.Form):
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
    ids = IdListField()  # any ids: looked up within the site and the report's filters
    until = DayField(label=_("Extend until (dd/mm/yyyy)"), required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

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
            elif until < self.site.today():
                self.add_error("until", _("The new expiration date is in the past."))
        return data
