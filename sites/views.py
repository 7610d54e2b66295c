"""Console pages of the sites app: site picker, site home, configuration history."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import ListView, TemplateView

from . import inputs
from .history_display import entry
from .history_filters import HistoryFilterForm
from .models import Membership, Revision
from .scoping import SiteMemberMixin


class SitePickerView(LoginRequiredMixin, ListView):
    """After login: the sites the person belongs to; straight in when there is only one."""

    template_name = "sites/site_picker.html"
    context_object_name = "memberships"

    def get_queryset(self):
        return Membership.objects.filter(user=self.request.user).select_related("site")

    def get(self, request, *args, **kwargs):
        memberships = list(self.get_queryset()[:2])
        if len(memberships) == 1 and not inputs.parse_flag(request.GET.get("all")):
            return redirect("site-home", site_slug=memberships[0].site.slug)
        return super().get(request, *args, **kwargs)


class SiteHomeView(SiteMemberMixin, TemplateView):
    """The site's landing page: what this member can do here."""

    template_name = "sites/site_home.html"
    admin_only = False
    requires_provisioning = False


class HistoryView(SiteMemberMixin, ListView):
    """Every Update of the site's configuration, newest first, filtered by area and person,
    in the reader's language and the site's time zone."""

    template_name = "sites/history.html"
    paginate_by = 50

    def get_queryset(self):
        self.filters = HistoryFilterForm(self.request.GET or None, site=self.site)
        revisions = Revision.objects.for_site(self.site).select_related("actor")
        return self.filters.apply(revisions)

    def paginate_queryset(self, queryset, page_size):
        """A page number out of range or not a number shows the nearest page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tz = self.site.tzinfo
        context["entries"] = [entry(revision, tz) for revision in context["page_obj"]]
        context["filters"] = self.filters
        context["filtered"] = any(self.request.GET.get(name) for name in self.filters.fields)
        return context
