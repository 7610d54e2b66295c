"""The *Create* page: every path, every bad input answered with a field error."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from promocodes import codegen
from promocodes.forms import CreatePromoCodesForm
from promocodes.models import CreationBatch, PromoCode, PromoCodeSession
from sites.models import Revision

pytestmark = pytest.mark.django_db


def upload(text: str, name: str = "recipients.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post(client, url, data):
    return client.post(url, data)


def errors_of(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors


# --- Happy paths ----------------------------------------------------------------------


def test_create_page_shows_every_field_of_the_spec(admin_client, create_url):
    response = admin_client.get(create_url)
    assert response.status_code == 200
    body = response.content.decode()
    for field in (
        "service",
        "recipient_name",
        "recipient_email",
        "recipients_file",
        "code_length",
        "usage",
        "max_uses",
        "discount_type",
        "discount_value",
        "expires_on",
        "code_type",
        "quantity",
        "custom_code",
        "applies_to",
        "kind",
    ):
        assert f'name="{field}"' in body, field
    assert 'enctype="multipart/form-data"' in body
    assert ">Create</button>" in body


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_group_of_the_create_page_has_one_heading(admin_client, create_url, language):
    admin_client.cookies["django_language"] = language
    body = admin_client.get(create_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        headings = [
            str(CreatePromoCodesForm.base_fields[name].label)
            for name in ("service", "code_type", "usage", "applies_to")
        ] + [gettext("Discount")]
    for heading in headings:
        text = re.sub(r"<[^>]+>", "|", body)
        assert len(re.findall(rf"\|\s*{re.escape(heading)}\s*\*?\s*\|", text)) == 1, heading


def value_label(body: str) -> str:
    """The text of the discount value's label, without crispy's required mark."""
    [label] = re.findall(r'<label\s+for="id_discount_value"[^>]*>(.*?)</label>', body, re.S)
    return re.sub(r"<[^>]+>|\*", "", label).strip()


@pytest.mark.parametrize(
    ("language", "percent_off", "amount_off"),
    [("en", "Percent off", "Amount off"), ("fr", "Taux de remise", "Montant de la remise")],
)
def test_the_discount_value_is_labelled_for_the_chosen_type(
    admin_client, create_url, valid_create_data, language, percent_off, amount_off
):
    """Not the "Discount" of its group: the page opens on a percentage, a form sent back with
    a fixed amount says so, and the input carries both labels for the page's script."""
    admin_client.cookies["django_language"] = language
    body = admin_client.get(create_url).content.decode()
    assert value_label(body) == percent_off
    assert f'data-label-percent="{percent_off}"' in body
    assert f'data-label-fixed="{amount_off}"' in body
    limit = {"en": "999,999.99", "fr": "999\u00a0999,99"}[language]  # the help's top amount
    assert f"{limit})" in body
    sent = dict(valid_create_data, discount_type="fixed", discount_value="")
    assert value_label(post(admin_client, create_url, sent).content.decode()) == amount_off


def test_the_promo_pages_keep_the_e_commerce_tabs(admin_client, site, create_url):
    body = admin_client.get(create_url).content.decode()
    [bar] = re.findall(r'<ul class="nav nav-tabs.*?</ul>', body, re.S)
    tabs = re.findall(r'href="([^"]+)"', bar)
    assert tabs == [
        reverse(name, args=[site.slug, "events"])
        for name in (
            "ecommerce-enable",
            "ecommerce-mode",
            "provider-list",
            "ecommerce-business",
            "ecommerce-payment-page",
            "promocode-create",
            "promocode-report",
        )
    ]
    assert f'aria-current="page" href="{create_url}"' in body


def test_a_single_code_is_shown_on_its_confirmation(
    admin_client, site, create_url, valid_create_data
):
    data = dict(valid_create_data, code_type="single", custom_code="Spring-2026")
    page = admin_client.post(create_url, data, follow=True).content.decode()
    assert "data-batch-code>Spring-2026</output>" in page and "data-copy=" in page
    batch = CreationBatch.objects.get()
    assert f"batch={batch.pk}" in page
    progress = reverse("promocode-batch-progress", args=[site.slug, "events", batch.pk])
    assert admin_client.get(progress).json()["code"] == "Spring-2026"


