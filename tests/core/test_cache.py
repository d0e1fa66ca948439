"""Rate limits hold across processes and restarts: the default cache is the database (Redis when
CACHE_URL says so), and counting is atomic even when two processes count at the same moment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from northstar.core.cache import DatabaseCache
from northstar.feedback.portal_services import RATE_LIMITS

ROOT = Path(__file__).resolve().parents[2]

VOTER = """
import django, os, sys
django.setup()
from northstar.feedback.portal_services import rate_limit
from northstar.feedback.services import RateLimited
allowed = 0
for _ in range(int(sys.argv[1])):
    try:
        rate_limit(kind="vote", who="ip:203.0.113.9")
        allowed += 1
    except RateLimited:
        pass
print(allowed)
"""


def test_the_default_cache_is_the_shared_database_cache() -> None:
    assert isinstance(caches["default"], DatabaseCache)


@pytest.mark.django_db
def test_two_cache_clients_share_one_counter_and_its_expiry() -> None:
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    assert first.add("votes", 1, timeout=600)
    assert not second.add("votes", 1, timeout=600)
    assert second.incr("votes") == 2 and first.incr("votes") == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM northstar_cache")
        (expires,) = cursor.fetchone()
    second.incr("votes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM northstar_cache")
        assert cursor.fetchone() == (expires,)  # counting does not stretch the window
    assert first.get("votes") == 4
    with pytest.raises(ValueError):
        first.incr("never-added")


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="northstar.settings",
        SECRET_KEY="tests-only-not-secret",
        NORTHSTAR_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _database_url() -> str | None:
    """The test's own PostgreSQL database, or None for a SQLite file of the workers' own."""
    if connection.vendor != "postgresql":
        return None
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_together_get_no_more_votes_than_the_limit_and_a_restart_none(tmp_path: Path) -> None:
    limit = RATE_LIMITS["vote"][0]
    env = _environment(tmp_path, _database_url())
    if env.get("DATABASE_URL") is None:
        subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "createcachetable"], env=env, check=True, cwd=ROOT
        )
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", VOTER, str(limit)], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    allowed = [int(w.communicate(timeout=300)[0].strip().splitlines()[-1]) for w in workers]
    assert sum(allowed) == limit, allowed  # each process alone would have let `limit` through
    restarted = subprocess.run(  # noqa: S603
        [sys.executable, "-c", VOTER, "5"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert restarted.stdout.strip().splitlines()[-1] == "0"
