"""Sync 100,000 issues from the local fake Jira: issues per second and peak memory.

The fake Jira (tests/delivery/fakes/jira.py) runs in its own process on 127.0.0.1, serving 100,000
issues (an epic every 50) in the REST v3 shape, 100 a page with `nextPageToken`. The sync is the real
one (`northstar.delivery.sync.delivery_sync`: page by page, each page upserted in one transaction with
its cursor) into a fresh database: SQLite in a temporary directory, or PostgreSQL when DATABASE_URL is
set. Reported next to it, the floor no sync can beat on this machine: the same pages fetched and parsed
into records without storing them.

    .venv/bin/python benchmarks/delivery_sync.py [--issues 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nsbench_sync .venv/bin/python benchmarks/delivery_sync.py
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _common import RESULTS, machine, table, write_json  # noqa: E402


def _boot() -> str:
    os.environ.setdefault("NORTHSTAR_DATA_DIR", tempfile.mkdtemp(prefix="northstar-bench-sync-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "northstar.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=100_000)
    args = parser.parse_args()
    vendor = _boot()
    from northstar.delivery.models import Connection, WorkItem
    from northstar.delivery.secrets import seal
    from northstar.delivery.sources import source_for
    from northstar.delivery.sync import delivery_sync
    from tests.delivery.fakes import jira

    server = subprocess.Popen(  # the fake tool in its own process, so its JSON work is not ours
        [sys.executable, "-m", "tests.delivery.fakes.jira", "--issues", str(args.issues)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        WorkItem.objects.all().delete()
        Connection.objects.all().delete()
        connection = Connection.objects.create(
            name="Bench Jira", tool="jira", base_url=url, account=jira.EMAIL, scope="PAY, CHK",
            token_encrypted=seal(jira.TOKEN),
        )  # fmt: skip
        # The floor: fetch and parse every page, store nothing.
        source = source_for(connection)
        started = time.perf_counter()
        cursor, fetched = "", 0
        while True:
            page = source.fetch("issues", cursor, None)
            fetched += len(page.records)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        floor = time.perf_counter() - started
        source.http.close()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        result = delivery_sync(connection_id=connection.pk)
        seconds = time.perf_counter() - started
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stored = WorkItem.objects.filter(connection=connection).count()
        linked = WorkItem.objects.filter(connection=connection, parent__isnull=False).count()
        # A second sync with nothing changed: one page, nothing to store.
        started = time.perf_counter()
        again = delivery_sync(connection_id=connection.pk)
        incremental = time.perf_counter() - started
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    record = {
        "benchmark": "delivery_sync",
        "database": vendor,
        "issues": args.issues,
        "stored": stored,
        "linked_to_epics": linked,
        "pages": result["pages"],
        "seconds": round(seconds, 2),
        "issues_per_second": round(stored / seconds),
        "peak_rss_mb": round(rss_peak / 1024, 1),
        "rss_growth_mb": round((rss_peak - rss_before) / 1024, 1),
        "floor_fetch_parse_seconds": round(floor, 2),
        "floor_issues_per_second": round(fetched / floor),
        "incremental_seconds": round(incremental, 3),
        "incremental_items": again["items"],
        **machine(),
    }
    print(
        table(
            ["what", "seconds", "issues/s", "note"],
            [
                [
                    "sync (fetch, parse, upsert, link)",
                    record["seconds"],
                    record["issues_per_second"],
                    f"{stored:,} stored, {linked:,} under epics, {result['pages']} pages",
                ],
                [
                    "floor: fetch + parse only",
                    record["floor_fetch_parse_seconds"],
                    record["floor_issues_per_second"],
                    "nothing stored",
                ],
                [
                    "incremental sync, nothing changed",
                    record["incremental_seconds"],
                    "",
                    f"{again['items']} items",
                ],
            ],
        )
    )
    print(
        f"peak RSS {record['peak_rss_mb']} MB ({vendor}); load {record['load_1m']} on {record['cpus']} CPUs"
    )
    suffix = "" if vendor == "sqlite" else f"_{vendor}"
    write_json(RESULTS / f"delivery_sync{suffix}.json", [record])
    return 0 if stored == args.issues else 1


if __name__ == "__main__":
    raise SystemExit(main())
