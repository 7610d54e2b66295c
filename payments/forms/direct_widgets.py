"""Widgets that write their HTML in Python: the payment form without a template per widget.

Django renders every widget through the form renderer's templates (``input.html`` including
``attrs.html``; ``select.html`` including ``select_option.html`` once per choice). On the
payment page that was half of a request's time. These widgets write the same markup, byte for
byte, from the same ``get_context`` (so ``attrs``, ``is_required``, the value's formatting and
the chosen option are Django's own), escaping every value as the templates do.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def flat_attrs(attrs: dict) -> str:
    """`` name="value"`` for each attribute, `` name`` alone for True, nothing for False
    (``django/forms/widgets/attrs.html``)."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{flat_attrs(widget["attrs"])}>'
    )


class DirectInputMixin:
    """For a subclass of ``forms.Input``: ``render`` without the template."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        return mark_safe(input_html(self.get_context(name, value, attrs)["widget"]))  # noqa: S308 - escaped


class TextInput(DirectInputMixin, forms.TextInput):
    pass


class EmailInput(DirectInputMixin, forms.EmailInput):
    pass


class PasswordInput(DirectInputMixin, forms.PasswordInput):
    pass


class HiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class Select(forms.Select):
    """``forms.Select`` without its templates (option groups included)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{flat_attrs(widget["attrs"])}>'
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{flat_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - escaped
