"""Site scoping: the one way a console view learns its site and checks the member's role.

Every console URL starts with ``/s/<site_slug>/``. ``SiteMemberMixin`` resolves
``request.site`` and ``request.membership`` from it and applies the view's role policy:

* not logged in → the login page;
* not a member of that site (whatever the object id) → 404, so the site's existence leaks not;
* ``admin_only`` → organizers get 403 on every method;
* ``organizer_read_only`` → organizers may read (GET/HEAD), any other method gets 403;
* ``requires_provisioning`` → an unprovisioned site shows only the "not provisioned" notice.

``SiteServiceMixin`` adds the service of the URL (``/s/<site_slug>/<service>/…``).

Views then query site data only with ``Model.objects.for_site(request.site)``.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render

from .models import Membership, Role, Service

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _in_other_sites() -> Exists:
    """Whether the member belongs to another site too (the layout's *Switch site*), read with
    the membership itself rather than by a count of its own."""
    others = Membership.objects.filter(user=OuterRef("user_id")).exclude(pk=OuterRef("pk"))
    return Exists(others)


class SiteMemberMixin(LoginRequiredMixin):
    admin_only = True
    organizer_read_only = False
    requires_provisioning = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = (
            Membership.objects.select_related("site")
            .annotate(in_other_sites=_in_other_sites())
            .filter(user=request.user, site__slug=kwargs.get("site_slug"))
            .first()
        )
        if membership is None:
            raise Http404
        request.site = membership.site
        request.membership = membership
        if membership.role != Role.ADMIN:
            if self.admin_only:
                raise PermissionDenied
            if self.organizer_read_only and request.method not in SAFE_METHODS:
                raise PermissionDenied
        if self.requires_provisioning and not membership.site.ecommerce_provisioned:
            return render(
                request, "sites/not_provisioned.html", {"site": membership.site}, status=200
            )
        return super().dispatch(request, *args, **kwargs)

    @property
    def site(self):
        return self.request.site

    @property
    def is_site_admin(self) -> bool:
        return self.request.membership.role == Role.ADMIN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site"] = self.request.site
        context["membership"] = self.request.membership
        context["is_site_admin"] = self.is_site_admin
        return context


class SiteServiceMixin(SiteMemberMixin):
    """A console page of one service, under ``/s/<site>/<service>/``.

    ``service`` comes from the URL's ``<service:service>`` converter (``sites.url_converters``):
    an unknown service matches no URL, so it is a 404 before any view runs. ``section`` names
    the page for the navigation's active entry.
    """

    section = ""

    @property
    def service(self) -> Service:
        return self.kwargs["service"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(service=self.service, section=self.section)
        return context
