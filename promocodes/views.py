"""Console pages: Create, the creation progress, the Promotional Codes Report and its actions.

Every view is site-scoped by ``SiteServiceMixin``; the service comes from the URL. This app
does not import ``payments`` (which builds on it): its pages share the E-Commerce tabs through
the registry of ``sites.navigation`` (``ECOMMERCE``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from sites import report_charts
from sites.date_display import format_date
from sites.models import SessionKind, kinds_json
from sites.money import format_number
from sites.report_actions import ReportActionMixin
from sites.scoping import SiteServiceMixin

from . import bulk, creation, csv_export, insights, selectors, tasks
from .formatting import format_discount
from .forms import CreatePromoCodesForm
from .models import AppliesTo, CreationBatch, PromoCode, Status
from .report_forms import ReportActionForm, ReportFilterForm


class PromoCodesMixin(SiteServiceMixin):
    """Site scoping plus the service of the URL (``events`` or ``training``)."""


class CreateView(PromoCodesMixin, FormView):
    """*Create* promotional codes; every press becomes a batch with a progress page."""

    template_name = "promocodes/create.html"
    form_class = CreatePromoCodesForm
    section = "promocodes"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["site"] = self.site
        return kwargs

    def get_initial(self):
        return {"service": self.service.value}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds_json"] = kinds_json()
        return context

    def form_valid(self, form):
        try:
            batch = tasks.start_creation(self.site, self.request.user, form.creation_params())
        except creation.CodeAlreadyExists:
            form.add_error("custom_code", _("This promo code already exists in this site."))
            return self.form_invalid(form)
        except creation.CodeSpaceExhausted:
            form.add_error(
                "code_length", _("Not enough unused codes of this length: choose a longer one.")
            )
            return self.form_invalid(form)
        except tasks.QueueUnavailable:
            form.add_error(None, tasks.QueueUnavailable.message)
            return self.form_invalid(form)
        return redirect("promocode-batch", self.site.slug, self.service.value, batch.pk)


class BatchMixin(PromoCodesMixin):
    def get_batch(self) -> CreationBatch:
        return get_object_or_404(CreationBatch.objects.for_site(self.site), pk=self.kwargs["pk"])


def _batch_progress(batch: CreationBatch) -> dict:
    return {
        "state": batch.state,
        "state_label": str(batch.get_state_display()),
        "total": batch.total,
        "done": batch.done,
        "percent": batch.percent,
        "finished": batch.finished,
        "resumed": batch.resumed,
        # Errors are stored as English msgids and shown in the reader's language.
        "error": gettext(batch.error) if batch.error else "",
        "code": selectors.single_code_of(batch),
    }


class BatchView(BatchMixin, TemplateView):
    """Progress of a creation: a progress bar polled by JavaScript, or refreshed without it."""

    template_name = "promocodes/batch.html"
    section = "promocodes"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.get_batch()
        context["batch"] = batch
        context["single_code"] = selectors.single_code_of(batch)
        context["report_url"] = (
            reverse("promocode-report", args=[self.site.slug, batch.service])
            + "?"
            + urlencode({"service": batch.service, "batch": batch.pk})
        )
        return context


class BatchRetryView(BatchMixin, View):
    """*Retry* a failed creation (site administrators): it carries on from its last chunk."""

    admin_only = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        try:
            retried = tasks.retry_creation(batch, request.user)
        except tasks.QueueUnavailable:
            messages.error(
                request,
                _(
                    "Background work is unavailable right now: the creation was not queued "
                    "again. Try again in a few minutes."
                ),
            )
            return redirect("promocode-batch", self.site.slug, batch.service, batch.pk)
        if retried:
            messages.success(request, _("The creation was queued again."))
        else:
            messages.info(request, _("Only a failed creation can be retried."))
        return redirect("promocode-batch", self.site.slug, batch.service, batch.pk)


class BatchProgressView(BatchMixin, View):
    """JSON for the progress bar."""

    def get(self, request, *args, **kwargs):
        response = JsonResponse(_batch_progress(self.get_batch()))
        response["Cache-Control"] = "no-store"
        return response


class ReportMixin(PromoCodesMixin):
    admin_only = False
    organizer_read_only = True

    def report_url(self, querystring: str = "") -> str:
        """The report of this service, with its parameters when given."""
        url = reverse("promocode-report", args=[self.site.slug, self.service.value])
        return f"{url}?{querystring}" if querystring else url

    def filter_form(self, data) -> ReportFilterForm:
        data = data.copy()
        if not data.get("service"):
            data["service"] = self.service.value
        return ReportFilterForm(data)


class ReportView(ReportMixin, TemplateView):
    """The Promotional Codes Report: parameters → *Show report*; the insights' charts over
    the filtered codes (inline up to ``REPORT_CHARTS_INLINE_MAX_ROWS`` codes, above it on
    request: ``charts=1``), then keyset pages of 50."""

    template_name = "promocodes/report.html"
    section = "promocodes_report"

    def get(self, request, *args, **kwargs):
        form = self.filter_form(request.GET)
        if form.is_valid() and form.cleaned_data["service"] != self.service:
            # The service is part of the URL (navigation, breadcrumb): follow the choice.
            url = reverse("promocode-report", args=[self.site.slug, form.cleaned_data["service"]])
            return HttpResponseRedirect(url + "?" + request.GET.urlencode())
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form
        if not form.is_valid():
            return context
        codes = selectors.filtered_codes(self.site, form.filters())
        page = selectors.report_page(
            codes, after=self.request.GET.get("after"), before=self.request.GET.get("before")
        )
        if not page.has_other_pages:
            # Everything fits on this first page: its rows are the count and the insights'
            # codes (no second search, which matters for searches that the trigram index
            # answers slowly).
            count, more = len(page.rows), False
            codes = selectors.codes_by_id(self.site, [code.pk for code in page.rows])
        else:
            # One bounded count serves both the count shown and the charts' limit.
            count, more = selectors.bounded_count(
                codes, limit=max(selectors.COUNT_LIMIT, report_charts.inline_max_rows())
            )
        querystring = form.querystring()
        if report_charts.charts_wanted(self.request.GET, count, more):
            context["insights"] = insights.insights(self.site, codes)
        else:
            context["charts_deferred"] = report_charts.deferred_charts(querystring)
        context.update(
            page=page,
            rows=_rows(page.rows, self.site),
            count=count,
            count_more=more,
            querystring=querystring,
            today=self.site.today(),
        )
        return context


STATUS_BADGES = {
    Status.ACTIVE: "success",
    Status.USED_UP: "secondary",
    Status.EXPIRED: "warning",
    Status.DELETED: "danger",
}


def _rows(codes: list[PromoCode], site) -> list[dict]:
    """The page's rows as ready-made strings: the template only prints them (fast at 50 rows).

    Labels are translated once per page, dates shown in the site's time zone; a date or a
    discount is formatted once per page however many codes share it (most of a page does).
    """
    tz = site.tzinfo
    days: dict = {}
    discounts: dict = {}

    def day(value) -> str:
        if value not in days:
            days[value] = format_date(value)
        return days[value]

    def discount(code: PromoCode) -> str:
        key = (code.discount_type, code.discount_value)
        if key not in discounts:
            discounts[key] = format_discount(*key, site.currency)
        return discounts[key]

    status_labels = {value: str(label) for value, label in Status.choices}
    kind_labels = {value: str(label) for value, label in SessionKind.choices}
    all_label = str(_("All"))
    unlimited = str(_("unlimited"))
    select_label = str(_("Select %(code)s"))
    rows = []
    for code in codes:
        if code.applies_to == AppliesTo.KIND:
            applicable = kind_labels.get(code.kind, code.kind)
        elif code.applies_to == AppliesTo.SESSIONS:
            applicable = ", ".join(s.title for s in code.sessions.all())
        else:
            applicable = all_label
        allowed = unlimited if code.max_uses is None else format_number(code.max_uses)
        rows.append(
            {
                "code": code,
                "pk": str(code.pk),
                "text": code.code,
                "select_label": select_label % {"code": code.code},
                "name": code.recipient_name,
                "email": code.recipient_email,
                "discount": discount(code),
                "applicable": applicable,
                "uses": f"{format_number(code.uses)} / {allowed}",
                "created": day(code.created_at.astimezone(tz).date()),
                "expires": day(code.expires_on),
                "status": status_labels.get(code.status, code.status),
                "badge": STATUS_BADGES.get(code.status, "secondary"),
            }
        )
    return rows


class ReportActionView(ReportMixin, ReportActionMixin, View):
    """*Extend expiration date* and *Delete promotional codes* (site administrators)."""

    admin_only = True

    def action_form(self, data) -> ReportActionForm:
        return ReportActionForm(data, site=self.site)

    def perform(self, filters: ReportFilterForm, action: ReportActionForm) -> None:
        request = self.request
        codes = selectors.filtered_codes(self.site, filters.filters())
        if action.cleaned_data["scope"] == ReportActionForm.SCOPE_SELECTED:
            codes = codes.filter(pk__in=action.cleaned_data["ids"])
        if action.cleaned_data["action"] == ReportActionForm.ACTION_EXTEND:
            until = action.cleaned_data["until"]
            result = bulk.extend_expiry(self.site, codes, until, request.user)
            messages.success(
                request,
                ngettext(
                    "%(n)s promotional code extended until %(until)s.",
                    "%(n)s promotional codes extended until %(until)s.",
                    result.extended,
                )
                % {"n": format_number(result.extended), "until": format_date(until)},
            )
            if result.reactivated:
                messages.info(
                    request,
                    ngettext(
                        "%(n)s expired code is active again.",
                        "%(n)s expired codes are active again.",
                        result.reactivated,
                    )
                    % {"n": format_number(result.reactivated)},
                )
            if result.skipped_deleted:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s deleted code was skipped: a deleted code cannot be extended.",
                        "%(n)s deleted codes were skipped: a deleted code cannot be extended.",
                        result.skipped_deleted,
                    )
                    % {"n": format_number(result.skipped_deleted)},
                )
        else:
            deleted = bulk.soft_delete(self.site, codes, request.user)
            messages.success(
                request,
                ngettext(
                    "%(n)s promotional code deleted.",
                    "%(n)s promotional codes deleted.",
                    deleted,
                )
                % {"n": format_number(deleted)},
            )


class ReportCsvView(ReportMixin, View):
    """*Export CSV* of the whole filtered report, streamed."""

    def get(self, request, *args, **kwargs):
        form = self.filter_form(request.GET)
        if not form.is_valid():
            return redirect(self.report_url(request.GET.urlencode()))
        codes = selectors.filtered_codes(self.site, form.filters())
        return csv_export.csv_download(self.site, codes, form.cleaned_data["service"])
