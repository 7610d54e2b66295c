"""What every site resource of the API shares: scoping, throttling, parsing, cursor pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.views import APIView

from ..errors import BadRequest
from ..permissions import SiteAccess
from ..throttling import PerKeyThrottle


class SiteAPIView(APIView):
    """A resource under ``/api/v1/sites/<site_slug>/``; ``self.site`` once permitted."""

    permission_classes = [SiteAccess]
    throttle_classes = [PerKeyThrottle]

    @property
    def site(self):
        return self.request.site

    def body(self, serializer_class, *, partial: bool = False) -> dict:
        """The request body checked for types (400 when wrong)."""
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def query(self, serializer_class) -> dict:
        """The query string checked for types (400 when wrong)."""
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class Pages(CursorPagination):
    """Keyset pages of 50 (``?cursor=``), newest first, at the same cost at any depth."""

    page_size = 50
    ordering = "-id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise BadRequest({"cursor": [str(_("Invalid cursor."))]}) from exc


class CsvNegotiation(BaseContentNegotiation):
    """The CSV exports answer CSV whatever ``Accept`` says (errors still come as JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
