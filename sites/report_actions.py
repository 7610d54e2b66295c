"""The POST of a report's bulk action (delete test payments, extend or delete promo codes).

The report page posts the action form with the report's parameters in a hidden ``filters``
field (a query string, at most 4,000 characters read). ``ReportActionMixin.post`` reads them
back, answers bad input with messages (never a 500), runs the action and returns to the report
with its parameters. A view gives:

* ``filter_form(data)``: the report's parameters form; it has ``querystring()``;
* ``report_url(querystring="")``: the report's URL;
* ``action_form(data)``: the action's own form;
* ``perform(filters, action)``: runs the valid action and adds its messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _

MAX_FILTERS_LENGTH = 4000


def report_parameters(querystring: str) -> QueryDict:
    """The report's parameters sent back by a form, at most ``MAX_FILTERS_LENGTH`` long."""
    return QueryDict(querystring[:MAX_FILTERS_LENGTH])


class ReportActionMixin:
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponseRedirect:
        filters = self.filter_form(report_parameters(request.POST.get("filters", "")))
        if not filters.is_valid():
            messages.error(request, _("The report parameters are not valid."))
            return redirect(self.report_url())
        back = self.report_url(filters.querystring())
        action = self.action_form(request.POST)
        if not action.is_valid():
            for errors in action.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        self.perform(filters, action)
        return redirect(back)
