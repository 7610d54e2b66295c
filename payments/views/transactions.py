"""The Transactions report (admins and organizers; organizers read only), its CSV export,
the bulk deletion of test payments and refunds (site administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from sites import inputs, report_charts
from sites.money import format_money, format_number
from sites.report_actions import ReportActionMixin
from sites.scoping import SiteMemberMixin

from .. import dashboard, refunds, selectors, transactions
from ..forms.transactions import DeleteTestPaymentsForm, RefundForm, TransactionFilterForm
from ..held_reasons import describe as describe_held_reason
from ..models import Payment, PaymentMethod, PaymentStatus, Refund

STATUS_BADGES = {
    PaymentStatus.PAID: "success",
    PaymentStatus.PENDING: "warning",
    PaymentStatus.COLLECTING: "warning",
    PaymentStatus.AWAITING_PAYPAL: "warning",
    PaymentStatus.CREATED: "secondary",
    PaymentStatus.DECLINED: "danger",
    PaymentStatus.FAILED: "danger",
    PaymentStatus.CANCELLED: "secondary",
    PaymentStatus.REVERSED: "danger",
    PaymentStatus.ABANDONED: "secondary",
}


class TransactionsMixin(SiteMemberMixin):
    admin_only = False
    organizer_read_only = True

    def report_url(self, querystring: str = "") -> str:
        """The report, with its parameters when given."""
        url = reverse("transactions", args=[self.site.slug])
        return f"{url}?{querystring}" if querystring else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = "transactions"
        return context


class TransactionReportView(TransactionsMixin, TemplateView):
    """Shown at once (live payments by default): the dashboard's charts, the totals, then the
    payments, 50 a page, newest first; when nothing matches, why (and the link that shows
    the test payments that would). The charts are drawn inline up to
    ``REPORT_CHARTS_INLINE_MAX_ROWS`` payments, above it on request (``charts=1``)."""

    template_name = "payments/transactions/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = TransactionFilterForm(self.request.GET, site=self.site)
        context["form"] = form
        if not form.is_valid():
            return context
        filters = form.filters()
        payments = selectors.filtered_payments(self.site, filters)
        querystring = form.querystring()
        scope = form.cleaned_data["scope"]
        totals = selectors.report_totals(payments)
        # The totals count the filtered payments already: the pages and the charts' limit
        # need no count of their own.
        matching = sum(t.count for t in totals)
        page = selectors.report_page(payments, self.request.GET.get("page"), count=matching)
        if totals:
            if report_charts.charts_wanted(self.request.GET, matching):
                context["charts"] = dashboard.dashboard(self.site, filters, payments)
            else:
                context["charts_deferred"] = report_charts.deferred_charts(querystring)
        else:
            context["empty"] = dashboard.why_empty(self.site, filters)
            context["show_test_query"] = form.querystring(scope=selectors.Scope.TEST)
            context["show_all_query"] = form.querystring(only={"scope": selectors.Scope.ALL})
        context.update(
            page_obj=page,
            rows=_rows(page.object_list, self.site, querystring),
            totals=totals,
            querystring=querystring,
            page_querystring=f"{querystring}&" if querystring else "",
            shows_test=scope != selectors.Scope.LIVE,
            can_delete_test=self.is_site_admin and scope != selectors.Scope.LIVE,
        )
        return context


def _rows(payments, site, querystring: str) -> list[dict]:
    """The page's rows (``selectors.report_page``'s dicts) as ready-made strings: the template
    only prints them (fast at 50 rows).

    Labels are translated once per page, each amount formatted once in the reader's language,
    dates shown in the site's time zone; the refund link is reversed once and filled per row.
    """
    tz = site.tzinfo
    status_labels = {value: str(label) for value, label in PaymentStatus.choices}
    method_labels = {value: str(label) for value, label in PaymentMethod.choices}
    select_label = gettext("Select the test payment of %(who)s")
    refund_prefix, _zero, refund_suffix = reverse(
        "transaction-refund", args=[site.slug, 0]
    ).rpartition("/0/")
    back = "?" + urlencode({"back": querystring})
    amounts: dict[tuple, str] = {}

    def money(amount, currency: str) -> str:
        key = (amount, currency)
        if key not in amounts:
            amounts[key] = format_money(amount, currency)
        return amounts[key]

    rows = []
    for p in payments:
        status, currency = p["status"], p["currency"]
        refundable = status == PaymentStatus.PAID and p["amount"] > p["refunded_amount"]
        rows.append(
            {
                "pk": p["id"],
                "is_test": p["is_test"],
                "select_label": select_label % {"who": p["attendee_email"]},
                "created": formats.date_format(
                    timezone.localtime(p["created_at"], tz), "SHORT_DATETIME_FORMAT"
                ),
                "status": status,
                "status_label": status_labels.get(status, status),
                "badge": STATUS_BADGES.get(status, "secondary"),
                "reversed": money(p["reversed_amount"], currency)
                if status == PaymentStatus.REVERSED
                else "",
                "held": describe_held_reason(p["held_reason"])
                if p["held_reason"] and status == PaymentStatus.AWAITING_PAYPAL
                else "",
                "name": p["attendee_name"],
                "email": p["attendee_email"],
                "session": p["session_title"],
                "amount": money(p["amount"], currency),
                "discount": money(p["discount"], currency),
                "refunded": money(p["refunded_amount"], currency),
                "currency": currency,
                "method": method_labels.get(p["method"], p["method"]),
                "card": f"{p['card_brand']} •••• {p['card_last4']}"
                if p["card_last4"]
                else p["card_brand"] or "—",
                "reference": p["gateway_reference"] or "—",
                "refund_url": f"{refund_prefix}/{p['id']}/{refund_suffix}{back}"
                if refundable
                else "",
            }
        )
    return rows


class TransactionCsvView(TransactionsMixin, View):
    """*Export CSV* of the whole filtered report, streamed."""

    def get(self, request, *args, **kwargs):
        form = TransactionFilterForm(request.GET, site=self.site)
        if not form.is_valid():
            return redirect(self.report_url(request.GET.urlencode()))
        payments = selectors.filtered_payments(self.site, form.filters())
        return transactions.csv_download(self.site, payments)


class DeleteTestPaymentsView(TransactionsMixin, ReportActionMixin, View):
    """Delete test payments in bulk: the selected ones, or every one matching the report."""

    admin_only = True

    def filter_form(self, data) -> TransactionFilterForm:
        return TransactionFilterForm(data, site=self.site)

    def action_form(self, data) -> DeleteTestPaymentsForm:
        return DeleteTestPaymentsForm(data)

    def perform(self, filters: TransactionFilterForm, action: DeleteTestPaymentsForm) -> None:
        request = self.request
        payments = selectors.filtered_payments(self.site, filters.filters())
        if action.cleaned_data["scope"] == DeleteTestPaymentsForm.SCOPE_SELECTED:
            payments = Payment.objects.for_site(self.site).filter(pk__in=action.cleaned_data["ids"])
        result = transactions.delete_test_payments(self.site, payments, request.user)
        messages.success(
            request,
            ngettext("%(n)s test payment deleted.", "%(n)s test payments deleted.", result.deleted)
            % {"n": format_number(result.deleted)},
        )
        if result.kept_in_progress:
            messages.info(
                request,
                ngettext(
                    "%(n)s test payment still in progress was kept.",
                    "%(n)s test payments still in progress were kept.",
                    result.kept_in_progress,
                )
                % {"n": format_number(result.kept_in_progress)},
            )


class RefundView(TransactionsMixin, TemplateView):
    """One payment: its refunds so far, and the refund form (full or partial)."""

    admin_only = True
    template_name = "payments/transactions/refund.html"

    def get_payment(self) -> Payment:
        return get_object_or_404(
            Payment.objects.for_site(self.site).select_related("session"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, payment=None, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = payment or self.get_payment()
        available = selectors.available_to_refund(payment)
        context.update(
            payment=payment,
            available=available,
            waiting=selectors.pending_refunds_total(payment),
            refunds=list(payment.refunds.select_related("created_by").order_by("-created_at")),
            form=form or RefundForm(available=available, currency=payment.currency),
            back=self.report_url(self.request.GET.get("back", "")[:2000]),
        )
        return context

    def post(self, request, *args, **kwargs):
        payment = self.get_payment()
        back_qs = request.POST.get("back", "")[:2000]
        here = reverse("transaction-refund", args=[self.site.slug, payment.pk])
        if back_qs:
            here += "?" + urlencode({"back": back_qs})
        if request.POST.get("retry"):
            refund = get_object_or_404(
                Refund.objects.filter(payment=payment), pk=inputs.parse_id(request.POST["retry"])
            )
            refund = refunds.retry_refund(refund, request.user)
            self._report(refund)
            return redirect(here)
        form = RefundForm(
            request.POST,
            available=selectors.available_to_refund(payment),
            currency=payment.currency,
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(payment=payment, form=form))
        try:
            refund = refunds.refund_payment(payment, form.cleaned_data["amount"], request.user)
        except refunds.RefundRefused as refused:
            form.add_error("amount", refused.message)
            return self.render_to_response(self.get_context_data(payment=payment, form=form))
        self._report(refund)
        return redirect(here)

    def _report(self, refund: Refund) -> None:
        values = {"amount": format_money(refund.amount, refund.payment.currency)}
        if refund.status == refunds.REFUND_DONE:
            messages.success(self.request, _("%(amount)s refunded.") % values)
        elif refund.status == PaymentStatus.PENDING:
            messages.warning(
                self.request,
                _(
                    "PayPal did not answer: the refund of %(amount)s is pending. "
                    "Retry it below; it will not be refunded twice."
                )
                % values,
            )
        else:
            messages.error(
                self.request,
                _("PayPal refused the refund: %(message)s")
                % {"message": refund.result_message or refund.result_code},
            )
