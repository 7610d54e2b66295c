"""Promotional codes and their creation batches, through the console's own forms and services.

* ``GET promo-codes/``: the report (same filters, keyset pages of 50 via ``after``/``before``);
* ``POST promo-codes/``: *Create* — 201 with the finished batch, or 202 with a batch still
  being created by the worker (``Location`` and ``progress_url`` give its progress);
* ``GET promo-codes/<id>/``; ``POST promo-codes/extend/`` and ``promo-codes/delete/`` on
  ``ids``, a ``filter``, or both, in one request; ``GET promo-codes/export.csv``;
* ``GET promo-code-batches/`` and ``promo-code-batches/<id>/``: state and progress.
"""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.response import Response

from promocodes import bulk, codegen, creation, csv_export, selectors, tasks
from promocodes.forms import CreatePromoCodesForm
from promocodes.models import CreationBatch, PromoCode
from promocodes.report_forms import ReportActionForm, ReportFilterForm
from sites import inputs

from .. import schema
from ..errors import BadRequest, Conflict, Unavailable, Unprocessable, form_errors
from ..serializers import (
    BatchSerializer,
    DeleteResultSerializer,
    ExtendResultSerializer,
    ExtendSerializer,
    PromoCodeCreateSerializer,
    PromoCodeSerializer,
    ReportFilterSerializer,
    SelectionSerializer,
)
from .base import CsvNegotiation, Pages, SiteAPIView

# The console form's field → the API's field, for error messages.
CREATE_FIELDS = {
    "custom_code": "code",
    "code_type": "code",
    "recipients_file": "recipients",
    "recipient_email": "recipients",
    "recipient_name": "recipients",
    "usage": "max_uses",
    "sessions": "session_ids",
}
FILTER_FIELDS = {"q": "contains"}


def _renamed(errors: dict, names: dict, prefix: str = "") -> dict[str, list[str]]:
    renamed: dict[str, list[str]] = {}
    for name, messages in errors.items():
        renamed.setdefault(prefix + names.get(name, name), []).extend(messages)
    return renamed


def report_filters(site, values: dict, *, prefix: str = "", error=BadRequest):
    """``ReportFilters`` from typed values, checked by the report's own form."""
    data = {
        "service": values.get("service", ""),
        "status": values.get("status", ""),
        "q": values.get("contains", ""),
        "batch": values.get("batch") or "",
    }
    for name in ("created_from", "created_to", "expires_from", "expires_to"):
        data[name] = values[name].isoformat() if values.get(name) else ""
    form = ReportFilterForm(data)
    if not form.is_valid():
        raise error(_renamed(form_errors(form), FILTER_FIELDS, prefix))
    return form.filters()


def _filter_parameters() -> list[OpenApiParameter]:
    date = {"description": "A day of the site's time zone, YYYY-MM-DD."}
    return [
        OpenApiParameter("service", str, enum=["events", "training"], required=True),
        OpenApiParameter("status", str, enum=["active", "used_up", "expired", "deleted"]),
        OpenApiParameter("created_from", OpenApiTypes.DATE, **date),
        OpenApiParameter("created_to", OpenApiTypes.DATE, **date),
        OpenApiParameter("expires_from", OpenApiTypes.DATE, **date),
        OpenApiParameter("expires_to", OpenApiTypes.DATE, **date),
        OpenApiParameter("contains", str, description="Code, recipient name or e-mail."),
        OpenApiParameter("batch", int, description="Only the codes of this creation batch."),
    ]


