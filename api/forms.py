"""The form of the API keys page: a name, the member who holds the key, and its scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sites.inputs import TextInputsForm
from sites.models import Membership, Site

from .keys import allowed_scopes
from .models import Scope


class HolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        full = user.get_full_name()
        return f"{full} ({user.get_username()})" if full else user.get_username()


class ApiKeyForm(TextInputsForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. “CRM campaigns”."),
    )
    holder = HolderChoiceField(
        label=_("Holder"),
        queryset=get_user_model().objects.none(),
        help_text=_("The key acts as this member; an organizer's key only reads."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Scope.choices, initial=Scope.READ_ONLY, widget=forms.RadioSelect
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["holder"].queryset = (
            get_user_model().objects.filter(memberships__site=site).order_by("username")
        )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        holder, scope = data.get("holder"), data.get("scope")
        if holder is not None and scope:
            role = Membership.objects.get(site=self.site, user=holder).role
            if scope not in allowed_scopes(role):
                self.add_error("scope", _("An organizer may only hold a read-only key."))
        return data
