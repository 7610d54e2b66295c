"""The payment form's widgets write, without templates, the very markup Django's templates
write: every input type, value and attribute (escaped alike), and selects with their chosen
option and option groups."""

from __future__ import annotations

import uuid

import pytest
from django import forms

from payments.forms import direct_widgets

ATTRS = (
    {},
    {"class": "form-control", "autocomplete": "cc-number", "inputmode": "numeric"},
    {"required": True, "disabled": False, "aria-invalid": "true", "placeholder": "a\"<b>&'"},
)
VALUES = (None, "", "x<y>&\"' é", 12, uuid.UUID("12345678-1234-5678-1234-567812345678"))
INPUTS = (
    (forms.TextInput, direct_widgets.TextInput, {}),
    (forms.EmailInput, direct_widgets.EmailInput, {}),
    (forms.PasswordInput, direct_widgets.PasswordInput, {}),
    (forms.PasswordInput, direct_widgets.PasswordInput, {"render_value": True}),
    (forms.HiddenInput, direct_widgets.HiddenInput, {}),
)
CHOICES = (
    [],
    [("visa", "Visa"), ("mc", "Master<card> & co")],
    [("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")],
)


@pytest.mark.parametrize("django_widget, direct_widget, options", INPUTS)
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
def test_an_input_is_written_as_django_writes_it(
    django_widget, direct_widget, options, attrs, value
):
    for extra in (None, {"id": "id_field", "required": True}):
        expected = django_widget(attrs=dict(attrs), **options).render("field", value, extra)
        assert direct_widget(attrs=dict(attrs), **options).render("field", value, extra) == expected


@pytest.mark.parametrize("choices", CHOICES)
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", (None, "", "mc", "a", "<unknown>"))
def test_a_select_is_written_as_django_writes_it(choices, attrs, value):
    extra = {"id": "id_card_type"}
    expected = forms.Select(attrs=dict(attrs), choices=choices).render("card_type", value, extra)
    written = direct_widgets.Select(attrs=dict(attrs), choices=choices).render(
        "card_type", value, extra
    )
    assert written == expected
