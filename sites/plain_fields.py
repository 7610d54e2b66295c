"""Form fields drawn as plain Bootstrap markup, without crispy's per-field templates.

A report's filter form is drawn on every page view; crispy renders each field through a
stack of templates, several times the cost of the page's rows. ``PlainFieldsForm`` gives each
widget its Bootstrap class (``form-select`` for a choice, ``form-control`` otherwise) and
``templates/_field.html`` draws one field: its label, its widget and its errors.
"""

from __future__ import annotations

from django import forms


class PlainFieldsForm:
    """Mix into a form whose fields a template draws with ``{% include "_field.html" %}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