class PromoCodeListView(SiteAPIView):
    @extend_schema(
        operation_id="promo_codes_list",
        parameters=[
            *_filter_parameters(),
            OpenApiParameter("after", str, description="The `next` cursor of a page."),
            OpenApiParameter("before", str, description="The `previous` cursor of a page."),
        ],
        responses=schema.responses(
            {
                200: schema.page_of(
                    "PromoCodePage",
                    PromoCodeSerializer,
                    count=drf_serializers.IntegerField(),
                    count_is_lower_bound=drf_serializers.BooleanField(),
                )
            },
            400,
        ),
    )
    def get(self, request, site_slug):
        filters = report_filters(self.site, self.query(ReportFilterSerializer))
        after, before = request.query_params.get("after"), request.query_params.get("before")
        for name, cursor in (("after", after), ("before", before)):
            if cursor and inputs.decode_cursor(cursor) is None:
                raise BadRequest({name: [str(_("Invalid cursor."))]})
        codes = selectors.filtered_codes(self.site, filters)
        page = selectors.report_page(codes, after=after, before=before)
        if page.previous_cursor is None and not page.has_next:
            count, more = len(page.rows), False
        else:
            count, more = selectors.bounded_count(codes)
        return Response(
            {
                "results": PromoCodeSerializer(page.rows, many=True).data,
                "next": self._link(after=page.next_cursor),
                "previous": self._link(before=page.previous_cursor),
                "count": count,
                "count_is_lower_bound": more,
            }
        )

    def _link(self, **cursor) -> str | None:
        name, value = next(iter(cursor.items()))
        if value is None:
            return None
        params = self.request.query_params.copy()
        params.pop("after", None)
        params.pop("before", None)
        params[name] = value
        return self.request.build_absolute_uri(self.request.path + "?" + params.urlencode())

    @extend_schema(
        operation_id="promo_codes_create",
        request=PromoCodeCreateSerializer,
        responses=schema.responses(
            {201: BatchSerializer, 202: BatchSerializer}, 400, 409, 422, 503
        ),
    )
    def post(self, request, site_slug):
        body = self.body(PromoCodeCreateSerializer)
        form = CreatePromoCodesForm(*_create_form_input(body), site=self.site)
        if not form.is_valid():
            errors = _renamed(form_errors(form), CREATE_FIELDS)
            taken = [e for e in form.errors.as_data().get("custom_code", []) if e.code == "taken"]
            if taken:
                raise Conflict(errors["code"][0], "code_taken", errors)
            raise Unprocessable(errors)
        try:
            batch = tasks.start_creation(self.site, request.user, form.creation_params())
        except creation.CodeAlreadyExists as exc:
            message = str(_("This promo code already exists in this site."))
            raise Conflict(message, "code_taken", {"code": [message]}) from exc
        except creation.CodeSpaceExhausted as exc:
            message = str(_("Not enough unused codes of this length: choose a longer one."))
            raise Unprocessable({"code_length": [message]}) from exc
        except tasks.QueueUnavailable as exc:
            raise Unavailable(str(tasks.QueueUnavailable.message), "queue_unavailable") from exc
        batch.refresh_from_db()  # a small creation has run meanwhile
        data = BatchSerializer(batch, context={"request": request}).data
        finished = batch.state == CreationBatch.State.DONE
        return Response(
            data,
            status=status.HTTP_201_CREATED if finished else status.HTTP_202_ACCEPTED,
            headers={"Location": data["progress_url"]},
        )


def _create_form_input(body: dict) -> tuple[dict, dict]:
    """The Create form's data and files for an API body (recipients become the CSV upload
    the page takes, so the same limits and line checks apply)."""
    max_uses = body.get("max_uses", 1)
    usage = (
        CreatePromoCodesForm.USAGE_UNLIMITED
        if max_uses is None
        else CreatePromoCodesForm.USAGE_ONCE
        if max_uses == 1
        else CreatePromoCodesForm.USAGE_TIMES
    )
    single = bool(body.get("code"))
    data = {
        "service": body["service"],
        "code_type": CreatePromoCodesForm.TYPE_SINGLE if single else "generated",
        "custom_code": body.get("code", ""),
        "quantity": body.get("quantity") or "",
        "code_length": body.get("code_length") or codegen.DEFAULT_LENGTH,
        "usage": usage,
        "max_uses": max_uses if usage == CreatePromoCodesForm.USAGE_TIMES else "",
        "discount_type": body["discount_type"],
        "discount_value": str(body["discount_value"]),
        "expires_on": body["expires_on"].isoformat(),
        "applies_to": body["applies_to"],
        "kind": body.get("kind", ""),
        "sessions": [str(pk) for pk in body.get("session_ids", [])],
    }
    files = {}
    if body.get("recipients"):
        text = io.StringIO()
        writer = csv.writer(text)
        for recipient in body["recipients"]:
            writer.writerow([recipient["email"], recipient.get("name", "")])
        files["recipients_file"] = SimpleUploadedFile(
            "recipients.csv", text.getvalue().encode(), content_type="text/csv"
        )
    return data, files


