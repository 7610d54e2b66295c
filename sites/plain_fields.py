"""Form fields drawn as plain Bootstrap markup, without crispy's per-field templates.

A report's filter form is drawn on every page view; crispy renders each field through a
stack of templates, several times the cost of the page's rows, and Django renders each option
of a select through a template of its own. ``PlainFieldsForm`` gives each widget its Bootstrap
class (``form-select`` for a choice, ``form-control`` otherwise) and draws its single-choice
selects as ``PlainSelect`` (the same markup, written by string formatting);
``templates/_field.html`` draws one field: its label, its widget and its errors.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attributes(attrs: dict) -> str:
    """`` name="value"`` for each attribute, `` name`` alone for ``True``, nothing for
    ``False`` (Django's ``attrs.html``)."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A single-choice select with the markup of Django's templates, without a template per
    option (a session list of a few dozen options costs milliseconds that way)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attributes(widget["attrs"])]
        parts.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', group))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        str(option["value"]),
                        mark_safe(_attributes(option["attrs"])),  # noqa: S308 (format_html's)
                        option["label"],
                    )
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


class PlainFieldsForm:
    """Mix into a form whose fields a template draws with ``{% include "_field.html" %}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                # The form's own copy of the widget, choices and attributes kept.
                field.widget.__class__ = PlainSelect
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
