"""The site's commerce settings, read only: what an integration needs to know, no secret."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from payments.models import CommerceSettings
from payments.readiness import production_blockers
from sites.models import Service

from .. import schema
from ..serializers import CommerceSerializer
from .base import SiteAPIView


class CommerceView(SiteAPIView):
    @extend_schema(
        operation_id="commerce_retrieve", responses=schema.responses({200: CommerceSerializer})
    )
    def get(self, request, site_slug):
        commerce = CommerceSettings.for_site(self.site)
        reasons = production_blockers(commerce)
        return Response(
            CommerceSerializer(
                {
                    "mode": commerce.mode,
                    "enabled_services": [s for s in Service.values if commerce.service_enabled(s)],
                    "provider": commerce.provider or None,
                    "currency": self.site.currency,
                    "country": self.site.country,
                    "production_ready": not reasons,
                    "readiness_reasons": [str(r) for r in reasons],
                }
            ).data
        )
