"""Site scoping, roles and the sites pages (picker, home, history)."""

import pytest
from django.test import Client
from django.urls import reverse

from sites import history
from sites.models import Revision

pytestmark = pytest.mark.django_db


def test_login_page_renders_and_anonymous_is_sent_to_login(client, site):
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("site-home", args=[site.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_then_site_picker_goes_straight_to_the_only_site(client, admin, site):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302
    response = client.get(reverse("site-picker"))
    assert response["Location"] == reverse("site-home", args=[site.slug])


def test_site_picker_lists_every_site_of_a_member_of_several(client, make_member, site, other_site):
    from sites.models import Membership

    user = make_member("multi", site, "admin")
    Membership.objects.create(user=user, site=other_site, role="organizer")
    client.force_login(user)
    response = client.get(reverse("site-picker"))
    assert response.status_code == 200
    assert b"Acme" in response.content and b"Globex" in response.content


def test_other_sites_pages_answer_404(outsider_client, site):
    for name in ("site-home", "site-history"):
        assert outsider_client.get(reverse(name, args=[site.slug])).status_code == 404
    assert outsider_client.get("/s/no-such-site/").status_code == 404


def test_organizer_may_see_home_but_not_history(organizer_client, site):
    assert organizer_client.get(reverse("site-home", args=[site.slug])).status_code == 200
    assert organizer_client.get(reverse("site-history", args=[site.slug])).status_code == 403


def test_history_lists_revisions_newest_first_with_secrets_masked(admin_client, admin, site):
    history.record(
        site,
        admin,
        "ecommerce.business",
        [{"field": "business_name", "label": "Business name", "old": "", "new": "Acme Inc"}],
    )
    history.record(
        site,
        admin,
        "ecommerce.provider",
        [{"field": "password", "label": "Password", "secret": True}],
    )
    response = admin_client.get(reverse("site-history", args=[site.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("ecommerce.provider") < body.index("ecommerce.business")
    assert "Acme Inc" in body and "changed" in body


def test_diff_never_keeps_a_secret_value():
    changes = history.diff(
        {"password": "old-secret", "name": "a"},
        {"password": "new-secret", "name": "b"},
        {"password": "Password", "name": "Name"},
        secret_fields=["password"],
    )
    assert {"field": "password", "label": "Password", "secret": True} in changes
    assert "old-secret" not in str(changes) and "new-secret" not in str(changes)


def test_history_of_another_site_is_not_shown(admin_client, other_site, site):
    Revision.objects.create(site=other_site, area="ecommerce.mode", summary="globex-only")
    response = admin_client.get(reverse("site-history", args=[site.slug]))
    assert b"globex-only" not in response.content


def test_logout_is_a_post_with_csrf(site, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(reverse("logout")).status_code == 403


def test_language_switch_to_french(admin_client, site):
    admin_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    response = admin_client.get(reverse("site-home", args=[site.slug]))
    assert "Configuration" in response.content.decode()
    assert response.headers["Content-Language"] == "fr"


def test_unprovisioned_site_shows_only_the_notice(admin_client, site):
    site.ecommerce_provisioned = False
    site.save()
    response = admin_client.get(reverse("ecommerce-enable", args=[site.slug, "events"]))
    assert response.status_code == 200
    assert b"not provisioned" in response.content
    assert b'name="events_enabled"' not in response.content


def test_login_throttling_locks_out_after_repeated_failures(client, admin):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_login_pages_top_bar_names_the_product_not_the_host(client):
    body = client.get("/accounts/login/", HTTP_HOST="localhost").content.decode()
    bar = body.split("</nav>")[0]
    assert "Webex e-commerce" in bar and "navbar-text" not in bar
