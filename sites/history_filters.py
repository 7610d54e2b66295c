"""The History page's filters: by area and by person, offering only what the site's history
holds. A value that is not offered is a field error; the valid filters still apply."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .history_areas import area_choices
from .inputs import TextInputsForm
from .models import Revision, Site
from .plain_fields import PlainFieldsForm

NOBODY = "automatic"


class HistoryFilterForm(PlainFieldsForm, TextInputsForm, forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)
    person = forms.ChoiceField(label=_("Person"), required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        revisions = Revision.objects.for_site(site).order_by()
        areas = revisions.values_list("area", flat=True).distinct()
        self.fields["area"].choices = [("", _("All areas")), *area_choices(areas)]
        people = (
            get_user_model()
            .objects.filter(pk__in=revisions.filter(actor__isnull=False).values("actor"))
            .order_by("username")
        )
        self.fields["person"].choices = [
            ("", _("Everyone")),
            *[(str(user.pk), user.get_username()) for user in people],
            (NOBODY, _("Automatic (no person)")),
        ]

    def apply(self, revisions: QuerySet) -> QuerySet:
        """The revisions matching the valid filters."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("area"):
            revisions = revisions.filter(area=data["area"])
        person = data.get("person")
        if person == NOBODY:
            revisions = revisions.filter(actor__isnull=True)
        elif person:
            revisions = revisions.filter(actor_id=int(person))
        return revisions