def test_generated_codes_are_created_with_every_parameter(
    admin_client, admin, site, create_url, valid_create_data
):
    data = dict(valid_create_data, quantity="25", code_length="12", usage="times", max_uses="3")
    data.update(discount_type="fixed", discount_value="12.50")
    response = post(admin_client, create_url, data)
    batch = CreationBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("promocode-batch", args=[site.slug, "events", batch.pk])
    codes = PromoCode.objects.for_site(site)
    assert codes.count() == 25 and batch.state == "done" and batch.done == 25
    for code in codes:
        assert len(code.code) == 12
        assert set(code.code) <= set(codegen.ALPHABET)
        assert code.max_uses == 3 and code.uses == 0
        assert code.discount_type == "fixed" and code.discount_value == Decimal("12.50")
        assert code.status == "active" and code.created_by == admin
        assert code.service == "events" and code.applies_to == "all" and code.kind == ""
    assert len({c.code.upper() for c in codes}) == 25
    assert Revision.objects.filter(site=site, area="promocodes.create").count() == 1


def test_generated_code_alphabet_has_no_look_alikes():
    for char in "0O1IL":
        assert char not in codegen.ALPHABET
    codes = codegen.generate(8, 5000)
    assert len(set(codes)) == 5000
    assert all(len(c) == 8 and set(c) <= set(codegen.ALPHABET) for c in codes)


def test_unlimited_usage_stores_no_maximum(admin_client, site, create_url, valid_create_data):
    post(admin_client, create_url, dict(valid_create_data, usage="unlimited"))
    assert PromoCode.objects.get().max_uses is None


def test_once_usage_allows_one_use(admin_client, site, create_url, valid_create_data):
    post(admin_client, create_url, dict(valid_create_data, usage="once", max_uses="7"))
    assert PromoCode.objects.get().max_uses == 1


def test_single_custom_code_keeps_the_text_typed(admin_client, site, create_url, valid_create_data):
    data = dict(valid_create_data, code_type="single", custom_code=" Spring-2026 ")
    response = post(admin_client, create_url, data)
    assert response.status_code == 302
    assert PromoCode.objects.get().code == "Spring-2026"


def test_one_recipient_gets_one_code_with_their_name(
    admin_client, site, create_url, valid_create_data
):
    data = dict(valid_create_data, recipient_name="Ada Lovelace", recipient_email="ada@example.com")
    data["quantity"] = "5"  # ignored: one code per recipient
    post(admin_client, create_url, data)
    code = PromoCode.objects.get()
    assert (code.recipient_name, code.recipient_email) == ("Ada Lovelace", "ada@example.com")


def test_recipient_without_name_is_named_after_the_address(
    admin_client, site, create_url, valid_create_data
):
    post(admin_client, create_url, dict(valid_create_data, recipient_email="bob.smith@example.com"))
    assert PromoCode.objects.get().recipient_name == "bob.smith"


def test_uploaded_file_gives_one_code_per_recipient(
    admin_client, site, create_url, valid_create_data
):
    text = 'email,name\nada@example.com,Ada\n\ngrace@example.com,"Hopper, Grace"\nlin@example.com\n'
    data = dict(valid_create_data, recipients_file=upload(text))
    response = post(admin_client, create_url, data)
    assert response.status_code == 302
    recipients = set(PromoCode.objects.values_list("recipient_email", "recipient_name"))
    assert recipients == {
        ("ada@example.com", "Ada"),
        ("grace@example.com", "Hopper, Grace"),
        ("lin@example.com", "lin"),
    }


def test_txt_upload_is_accepted(admin_client, site, create_url, valid_create_data):
    data = dict(
        valid_create_data, recipients_file=upload("a@example.com\nb@example.com\n", "list.txt")
    )
    assert post(admin_client, create_url, data).status_code == 302
    assert PromoCode.objects.count() == 2


def test_applicable_to_one_kind(admin_client, site, create_url, valid_create_data):
    data = dict(valid_create_data, applies_to="kind", kind="live_event")
    assert post(admin_client, create_url, data).status_code == 302
    code = PromoCode.objects.get()
    assert (code.applies_to, code.kind) == ("kind", "live_event")


def test_applicable_to_chosen_sessions(
    admin_client, site, create_url, valid_create_data, make_session
):
    first, second = make_session(site, "One"), make_session(site, "Two")
    make_session(site, "Three")
    data = dict(
        valid_create_data, applies_to="sessions", sessions=[first.pk, second.pk], quantity="3"
    )
    assert post(admin_client, create_url, data).status_code == 302
    assert PromoCodeSession.objects.count() == 6
    for code in PromoCode.objects.all():
        assert set(code.sessions.all()) == {first, second}


