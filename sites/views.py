"""Console pages of the sites app: site picker, site home, configuration history."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import ListView, TemplateView

from . import inputs
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
    """Every Update of the site's configuration, newest first."""

    template_name = "sites/history.html"
    context_object_name = "revisions"
    paginate_by = 50

    def get_queryset(self):
        return Revision.objects.for_site(self.site).select_related("actor")
