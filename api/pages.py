"""The *API keys* page of a site (site administrators): create, list, revoke.

A new key is shown once, in the answer to the POST that created it (never stored, never
shown again; the page is not cached).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from sites.scoping import SiteMemberMixin

from . import keys
from .forms import ApiKeyForm
from .models import ApiKey


class ApiKeysView(SiteMemberMixin, FormView):
    template_name = "api/keys.html"
    form_class = ApiKeyForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["site"] = self.site
        kwargs["initial"] = {"holder": self.request.user.pk}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = "api_keys"
        context["keys"] = ApiKey.objects.for_site(self.site).select_related("holder")
        return context

    def form_valid(self, form):
        key, plain = keys.create_key(
            self.site,
            self.request.user,
            name=form.cleaned_data["name"],
            holder=form.cleaned_data["holder"],
            scope=form.cleaned_data["scope"],
        )
        response = self.render_to_response(
            self.get_context_data(form=self.get_form_class()(site=self.site), new_key=plain)
        )
        add_never_cache_headers(response)
        return response


class RevokeApiKeyView(SiteMemberMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        key = get_object_or_404(ApiKey.objects.for_site(self.site), pk=kwargs["pk"])
        if keys.revoke_key(key, request.user):
            messages.success(request, _("API key “%(name)s” revoked.") % {"name": key.name})
        return redirect("api-keys", self.site.slug)