def test_training_codes(admin_client, site, valid_create_data):
    url = reverse("promocode-create", args=[site.slug, "training"])
    data = dict(valid_create_data, service="training", applies_to="kind", kind="training_recording")
    assert post(admin_client, url, data).status_code == 302
    assert PromoCode.objects.get().service == "training"


def test_iso_expiration_date_from_a_date_picker_is_accepted(
    admin_client, site, create_url, valid_create_data
):
    iso = (date.today() + timedelta(days=3)).isoformat()
    assert (
        post(admin_client, create_url, dict(valid_create_data, expires_on=iso)).status_code == 302
    )
    assert PromoCode.objects.get().expires_on.isoformat() == iso


def test_expiration_today_in_the_site_time_zone_is_accepted(
    admin_client, site, create_url, valid_create_data
):
    today = site.today().strftime("%d/%m/%Y")
    assert (
        post(admin_client, create_url, dict(valid_create_data, expires_on=today)).status_code == 302
    )


def test_large_quantity_is_queued_as_a_task(
    admin_client,
    site,
    create_url,
    valid_create_data,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from promocodes import tasks

    queued = []
    monkeypatch.setattr(tasks.generate_batch, "delay", lambda batch_id: queued.append(batch_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(admin_client, create_url, dict(valid_create_data, quantity="100000"))
    batch = CreationBatch.objects.get()
    assert response.status_code == 302
    assert queued == [batch.pk]
    assert (batch.total, batch.done, batch.state) == (100_000, 0, "pending")
    assert not PromoCode.objects.exists()


# --- Bad input: field errors, nothing created --------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service": "webinars"}, "service"),
        ({"code_length": "5"}, "code_length"),
        ({"code_length": "21"}, "code_length"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "100001"}, "quantity"),
        ({"quantity": ""}, "quantity"),
        ({"usage": "times", "max_uses": ""}, "max_uses"),
        ({"usage": "times", "max_uses": "0"}, "max_uses"),
        ({"discount_type": "percent", "discount_value": "0"}, "discount_value"),
        ({"discount_type": "percent", "discount_value": "101"}, "discount_value"),
        ({"discount_type": "percent", "discount_value": "0.5"}, "discount_value"),
        ({"discount_type": "fixed", "discount_value": "0"}, "discount_value"),
        ({"discount_type": "fixed", "discount_value": "-5"}, "discount_value"),
        ({"discount_type": "fixed", "discount_value": "1000000"}, "discount_value"),
        ({"discount_type": "fixed", "discount_value": "abc"}, "discount_value"),
        ({"discount_type": "fixed", "discount_value": "1.234"}, "discount_value"),
        ({"expires_on": ""}, "expires_on"),
        ({"expires_on": "31/02/2030"}, "expires_on"),
        ({"expires_on": "12-31-2030"}, "expires_on"),
        ({"expires_on": "01/01/2020"}, "expires_on"),
        ({"recipient_email": "not-an-email"}, "recipient_email"),
        ({"recipient_name": "Ada", "recipient_email": ""}, "recipient_email"),
        ({"code_type": "single", "custom_code": ""}, "custom_code"),
        ({"code_type": "single", "custom_code": "AB"}, "custom_code"),
        ({"code_type": "single", "custom_code": "A" * 21}, "custom_code"),
        ({"code_type": "single", "custom_code": "=HYPERLINK(1)"}, "custom_code"),
        ({"code_type": "single", "custom_code": "with space"}, "custom_code"),
        ({"code_type": "single", "custom_code": "-DASHFIRST"}, "custom_code"),
        ({"applies_to": "kind", "kind": ""}, "kind"),
        ({"applies_to": "kind", "kind": "live_training"}, "kind"),
        ({"applies_to": "sessions"}, "sessions"),
        ({"applies_to": "everything"}, "applies_to"),
    ],
)
def test_bad_input_is_a_field_error_and_creates_nothing(
    admin_client, create_url, valid_create_data, changes, field
):
    response = post(admin_client, create_url, dict(valid_create_data, **changes))
    assert field in errors_of(response)
    assert not PromoCode.objects.exists() and not CreationBatch.objects.exists()


def test_custom_code_already_used_in_any_case_is_a_field_error(
    admin_client, site, create_url, valid_create_data, make_code
):
    make_code(site, "SUMMER-SALE")
    data = dict(valid_create_data, code_type="single", custom_code="summer-sale")
    errors = errors_of(post(admin_client, create_url, data))
    assert "already exists" in errors["custom_code"][0]
    assert PromoCode.objects.count() == 1


