"""``AddIndexConcurrentlyOnPostgreSQL``: concurrent on PostgreSQL, a plain index elsewhere.

The indexes it adds (the receipt sweep's partial index, the idempotency purge's) are checked
valid on PostgreSQL by their own tests; here the whole project migrates on a fresh SQLite file
the way ``make run`` does (a child process: the test process is bound to PostgreSQL), where
``CREATE INDEX CONCURRENTLY`` does not exist, and the indexes are there with their condition.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests import sqlite_demo


@pytest.mark.timeout(180)
def test_the_project_migrates_on_sqlite_with_its_concurrent_indexes(tmp_path):
    env = sqlite_demo.demo_env(tmp_path / "var")
    sqlite_demo.manage(env, "migrate", "--no-input", "-v", "0")
    with sqlite3.connect(tmp_path / "var" / "webexcommerce.sqlite3") as db:
        indexes = dict(
            db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN "
                "('payment_receipt_due', 'api_idempotency_created')"
            ).fetchall()
        )
    assert set(indexes) == {"payment_receipt_due", "api_idempotency_created"}
    assert (
        'WHERE ("receipt_sent_at" IS NULL AND "status" = \'paid\')'
        in indexes["payment_receipt_due"]
    )
    # And back: the operation drops what it built.
    sqlite_demo.manage(env, "migrate", "payments", "0007", "--no-input", "-v", "0")
    sqlite_demo.manage(env, "migrate", "api", "0001", "--no-input", "-v", "0")
    with sqlite3.connect(tmp_path / "var" / "webexcommerce.sqlite3") as db:
        left = db.execute(
            "SELECT name FROM sqlite_master WHERE name IN "
            "('payment_receipt_due', 'api_idempotency_created')"
        ).fetchall()
    assert left == []
