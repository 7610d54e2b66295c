"""Priced sessions: list, create and update through the console's ``SessionForm`` and
``save_session`` (same checks, same History entry)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from payments.forms.sessions import SessionForm, save_session
from sites.models import Service, Session

from .. import schema
from ..errors import Unprocessable, form_errors
from ..serializers import SessionSerializer, SessionWriteSerializer
from .base import Pages, SiteAPIView


def _form_data(session: Session) -> dict:
    """A session's current values as the form takes them (the base of a PATCH)."""
    return {
        "title": session.title,
        "service": session.service,
        "kind": session.kind,
        "program": session.program,
        "starts_at": session.starts_at.isoformat() if session.starts_at else "",
        "fee": str(session.fee),
        "organizer": session.organizer_id or "",
    }


class SessionWriteMixin:
    def save(self, session: Session, body: dict) -> Session:
        data = _form_data(session) if session.pk else {"organizer": self.request.user.pk}
        for name, value in body.items():
            data[name] = "" if value is None else str(value)
        if body.get("organizer"):
            user = get_user_model().objects.filter(username=body["organizer"]).first()
            data["organizer"] = user.pk if user is not None else 0
        form = SessionForm(
            data,
            instance=session,
            site=self.site,
            user=self.request.user,
            can_choose_organizer=True,
        )
        if not form.is_valid():
            raise Unprocessable(form_errors(form))
        return save_session(form, self.request.user)


class SessionListView(SessionWriteMixin, SiteAPIView):
    @extend_schema(
        operation_id="sessions_list",
        parameters=[
            OpenApiParameter("service", str, enum=list(Service.values)),
            OpenApiParameter("cursor", str),
        ],
        responses=schema.responses({200: schema.page_of("SessionPage", SessionSerializer)}, 400),
    )
    def get(self, request, site_slug):
        sessions = Session.objects.for_site(self.site).select_related("organizer")
        service = request.query_params.get("service")
        if service in Service.values:
            sessions = sessions.filter(service=service)
        pages = Pages()
        rows = pages.paginate_queryset(sessions, request, self)
        return Response(
            {
                "results": SessionSerializer(rows, many=True).data,
                "next": pages.get_next_link(),
                "previous": pages.get_previous_link(),
            }
        )

    @extend_schema(
        operation_id="sessions_create",
        request=SessionWriteSerializer,
        responses=schema.responses({201: SessionSerializer}, 400, 422),
    )
    def post(self, request, site_slug):
        body = self.body(SessionWriteSerializer)
        session = self.save(Session(site=self.site), body)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(SessionWriteMixin, SiteAPIView):
    def get_session(self, pk) -> Session:
        return get_object_or_404(
            Session.objects.for_site(self.site).select_related("organizer"), pk=pk
        )

    @extend_schema(
        operation_id="sessions_retrieve", responses=schema.responses({200: SessionSerializer})
    )
    def get(self, request, site_slug, pk):
        return Response(SessionSerializer(self.get_session(pk)).data)

    @extend_schema(
        operation_id="sessions_update",
        request=SessionWriteSerializer(partial=True),
        responses=schema.responses({200: SessionSerializer}, 400, 422),
    )
    def patch(self, request, site_slug, pk):
        session = self.get_session(pk)
        body = self.body(SessionWriteSerializer, partial=True)
        return Response(SessionSerializer(self.save(session, body)).data)
