"""Form fields shared by the promotional codes forms."""

from __future__ import annotations

from django import forms

from sites.inputs import IdChoicesMixin
from sites.models import Session


class SessionChoiceField(IdChoicesMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        return f"{obj.title} ({obj.get_kind_display()})"


class SessionCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that carry their session's service, so the page can hide the others."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-service"] = instance.service
        return option