class PromoCodeDetailView(SiteAPIView):
    @extend_schema(
        operation_id="promo_codes_retrieve",
        responses=schema.responses({200: PromoCodeSerializer}),
    )
    def get(self, request, site_slug, pk):
        code = get_object_or_404(
            PromoCode.objects.for_site(self.site).prefetch_related("sessions"), pk=pk
        )
        return Response(PromoCodeSerializer(code).data)


class BulkActionView(SiteAPIView):
    def selected_codes(self, body: dict):
        if "filter" in body:
            filters = report_filters(
                self.site, body["filter"], prefix="filter.", error=Unprocessable
            )
            codes = selectors.filtered_codes(self.site, filters)
        else:
            codes = PromoCode.objects.for_site(self.site)
        if body.get("ids"):
            codes = codes.filter(pk__in=body["ids"])
        return codes


class ExtendView(BulkActionView):
    @extend_schema(
        operation_id="promo_codes_extend",
        request=ExtendSerializer,
        responses=schema.responses({200: ExtendResultSerializer}, 400, 422),
    )
    def post(self, request, site_slug):
        body = self.body(ExtendSerializer)
        action = ReportActionForm(
            {"action": "extend", "scope": "all", "until": body["until"].isoformat()},
            site=self.site,
        )
        if not action.is_valid():
            raise Unprocessable(form_errors(action))
        codes = self.selected_codes(body)
        result = bulk.extend_expiry(self.site, codes, action.cleaned_data["until"], request.user)
        return Response(ExtendResultSerializer(result).data)


class DeleteView(BulkActionView):
    @extend_schema(
        operation_id="promo_codes_delete",
        request=SelectionSerializer,
        responses=schema.responses({200: DeleteResultSerializer}, 400, 422),
    )
    def post(self, request, site_slug):
        body = self.body(SelectionSerializer)
        deleted = bulk.soft_delete(self.site, self.selected_codes(body), request.user)
        return Response({"deleted": deleted})


class PromoCodeCsvView(SiteAPIView):
    content_negotiation_class = CsvNegotiation

    @extend_schema(
        operation_id="promo_codes_export",
        parameters=_filter_parameters(),
        responses=schema.responses({(200, "text/csv"): schema.CSV_RESPONSE}, 400),
    )
    def get(self, request, site_slug):
        filters = report_filters(self.site, self.query(ReportFilterSerializer))
        codes = selectors.filtered_codes(self.site, filters)
        return csv_export.csv_download(self.site, codes, filters.service)


class BatchListView(SiteAPIView):
    @extend_schema(
        operation_id="promo_code_batches_list",
        parameters=[OpenApiParameter("cursor", str)],
        responses=schema.responses({200: schema.page_of("BatchPage", BatchSerializer)}, 400),
    )
    def get(self, request, site_slug):
        pages = Pages()
        rows = pages.paginate_queryset(CreationBatch.objects.for_site(self.site), request, self)
        return Response(
            {
                "results": BatchSerializer(rows, many=True, context={"request": request}).data,
                "next": pages.get_next_link(),
                "previous": pages.get_previous_link(),
            }
        )


class BatchDetailView(SiteAPIView):
    @extend_schema(
        operation_id="promo_code_batches_retrieve",
        responses=schema.responses({200: BatchSerializer}),
    )
    def get(self, request, site_slug, pk):
        batch = get_object_or_404(CreationBatch.objects.for_site(self.site), pk=pk)
        response = Response(BatchSerializer(batch, context={"request": request}).data)
        response["Cache-Control"] = "no-store"
        return response
