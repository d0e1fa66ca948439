"""What the page benchmarks share: a throw-away site with the demo company, and timed requests.

    from _site import boot, load_site, signed_in, measure, report

`boot()` configures Django on the real settings with a temporary data directory (or the database at
DATABASE_URL); `load_site(scale)` migrates, collects static files and loads the demo; `measure` runs a
request once to count its queries, then `repeat` times for the median and p95 server time.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
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
    """Migrate, collect static files and load the demo at `scale`; returns the demo's load seconds.

    On SQLite the loaded database is kept in benchmarks/.cache under the tree hash of `northstar/`, so
    the page benchmarks of one commit build the large demo once (it takes minutes on two cores). The
    returned seconds are then those of the run that built it. A work tree with uncommitted changes to
    the app never reads or writes the cache.
    """
    from django.core.management import call_command
    from django.db import connection

    from northstar.demo import load_demo

    cached = _site_cache(scale) if connection.vendor == "sqlite" else None
    database = Path(connection.settings_dict["NAME"])
    if cached and cached.exists():
        connection.close()
        shutil.copyfile(cached, database)
        seconds = float(json.loads(cached.with_suffix(".json").read_text())["demo_load_seconds"])
        print(f"demo ({scale}) from {cached.name}: built in {seconds:.1f} s by an earlier run")
        call_command("collectstatic", interactive=False, verbosity=0)
        return seconds
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_demo(scale=scale)
    seconds = time.perf_counter() - started
    if cached:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(database, cached)
        cached.with_suffix(".json").write_text(json.dumps({"demo_load_seconds": round(seconds, 2)}) + "\n")
    return seconds


def _site_cache(scale: str) -> Path | None:
    """Where the demo of this code would be cached, or None when the code is not committed."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    if git("status", "--porcelain", "--", "northstar").strip():
        return None
    tree = git("rev-parse", "HEAD:northstar").strip()
    return ROOT / "benchmarks" / ".cache" / f"site-{scale}-{tree[:12]}.sqlite3" if tree else None


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
    from _common import write_json

    write_json(path, {"database": connection.vendor, **extra, "cases": rows})


def result_path(explicit: str, stem: str) -> Path:
    """`--json` when given, else benchmarks/results/<stem>.json (<stem>_postgresql.json on PostgreSQL)."""
    from django.db import connection

    if explicit:
        return Path(explicit)
    return RESULTS / (f"{stem}.json" if connection.vendor == "sqlite" else f"{stem}_{connection.vendor}.json")