def test_same_custom_code_in_another_site_is_fine(
    admin_client, site, other_site, create_url, valid_create_data, make_code
):
    make_code(other_site, "SUMMER")
    data = dict(valid_create_data, code_type="single", custom_code="summer")
    assert post(admin_client, create_url, data).status_code == 302
    assert PromoCode.objects.for_site(site).get().code == "summer"


def test_database_constraint_backs_up_the_form_check(
    admin_client, site, create_url, valid_create_data, make_code, monkeypatch
):
    """A code taken between the form's check and the insert: a field error, never a 500."""
    from promocodes.forms import CreatePromoCodesForm

    original = CreatePromoCodesForm.clean_custom_code

    def clean_then_race(form):
        value = original(form)
        make_code(site, value.upper())
        return value

    monkeypatch.setattr(CreatePromoCodesForm, "clean_custom_code", clean_then_race)
    data = dict(valid_create_data, code_type="single", custom_code="racer")
    errors = errors_of(post(admin_client, create_url, data))
    assert "already exists" in errors["custom_code"][0]
    assert PromoCode.objects.count() == 1
    assert not CreationBatch.objects.exists()


def test_the_unique_constraint_ignores_case():
    from django.db import IntegrityError, transaction

    from sites.models import Site

    site = Site.objects.create(slug="case", name="Case")
    PromoCode.objects.create(
        site=site,
        service="events",
        code="abc123",
        discount_type="percent",
        discount_value=5,
        expires_on=date.today(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCode.objects.create(
            site=site,
            service="events",
            code="ABC123",
            discount_type="percent",
            discount_value=5,
            expires_on=date.today(),
        )


def test_recipient_and_file_together_is_an_error(admin_client, create_url, valid_create_data):
    data = dict(
        valid_create_data, recipient_email="a@example.com", recipients_file=upload("b@example.com")
    )
    assert "recipients_file" in errors_of(post(admin_client, create_url, data))


def test_single_code_for_many_recipients_is_an_error(admin_client, create_url, valid_create_data):
    data = dict(valid_create_data, code_type="single", custom_code="ONEFORALL")
    data["recipients_file"] = upload("a@example.com\nb@example.com\n")
    assert "recipients_file" in errors_of(post(admin_client, create_url, data))
    assert not PromoCode.objects.exists()


def test_sessions_of_another_service_are_refused(
    admin_client, site, create_url, valid_create_data, make_session
):
    training = make_session(site, "Course", service="training", kind="training_recording")
    data = dict(valid_create_data, applies_to="sessions", sessions=[training.pk])
    assert "sessions" in errors_of(post(admin_client, create_url, data))


def test_sessions_of_another_site_cannot_be_chosen(
    admin_client, other_site, create_url, valid_create_data, make_session
):
    foreign = make_session(other_site, "Foreign")
    data = dict(valid_create_data, applies_to="sessions", sessions=[foreign.pk])
    assert "sessions" in errors_of(post(admin_client, create_url, data))


def test_past_date_is_judged_in_the_site_time_zone(
    admin_client, make_site, make_member, client, valid_create_data
):
    """Yesterday in the site's zone is refused even when it is still "today" elsewhere."""
    kiritimati = make_site("kiri", time_zone="Pacific/Kiritimati")  # UTC+14
    client.force_login(make_member("kim", kiritimati))
    yesterday = kiritimati.today() - timedelta(days=1)
    url = reverse("promocode-create", args=["kiri", "events"])
    data = dict(valid_create_data, expires_on=yesterday.strftime("%d/%m/%Y"))
    assert "expires_on" in errors_of(post(client, url, data))


# --- Upload: all or nothing, bad lines by number ------------------------------------------


def test_upload_with_a_bad_line_names_the_line_and_creates_nothing(
    admin_client, create_url, valid_create_data
):
    text = "ada@example.com,Ada\nbob@example.com\nnot-an-address,Nobody\ncy@example.com\n"
    response = post(admin_client, create_url, dict(valid_create_data, recipients_file=upload(text)))
    messages = " ".join(errors_of(response)["recipients_file"])
    assert "Line 3" in messages and "not-an-address" in messages
    assert "Nothing was created" in messages
    assert not PromoCode.objects.exists()


def test_upload_reports_every_bad_line(admin_client, create_url, valid_create_data):
    text = "a@example.com\nbad1\nb@example.com,B,extra\n\nbad2@\n"
    messages = " ".join(
        errors_of(
            post(admin_client, create_url, dict(valid_create_data, recipients_file=upload(text)))
        )["recipients_file"]
    )
    assert "Line 2" in messages and "Line 3" in messages and "Line 5" in messages


def test_upload_of_more_than_1000_lines_is_refused(admin_client, create_url, valid_create_data):
    text = "".join(f"user{i}@example.com\n" for i in range(1001))
    errors = errors_of(
        post(admin_client, create_url, dict(valid_create_data, recipients_file=upload(text)))
    )
    assert "1,001" in errors["recipients_file"][0]
    assert not PromoCode.objects.exists()


def test_upload_of_exactly_1000_lines_is_accepted(
    admin_client, create_url, valid_create_data, django_capture_on_commit_callbacks, monkeypatch
):
    from promocodes import tasks

    monkeypatch.setattr(tasks.generate_batch, "delay", lambda batch_id: None)
    text = "".join(f"user{i}@example.com\n" for i in range(1000))
    data = dict(valid_create_data, recipients_file=upload(text))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(admin_client, create_url, data).status_code == 302
    assert CreationBatch.objects.get().total == 1000


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"a@example.com", "list.xlsx", ".txt or .csv"),
        (b"", "empty.csv", "empty"),
        (b"\n \n", "blank.csv", "no recipient"),
        (b"email,name\n", "header-only.csv", "no recipient"),
        (b"\xff\xfe\x00bad", "latin.csv", "UTF-8"),
    ],
)
def test_unusable_upload_is_refused(
    admin_client, create_url, valid_create_data, content, name, message
):
    data = dict(valid_create_data, recipients_file=SimpleUploadedFile(name, content))
    errors = errors_of(post(admin_client, create_url, data))
    assert message in " ".join(errors["recipients_file"])


