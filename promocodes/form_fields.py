"""Form fields shared by the promotional codes forms."""

from __future__ import annotations

from django import forms
from django.conf import settings

from sites.models import Session


def date_field(label, **kwargs) -> forms.DateField:
    """A dd/mm/yyyy date field."""
    return forms.DateField(
        label=label,
        input_formats=settings.DATE_INPUT_FORMATS,
        # Shown in the active language's first DATE_INPUT_FORMATS (dd/mm/yyyy).
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        **kwargs,
    )


class SessionChoiceField(forms.ModelMultipleChoiceField):
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
