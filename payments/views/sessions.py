"""Console pages of a site's priced sessions: the list with each public registration link,
*Create* and *Edit*.

Site administrators and organizers both schedule sessions (``admin_only = False``); an
organizer edits the sessions they organize, an administrator every session of the site.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from sites.models import Service, Session, kinds_json
from sites.scoping import SiteMemberMixin

from ..forms.sessions import SessionForm, save_session
from ..models import CommerceSettings

PAGE_SIZE = 50


def registration_url(request, site, session: Session) -> str:
    """The public payment page of a priced session ("" while that page is not installed)."""
    try:
        path = reverse("payment-page", args=[site.slug, session.pk])
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(path)


class SessionsMixin(SiteMemberMixin):
    admin_only = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = "sessions"
        return context

    def can_edit(self, session: Session) -> bool:
        return self.is_site_admin or session.organizer_id == self.request.user.pk


class SessionListView(SessionsMixin, TemplateView):
    """The site's sessions, the next ones first: title, service, kind, program, start, fee,
    public registration link."""

    template_name = "payments/sessions/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = Session.objects.for_site(self.site).select_related("organizer")
        service = self.request.GET.get("service", "")
        if service in Service.values:
            sessions = sessions.filter(service=service)
        else:
            service = ""
        sessions = sessions.order_by(F("starts_at").desc(nulls_last=True), "title", "pk")
        page = Paginator(sessions, PAGE_SIZE).get_page(self.request.GET.get("page"))
        commerce = CommerceSettings.for_site(self.site)
        rows = []
        for session in page.object_list:
            rows.append(
                {
                    "session": session,
                    "pay_url": ""
                    if session.is_free
                    else registration_url(self.request, self.site, session),
                    "service_enabled": commerce.service_enabled(session.service),
                    "can_edit": self.can_edit(session),
                }
            )
        context.update(
            page_obj=page,
            is_paginated=page.has_other_pages(),
            rows=rows,
            service=service,
            services=Service.choices,
        )
        return context


class SessionFormMixin(SessionsMixin):
    template_name = "payments/sessions/form.html"
    form_class = SessionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            site=self.site, user=self.request.user, can_choose_organizer=self.is_site_admin
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The kinds of each service, for the page script that hides the other service's kinds.
        context["kinds_json"] = kinds_json()
        return context

    def form_valid(self, form):
        session = save_session(form, self.request.user)
        messages.success(self.request, self.success_message % {"title": session.title})
        return redirect(reverse("session-list", args=[self.site.slug]))


class SessionCreateView(SessionFormMixin, FormView):
    success_message = _("Session “%(title)s” created.")

    def get_initial(self):
        initial = super().get_initial()
        service = self.request.GET.get("service")
        if service in Service.values:
            initial["service"] = service
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Session(site=self.site)
        return kwargs


class SessionEditView(SessionFormMixin, FormView):
    success_message = _("Session “%(title)s” updated.")

    def get_session(self) -> Session:
        if not hasattr(self, "_session"):
            session = get_object_or_404(
                Session.objects.for_site(self.site).select_related("organizer"),
                pk=self.kwargs["pk"],
            )
            if not self.can_edit(session):
                raise PermissionDenied
            self._session = session
        return self._session

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_session()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.get_session()
        context["session"] = session
        context["pay_url"] = (
            "" if session.is_free else registration_url(self.request, self.site, session)
        )
        return context