# --- Who may create ------------------------------------------------------------------------


def test_organizer_cannot_open_or_post_the_create_page(
    organizer_client, create_url, valid_create_data
):
    assert organizer_client.get(create_url).status_code == 403
    assert organizer_client.post(create_url, valid_create_data).status_code == 403
    assert not PromoCode.objects.exists()


def test_member_of_another_site_gets_404(outsider_client, create_url, valid_create_data):
    assert outsider_client.get(create_url).status_code == 404
    assert outsider_client.post(create_url, valid_create_data).status_code == 404


def test_anonymous_is_sent_to_login(client, create_url):
    response = client.get(create_url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_service_is_404(admin_client, site):
    assert (
        admin_client.get(f"/s/{site.slug}/webinars/ecommerce/promocodes/create/").status_code == 404
    )


def test_create_requires_csrf(admin, create_url, valid_create_data):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(create_url, valid_create_data).status_code == 403
    assert not PromoCode.objects.exists()


def test_unprovisioned_site_shows_the_notice(client, make_site, make_member, valid_create_data):
    initech = make_site("initech", ecommerce_provisioned=False)
    client.force_login(make_member("ian", initech))
    url = reverse("promocode-create", args=["initech", "events"])
    response = client.post(url, valid_create_data)
    assert response.status_code == 200 and b"not provisioned" in response.content.lower()
    assert not PromoCode.objects.exists()


# --- Progress page ---------------------------------------------------------------------------


def test_progress_page_and_json(admin_client, site, create_url, valid_create_data):
    post(admin_client, create_url, dict(valid_create_data, quantity="3"))
    batch = CreationBatch.objects.get()
    page = admin_client.get(reverse("promocode-batch", args=[site.slug, "events", batch.pk]))
    assert page.status_code == 200 and b"<progress" in page.content
    assert b"3 promotional codes created" in page.content
    data = admin_client.get(
        reverse("promocode-batch-progress", args=[site.slug, "events", batch.pk])
    ).json()
    assert data == {
        "state": "done",
        "state_label": "Done",
        "total": 3,
        "done": 3,
        "percent": 100,
        "finished": True,
        "resumed": False,
        "error": "",
        "code": "",
    }


def test_running_batch_page_refreshes_itself_without_javascript(admin_client, site, admin):
    batch = CreationBatch.objects.create(
        site=site, service="events", total=5000, done=1000, state="running"
    )
    page = admin_client.get(reverse("promocode-batch", args=[site.slug, "events", batch.pk]))
    body = page.content.decode()
    assert '<noscript><meta http-equiv="refresh"' in body
    assert 'value="1000"' in body and 'max="5000"' in body


def test_batch_of_another_site_is_404(admin_client, site, other_site):
    batch = CreationBatch.objects.create(site=other_site, service="events", total=1)
    url = reverse("promocode-batch-progress", args=[site.slug, "events", batch.pk])
    assert admin_client.get(url).status_code == 404
