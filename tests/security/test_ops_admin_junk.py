"""Never a 500 from the ops admin: every registered ModelAdmin's list, junk in every parameter.

Every ModelAdmin of ``admin.site`` — the project's, Django's users and groups, axes' logs, and
any registered later — is walked as a superuser: its changelist read with junk in each
parameter it knows (search, page, ordering, every filter's own parameters, the date
hierarchy, a primary-key lookup) and its actions POSTed with rows no table holds
(``abc``, a NUL, 30 digits). None answers 5xx, and an action on impossible rows changes
nothing and says "Items must be selected…".
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

JUNK = ["abc", "a\x00b", "9" * 30, "1.5", "x" * 3000]
IMPOSSIBLE_ROWS = [["abc"], ["\x00"], ["9" * 30], ["1\x00", "abc", "9" * 30]]


def registered_admins() -> list:
    return sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def junk_queries(model, model_admin, filter_parameters: set[str]):
    """One query string per (parameter, junk value)."""
    parameters = {"q", "p", "o", "e", "all", "_to_field", "_popup", "pk__exact", "pk__in"}
    parameters |= {f"{model._meta.pk.name}__exact", f"{model._meta.pk.name}__gt"}
    parameters |= filter_parameters
    if model_admin.date_hierarchy:
        parameters |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    for name in sorted(parameters):
        for value in JUNK:
            yield {name: value}
    yield {"p": "99999999999999999999", "o": "99.-abc", "q": "\x00"}


@pytest.fixture
def ops_client(world) -> Client:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from payments.models import Refund, WebhookEvent
    from promocodes.models import PromoCodeEmail

    Refund.objects.create(payment=world.a.payment, amount="10.00", status="refunded")
    WebhookEvent.objects.create(
        event_id="WH-1", event_type="PAYMENT.CAPTURE.COMPLETED", mode="test", payload={}
    )
    PromoCodeEmail.objects.create(promo_code=world.a.code)
    Group.objects.create(name="Support")
    AccessAttempt.objects.create(username="eve", ip_address="10.0.0.1", failures_since_start=3)
    AccessLog.objects.create(username="eve", ip_address="10.0.0.1")
    AccessFailureLog.objects.create(username="eve", ip_address="10.0.0.1")
    ops = get_user_model().objects.create_superuser("ops-junk", "ops@example.com", "x")
    client = Client(raise_request_exception=False)
    client.force_login(ops)
    return client


def test_every_registered_admin_is_walked():
    labels = {model._meta.label for model, _admin in registered_admins()}
    assert {"auth.User", "auth.Group", "axes.AccessAttempt", "sites.Site"} <= labels
    assert len(labels) >= 18


@pytest.mark.parametrize(
    "model", [pytest.param(model, id=model._meta.label) for model, _a in registered_admins()]
)
def test_junk_in_a_changelist_never_answers_5xx(model, ops_client):
    model_admin = admin.site._registry[model]
    url = changelist_url(model)
    assert model.objects.exists(), f"{model._meta.label}: no row to show"
    first = ops_client.get(url)
    assert first.status_code == 200
    filter_parameters = {
        name for spec in first.context["cl"].filter_specs for name in spec.expected_parameters()
    }
    failures = []
    for query in junk_queries(model, model_admin, filter_parameters):
        status = ops_client.get(url, query).status_code
        if status >= 500:
            failures.append((query, status))
    assert not failures, failures


def test_a_list_filtered_on_a_nul_is_shown_unfiltered_with_a_message(ops_client, world):
    url = changelist_url(type(world.a.payment))
    response = ops_client.get(url, {"status__exact": "paid\x00"}, follow=True)
    assert response.redirect_chain == [(f"{url}?e=1", 302)]
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["The list could not be filtered that way: it is shown unfiltered."]
    assert world.a.payment in response.context["cl"].result_list
    year = ops_client.get(url, {"created_at__year": "9" * 30}, follow=True)
    assert year.redirect_chain == [(f"{url}?e=1", 302)]


@pytest.mark.parametrize(
    "model", [pytest.param(model, id=model._meta.label) for model, _a in registered_admins()]
)
def test_an_action_on_impossible_rows_changes_nothing(model, ops_client, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = get_user_model().objects.get(username="ops-junk")
    actions = list(model_admin.get_actions(request))
    rows = model.objects.count()
    if not actions:  # a read-only list: the POST is read as the list itself
        response = ops_client.post(
            changelist_url(model),
            {"action": "delete_selected", "_selected_action": ["abc"], "index": "0"},
        )
        assert response.status_code == 200
    for action in actions:
        for ticked in IMPOSSIBLE_ROWS:
            response = ops_client.post(
                changelist_url(model),
                {"action": action, "_selected_action": ticked, "index": "0"},
                follow=True,
            )
            assert response.status_code == 200, (action, ticked, response.status_code)
            shown = [str(m) for m in response.context["messages"]]
            assert any("Items must be selected" in m for m in shown), (action, ticked, shown)
    assert model.objects.count() == rows


def test_an_action_keeps_the_possible_rows_among_junk(ops_client):
    """The junk is dropped, the rest is acted on: deleting a group ticked among junk."""
    group = Group.objects.get(name="Support")
    response = ops_client.post(
        changelist_url(Group),
        {
            "action": "delete_selected",
            "_selected_action": ["abc", str(group.pk), "9" * 30],
            "post": "yes",
            "index": "0",
        },
    )
    assert response.status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists()


def test_the_user_admin_forms_refuse_control_characters(ops_client):
    response = ops_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "bad\x1bname",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert not get_user_model().objects.filter(username__startswith="bad").exists()
    user = get_user_model().objects.get(username="ops-junk")
    response = ops_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {"username": "ops-junk", "first_name": "O\x00ps", "email": "ops@example.com"},
    )
    assert response.status_code == 200
    assert "first_name" in response.context["adminform"].form.errors
