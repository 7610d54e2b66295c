"""The ops admin site (``/ops/``): Django's admin, where no list takes an impossible value.

``OpsAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS``, so that
``admin.site`` — which every app, ours and third-party (auth, axes), registers with — is an
``OpsAdminSite``. Its ``register`` gives each ModelAdmin that lacks it the
``ListInputsAdmin`` mixin (``sites.inputs``): a bulk action POSTed with
``_selected_action=abc`` (or a NUL, or a 30-digit number) answers "Items must be selected…"
instead of a 500, and a list filtered on a NUL or a year of 30 digits is shown unfiltered
with a message, whichever app registered the model. Django's own admins of users and groups
are registered again in ``sites.admin`` with the project's form checks.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from .inputs import ListInputsAdmin


class OpsAdminSite(admin.AdminSite):
    site_header = _("Webex e-commerce — operations")
    site_title = _("Webex e-commerce operations")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ListInputsAdmin):
            # The same way Django itself builds a class when ``register`` gets options.
            admin_class = type(admin_class.__name__, (ListInputsAdmin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)


class OpsAdminConfig(AdminConfig):
    default_site = "sites.ops_admin.OpsAdminSite"
