"""Transactions: the report (same filters, with its totals), one payment with its refunds,
the CSV export, and the refund — idempotent per ``Idempotency-Key`` — through the console's
``RefundForm`` and ``refunds.refund_payment``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from payments import refunds, selectors, transactions
from payments.forms.transactions import RefundForm, TransactionFilterForm
from payments.models import Payment, PaymentStatus

from .. import schema
from ..errors import BadRequest, Conflict, Unprocessable, form_errors
from ..idempotency import idempotent
from ..serializers import (
    PaymentDetailSerializer,
    PaymentSerializer,
    RefundRequestSerializer,
    RefundSerializer,
    TotalsSerializer,
    TransactionFilterSerializer,
)
from .base import CsvNegotiation, Pages, SiteAPIView


def _filtered(view) -> object:
    values = view.query(TransactionFilterSerializer)
    data = {name: value for name, value in values.items()}
    for name in ("date_from", "date_to"):
        if data.get(name):
            data[name] = data[name].isoformat()
    form = TransactionFilterForm(data, site=view.site)
    if not form.is_valid():
        raise BadRequest(form_errors(form))
    return selectors.filtered_payments(view.site, form.filters())


def _filter_parameters() -> list[OpenApiParameter]:
    date = {"description": "A day of the site's time zone, YYYY-MM-DD (both ends included)."}
    return [
        OpenApiParameter("date_from", OpenApiTypes.DATE, **date),
        OpenApiParameter("date_to", OpenApiTypes.DATE, **date),
        OpenApiParameter("session", int, description="A session id of this site."),
        OpenApiParameter("status", str, enum=list(PaymentStatus.values)),
        OpenApiParameter(
            "scope", str, enum=["live", "test", "all"], description="Default: live payments."
        ),
    ]


class TransactionListView(SiteAPIView):
    @extend_schema(
        operation_id="transactions_list",
        parameters=[*_filter_parameters(), OpenApiParameter("cursor", str)],
        responses=schema.responses(
            {
                200: schema.page_of(
                    "TransactionPage", PaymentSerializer, totals=TotalsSerializer(many=True)
                )
            },
            400,
        ),
    )
    def get(self, request, site_slug):
        payments = _filtered(self)
        pages = Pages()
        rows = pages.paginate_queryset(
            payments.select_related("session", "promo_code"), request, self
        )
        return Response(
            {
                "results": PaymentSerializer(rows, many=True).data,
                "next": pages.get_next_link(),
                "previous": pages.get_previous_link(),
                "totals": TotalsSerializer(selectors.report_totals(payments), many=True).data,
            }
        )


class TransactionCsvView(SiteAPIView):
    content_negotiation_class = CsvNegotiation

    @extend_schema(
        operation_id="transactions_export",
        parameters=_filter_parameters(),
        responses=schema.responses({(200, "text/csv"): schema.CSV_RESPONSE}, 400),
    )
    def get(self, request, site_slug):
        payments = _filtered(self)
        return transactions.csv_download(self.site, payments)


class PaymentMixin:
    def get_payment(self, pk) -> Payment:
        return get_object_or_404(
            Payment.objects.for_site(self.site).select_related("session", "promo_code"), pk=pk
        )


class TransactionDetailView(PaymentMixin, SiteAPIView):
    @extend_schema(
        operation_id="transactions_retrieve",
        responses=schema.responses({200: PaymentDetailSerializer}),
    )
    def get(self, request, site_slug, pk):
        payment = self.get_payment(pk)
        payment.refundable = selectors.available_to_refund(payment)
        return Response(PaymentDetailSerializer(payment).data)


class RefundView(PaymentMixin, SiteAPIView):
    @extend_schema(
        operation_id="transactions_refund",
        parameters=[schema.IDEMPOTENCY_KEY],
        request=RefundRequestSerializer,
        responses=schema.responses({201: RefundSerializer, 202: RefundSerializer}, 400, 409, 422),
    )
    def post(self, request, site_slug, pk):
        payment = self.get_payment(pk)
        return idempotent(request, lambda: self.refund(payment))

    def refund(self, payment: Payment) -> Response:
        body = self.body(RefundRequestSerializer)
        amount = body.get("amount")
        form = RefundForm(
            {"amount": "" if amount is None else str(amount)},
            available=selectors.available_to_refund(payment),
            currency=payment.currency,
        )
        if not form.is_valid():
            raise Unprocessable(form_errors(form))
        try:
            refund = refunds.refund_payment(payment, form.cleaned_data["amount"], self.request.user)
        except refunds.RefundRefused as refused:
            raise Conflict(refused.message, "refund_refused") from refused
        pending = refund.status == PaymentStatus.PENDING
        return Response(
            RefundSerializer(refund).data,
            status=status.HTTP_202_ACCEPTED if pending else status.HTTP_201_CREATED,
        )
