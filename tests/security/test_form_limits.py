"""Every form of the project, found by walking its modules: its text limits are its columns'.

A form that lets through more characters than the column holds answers 500 on PostgreSQL
(a 287-character e-mail address, valid, into a 254-character column). So:

* a ModelForm's text field has its model field's ``max_length`` exactly;
* a hand-written form's text field is either mapped below to the model field it is saved
  into (and has its ``max_length`` exactly), or listed as never stored, with the reason;
* every form, and every form of the ops admin, refuses control characters
  (``sites.inputs.TextInputsForm``).

A new form or text field that is in neither list fails here until someone decides.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from sites.inputs import TextInputsForm

PROJECT_PACKAGES = ("sites", "promocodes", "payments", "api", "monitoring", "webexcommerce")
SKIPPED = (".migrations", ".management", ".sandbox", ".settings.production")


def project_forms() -> list[type[forms.BaseForm]]:
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, package_name + "."):
            if not any(part in module.name for part in SKIPPED):
                importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_PACKAGES:
                found.append(sub)
    return sorted(set(found), key=lambda f: f"{f.__module__}.{f.__qualname__}")


def saved_into():
    """Hand-written forms' text fields → the model field each is saved into."""
    from api.forms import ApiKeyForm
    from api.models import ApiKey
    from payments.forms.pay import PaymentForm
    from payments.models import Payment, Registration
    from promocodes.forms import CreatePromoCodesForm
    from promocodes.models import PromoCode

    return {
        (CreatePromoCodesForm, "recipient_name"): [(PromoCode, "recipient_name")],
        (CreatePromoCodesForm, "recipient_email"): [(PromoCode, "recipient_email")],
        (CreatePromoCodesForm, "custom_code"): [(PromoCode, "code")],
        (PaymentForm, "attendee_name"): [
            (Payment, "attendee_name"),
            (Registration, "attendee_name"),
        ],
        (PaymentForm, "attendee_email"): [
            (Payment, "attendee_email"),
            (Registration, "attendee_email"),
        ],
        (ApiKeyForm, "name"): [(ApiKey, "name")],
    }


# Text fields never stored as typed, and why.
NEVER_STORED = {
    ("ReportFilterForm", "q"): "a search, not saved",
    ("PaymentForm", "promo_code"): "looked up; the payment keeps the code found",
    ("PaymentForm", "card_number"): "sent to PayPal; only brand and last four kept",
    ("PaymentForm", "expiry"): "sent to PayPal, never kept",
    ("PaymentForm", "security_code"): "sent to PayPal, never kept",
    ("PaymentForm", "name_on_card"): "sent to PayPal, never kept",
    ("PaymentForm", "postal_code"): "sent to PayPal, never kept",
    ("OpsUserCreationForm", "password1"): "hashed (Django's user creation form)",
    ("OpsUserCreationForm", "password2"): "the confirmation of password1, never kept",
}


def text_fields(form_class) -> dict[str, forms.CharField]:
    """Free text fields (a UUID field is a CharField too, but parses to a fixed size)."""
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField)
    }


def test_the_walk_finds_the_forms_of_every_app():
    names = {f.__name__ for f in project_forms()}
    assert {
        "CreatePromoCodesForm",
        "ReportFilterForm",
        "PaymentForm",
        "SessionForm",
        "PayflowAccountForm",
        "TransactionFilterForm",
        "ApiKeyForm",
    } <= names


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda f: f.__name__)
def test_every_form_refuses_control_characters(form_class):
    assert issubclass(form_class, TextInputsForm), f"{form_class} lacks TextInputsForm"


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda f: f.__name__)
def test_text_limits_are_the_columns_limits(form_class):
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    mapped = saved_into()
    for name, field in text_fields(form_class).items():
        if model is not None and name in {f.name for f in model._meta.get_fields()}:
            targets = [(model, name)]
        elif (form_class, name) in mapped:
            targets = mapped[(form_class, name)]
        else:
            assert (form_class.__name__, name) in NEVER_STORED, (
                f"{form_class.__name__}.{name}: map it to the model field it is saved into, "
                "or list it as never stored"
            )
            continue
        for target_model, target_name in targets:
            column = target_model._meta.get_field(target_name).max_length
            if column is None:  # a text column: the form may keep a tighter limit of its own
                continue
            assert field.max_length == column, (
                f"{form_class.__name__}.{name} allows {field.max_length} characters, "
                f"{target_model.__name__}.{target_name} holds {column}"
            )


def project_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_PACKAGES
    ]


@pytest.mark.django_db
def test_the_ops_admin_forms_follow_the_same_rules():
    request = RequestFactory().get("/ops/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    checked = 0
    for model, model_admin in project_admins():
        form_class = model_admin.get_form(request)
        assert issubclass(form_class, TextInputsForm), model_admin
        for name, field in text_fields(form_class).items():
            column = model._meta.get_field(name).max_length
            assert column is None or field.max_length == column, (model, name)
        checked += 1
    assert checked >= 8
