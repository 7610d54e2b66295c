"""The E-Commerce settings pages of a site (shared by Webex Events and Webex Training)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from sites.history import save_form_with_revision
from sites.models import Service
from sites.scoping import SiteServiceMixin

from .. import providers
from ..forms.settings import BusinessInfoForm, ModeForm, PaymentPageForm, ServicesForm
from ..models import CommerceSettings
from ..readiness import production_blockers


class EcommerceMixin(SiteServiceMixin):
    """The service of the URL, and the site's configuration shared by both services."""

    @property
    def commerce(self) -> CommerceSettings:
        if not hasattr(self, "_commerce"):
            self._commerce = CommerceSettings.for_site(self.site)
        return self._commerce

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        other = Service.TRAINING if self.service == Service.EVENTS else Service.EVENTS
        context.update(
            other_service=other,
            commerce=self.commerce,
            service_enabled=self.commerce.service_enabled(self.service),
        )
        return context


class SettingsFormView(EcommerceMixin, FormView):
    """One settings form of the shared configuration: Update saves it and records a revision."""

    area = ""
    section = ""
    success_message = _("Your changes have been saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.commerce
        return kwargs

    def form_valid(self, form):
        save_form_with_revision(form, self.site, self.request.user, self.area)
        messages.success(self.request, self.success_message)
        return redirect(self.request.path)


class EnableView(SettingsFormView):
    template_name = "payments/settings/enable.html"
    form_class = ServicesForm
    area = "ecommerce.services"
    section = "enable"


class ModeView(SettingsFormView):
    template_name = "payments/settings/mode.html"
    form_class = ModeForm
    area = "ecommerce.mode"
    section = "mode"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blockers"] = production_blockers(self.commerce)
        return context


class BusinessInfoView(SettingsFormView):
    template_name = "payments/settings/business.html"
    form_class = BusinessInfoForm
    area = "ecommerce.business"
    section = "business"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["country"] = self.site.country
        return kwargs


class PaymentPageView(SettingsFormView):
    template_name = "payments/settings/payment_page.html"
    form_class = PaymentPageForm
    area = "ecommerce.payment_page"
    section = "payment_page"

    def get_context_data(self, **kwargs):
        """The preview shows what the active provider offers, and whether it is incomplete."""
        context = super().get_context_data(**kwargs)
        account = providers.active_account(self.commerce)
        if account is not None and account.pk is not None:
            context["attendees"] = providers.attendee_view(account, self.commerce)
        return context
