"""``sites.history.record_many``: the revisions of many sites in one INSERT, the same rows as
``record``."""

from __future__ import annotations

import pytest

from sites import history
from sites.models import Revision

pytestmark = pytest.mark.django_db


def test_many_sites_in_one_insert_with_the_rows_record_writes(
    site, other_site, admin, django_assert_num_queries
):
    changes = [{"field": "status", "label": "Status", "old": "", "new": "expired"}]
    rows = [
        history.RevisionRow(site.pk, None, "promocodes.expiry", changes, "2 expired." * 40),
        history.RevisionRow(other_site, admin, "ecommerce.mode", [], "Mode changed."),
        history.RevisionRow(site, admin, "ecommerce.mode", [], ""),  # nothing to say: skipped
    ]
    with django_assert_num_queries(1):
        written = history.record_many(rows)
    assert len(written) == 2
    single = history.record(site, None, "promocodes.expiry", changes, "2 expired." * 40)
    fields = ("site_id", "actor_id", "area", "changes", "summary")
    stored = list(Revision.objects.filter(area="promocodes.expiry").values_list(*fields))
    assert stored[0] == stored[1] == tuple(getattr(single, f) for f in fields)
    assert len(single.summary) == 300
    assert Revision.objects.get(site=other_site).actor == admin


def test_nothing_to_write_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert history.record_many([]) == []
