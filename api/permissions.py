"""Site scoping of the API: the one way an API view learns its site and what it may do.

``SiteAccess`` resolves ``request.site`` from the URL's ``site_slug``:

* not authenticated → 401;
* a key of another site, or a session of someone who is not a member → 404 (the site's
  existence does not leak, exactly like the console);
* the site has no e-commerce → 403 ``site_not_provisioned``;
* an unsafe method without write access → 403. Write access: a read-write key whose holder
  is a site administrator, or an administrator's console session (with its CSRF token).

Views then query site data only with ``Model.objects.for_site(request.site)``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from sites.models import Membership, Role

from . import keys
from .models import ApiKey


class NotProvisioned(exceptions.PermissionDenied):
    default_detail = _("E-commerce is not provisioned for this site.")
    default_code = "site_not_provisioned"


class ReadOnlyAccess(exceptions.PermissionDenied):
    default_detail = _("This API key (or member) may only read.")
    default_code = "permission_denied"


class SiteAccess(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        slug = view.kwargs.get("site_slug")
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is not None:
            if key.site.slug != slug:
                raise exceptions.NotFound()
            site, can_write = key.site, keys.can_write(key, key.role)
        else:
            membership = (
                Membership.objects.select_related("site")
                .filter(user=request.user, site__slug=slug)
                .first()
            )
            if membership is None:
                raise exceptions.NotFound()
            site, can_write = membership.site, membership.role == Role.ADMIN
        request.site = site
        request.api_can_write = can_write
        if not site.ecommerce_provisioned:
            raise NotProvisioned()
        if request.method not in permissions.SAFE_METHODS and not can_write:
            raise ReadOnlyAccess()
        return True
