"""Payment provider pages: Configure → the provider list → the provider's form → Update."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import providers
from ..connection_check import check_connection
from ..forms.providers import FORM_BY_MODEL
from ..gateways.base import GatewayError
from ..models import ProviderKind
from .settings import EcommerceMixin


class ProviderListView(EcommerceMixin, TemplateView):
    """*Configure*: the four providers, which one is active, and a choice to configure."""

    template_name = "payments/providers/list.html"
    section = "provider"

    def get(self, request, *args, **kwargs):
        chosen = request.GET.get("provider")
        if chosen:
            if chosen in ProviderKind.values:
                return redirect("provider-form", self.site.slug, self.service, chosen)
            messages.error(request, _("Choose a provider from the list."))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = [
            (kind, providers.account_for(self.site, kind)) for kind in ProviderKind
        ]
        return context


class ProviderMixin(EcommerceMixin):
    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("kind") not in ProviderKind.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def account(self):
        if not hasattr(self, "_account"):
            self._account = providers.account_for(self.site, self.kwargs["kind"])
        return self._account

    def provider_url(self):
        return reverse("provider-form", args=[self.site.slug, self.service, self.account.kind])


class ProviderFormView(ProviderMixin, FormView):
    """The provider's own form; Update saves its settings and leaves the active provider as it
    is (choosing the provider of the payment page is ``UseProviderView``)."""

    template_name = "payments/providers/form.html"
    section = "provider"

    def get_form_class(self):
        return FORM_BY_MODEL[type(self.account)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=self.account, mode=self.commerce.mode)
        return kwargs

    def form_valid(self, form):
        providers.save_provider(form, self.site, self.request.user)
        messages.success(self.request, _("Your changes have been saved."))
        if self.commerce.provider != self.account.kind:
            messages.info(self.request, not_in_use_message(self.commerce))
        return redirect(self.provider_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.account
        context["is_express_checkout"] = self.account.uses_api_permission
        context["is_active"] = self.commerce.provider == self.account.kind
        context["active_label"] = self.commerce.get_provider_display()
        return context


def not_in_use_message(commerce) -> str:
    """Said after saving a provider that is not the one attendees pay with."""
    if commerce.provider:
        return _(
            "Attendees still pay with %(active)s. To switch, choose “Use this provider for "
            "payments”."
        ) % {"active": commerce.get_provider_display()}
    return _(
        "No provider is in use yet: attendees cannot pay. When the settings are ready, choose "
        "“Use this provider for payments”."
    )


class UseProviderView(ProviderMixin, TemplateView):
    """*Use this provider for payments*: GET shows what attendees will see with this provider
    and asks for confirmation; POST makes it the active provider (recorded in the History).

    Refused (nothing changes) for a provider never saved, and in Production for an incomplete
    one; a provider already active goes back to its form.
    """

    template_name = "payments/providers/use.html"
    section = "provider"

    def get(self, request, *args, **kwargs):
        if self.commerce.provider == self.account.kind:
            messages.info(request, _("Attendees already pay with this provider."))
            return redirect(self.provider_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refusals = providers.activation_refusals(self.account, self.commerce)
        if refusals:
            return self.render_to_response(self.get_context_data())
        providers.use_provider(self.site, self.account, request.user)
        messages.success(
            request,
            _("Attendees now pay with %(provider)s.")
            % {"provider": self.account.get_kind_display()},
        )
        return redirect(self.provider_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            account=self.account,
            attendees=providers.attendee_view(self.account, self.commerce),
            refusals=providers.activation_refusals(self.account, self.commerce),
            active_label=self.commerce.get_provider_display(),
        )
        return context


class TestConnectionView(ProviderMixin, View):
    """*Test connection*: ask PayPal about the saved settings, show its answer."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.account.pk is None:
            messages.error(request, _("Save the settings before testing them."))
            return redirect(self.provider_url())
        check = check_connection(self.account, self.commerce.mode)
        level = messages.SUCCESS if check.ok else messages.ERROR
        # Escaped by format_html; the messages framework keeps it marked safe.
        text = format_html(
            '{} <details class="small mt-1"><summary>{}</summary>'
            '<code class="text-reset">{}</code></details>',
            check.summary,
            _("PayPal's answer"),
            check.answer,
        )
        messages.add_message(request, level, text)
        return redirect(self.provider_url())


class GrantPermissionView(ProviderMixin, TemplateView):
    """*Grant API permission to Webex*: start PayPal's consent flow.

    The answer is a page with a link to PayPal rather than a redirect: the console's CSP
    (``form-action 'self'``) forbids a form submission from ending on another origin.
    """

    http_method_names = ["post"]
    template_name = "payments/providers/grant_continue.html"
    section = "provider"

    def post(self, request, *args, **kwargs):
        if not self.account.uses_api_permission:
            raise Http404
        return_url = request.build_absolute_uri(
            reverse("provider-grant-return", args=[self.site.slug, self.service, self.account.kind])
        )
        try:
            action_url = providers.start_permission_grant(
                self.account, self.commerce.mode, return_url
            )
        except GatewayError:
            messages.error(request, _("PayPal could not be reached. Try again in a moment."))
            return redirect(self.provider_url())
        return self.render_to_response(
            self.get_context_data(account=self.account, action_url=action_url)
        )


class GrantPermissionReturnView(ProviderMixin, View):
    """PayPal sends the admin back here with the consent's outcome."""

    def get(self, request, *args, **kwargs):
        account = self.account
        if not account.uses_api_permission or account.pk is None:
            raise Http404
        if not account.referral_tracking_id:
            messages.error(request, _("No permission request is waiting for PayPal's answer."))
        elif providers.finish_permission_grant(account, request.GET, request.user):
            messages.success(request, _("Permission granted."))
        else:
            messages.error(request, _("PayPal says the permission was not granted."))
        return redirect(self.provider_url())
