"""What the page benchmarks share: a throw-away site with the demo company, and timed requests.

    from _site import boot, load_site, signed_in, measure, report

`boot()` configures Django on the real settings with a temporary data directory (or the database at
DATABASE_URL); `load_site(scale)` migrates, collects static files and loads the demo; `measure` runs a
request once to count its queries, then `repeat` times for the median and p95 server time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))


def boot() -> None:
    os.environ.setdefault("NORTHSTAR_DATA_DIR", tempfile.mkdtemp(prefix="northstar-bench-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "northstar.settings"
    import django

    django.setup()


def load_site(scale: str) -> float:
    """Migrate, collect static files and load the demo at `scale`; returns the demo's load seconds."""
    from django.core.management import call_command

    from northstar.demo import load_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_demo(scale=scale)
    return time.perf_counter() - started


def signed_in(username: str, role: str) -> Any:
    """A test client signed in as a (new or existing) user with `role`."""
    from django.test import Client

    from northstar.core.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def measure(name: str, call: Callable[[], Any], *, repeat: int, warm: bool = False) -> dict[str, Any]:
    """Count one call's queries, then time `repeat` calls (median and p95 in ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        call()  # imports and caches once, so the count is the steady state
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, (name, response.status_code)
    query_count = len(queries)  # read now: the next request resets the connection's query log
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    return {
        "case": name,
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 1),
        "kb": round(len(getattr(response, "content", b"") or b"") / 1024, 1),
    }


def report(title: str, rows: list[dict[str, Any]], *, path: Path, extra: dict[str, Any]) -> None:
    """Print the table and write the JSON record next to the other results."""
    from django.db import connection

    width = max(len(row["case"]) for row in rows) + 2
    print(title)
    print(f"{'case':<{width}} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['case']:<{width}} {row['queries']:>7} {row['median_ms']:>10} {row['p95_ms']:>8}")
    from _common import machine

    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"database": connection.vendor, "machine": machine(), **extra, "cases": rows}
    path.write_text(json.dumps(record, indent=2) + "\n")


def result_path(explicit: str, stem: str) -> Path:
    """`--json` when given, else benchmarks/results/<stem>.json (<stem>_postgresql.json on PostgreSQL)."""
    from django.db import connection

    if explicit:
        return Path(explicit)
    return RESULTS / (f"{stem}.json" if connection.vendor == "sqlite" else f"{stem}_{connection.vendor}.json")
