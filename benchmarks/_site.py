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

    The loaded database is kept under the tree hash of `northstar/` (a file in benchmarks/.cache on
    SQLite, a template database on PostgreSQL), so the page benchmarks of one commit build the large
    demo once: it takes many minutes on two cores. The seconds returned are then those of the run that
    built it. A work tree with uncommitted changes to the app never reads or writes the cache. On
    PostgreSQL the database at DATABASE_URL is dropped and re-created from the cache: point it at a
    database of its own.
    """
    from django.core.management import call_command
    from django.db import connection

    from northstar.demo import load_demo

    key = _code_key()
    cache = _SqliteCache(scale, key) if connection.vendor == "sqlite" else _PostgresCache(scale, key)
    seconds = cache.restore() if key else None
    if seconds is not None:
        print(f"demo ({scale}) from the cache of tree {key[:12]}: built in {seconds:.1f} s by an earlier run")
    else:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        load_demo(scale=scale)
        seconds = time.perf_counter() - started
        if key:
            cache.keep(seconds)
    if connection.vendor == "postgresql":
        _analyze()
    call_command("collectstatic", interactive=False, verbosity=0)
    return seconds


def _analyze() -> None:
    """Give PostgreSQL's planner its statistics, as autovacuum does within a minute or so of a load.

    Measured straight after a bulk load (or a copy of a never-analysed template), every table looks
    empty to the planner: home's feedback aggregate then took 700-900 ms through a nested loop that
    the real statistics turn into a 12 ms scan. A server that has been up for minutes never sees that.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _code_key() -> str:
    """The tree hash of the app's code, or "" when it has uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    if git("status", "--porcelain", "--", "northstar").strip():
        return ""
    return git("rev-parse", "HEAD:northstar").strip()


class _SqliteCache:
    def __init__(self, scale: str, key: str) -> None:
        from django.db import connection

        self.database = Path(connection.settings_dict["NAME"])
        self.file = ROOT / "benchmarks" / ".cache" / f"site-{scale}-{key[:12]}.sqlite3"

    def restore(self) -> float | None:
        from django.db import connection

        if not self.file.exists():
            return None
        connection.close()
        shutil.copyfile(self.file, self.database)
        return float(json.loads(self.file.with_suffix(".json").read_text())["demo_load_seconds"])

    def keep(self, seconds: float) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        self.file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.database, self.file)
        self.file.with_suffix(".json").write_text(json.dumps({"demo_load_seconds": round(seconds, 2)}) + "\n")


class _PostgresCache:
    """A template database per scale and code: `CREATE DATABASE ... TEMPLATE` copies it in seconds."""

    def __init__(self, scale: str, key: str) -> None:
        from django.db import connection

        self.database = connection.settings_dict["NAME"]
        self.template = f"nsbench_{scale}_{key[:12]}"

    def _admin(self, *statements: str) -> list[tuple[Any, ...]]:
        import psycopg
        from django.db import connection

        connection.close()
        settings = connection.settings_dict
        with psycopg.connect(
            dbname="postgres",
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            autocommit=True,
        ) as admin:
            rows: list[tuple[Any, ...]] = []
            for statement in statements:
                cursor = admin.execute(statement)
                if cursor.description:
                    rows = cursor.fetchall()
            return rows

    def restore(self) -> float | None:
        found = self._admin(
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{self.template}'"
        )
        if not found:
            return None
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            f'CREATE DATABASE "{self.database}" TEMPLATE "{self.template}"',
        )
        return float(json.loads(found[0][0])["demo_load_seconds"])

    def keep(self, seconds: float) -> None:
        note = json.dumps({"demo_load_seconds": round(seconds, 2)})
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.template}"',
            f'CREATE DATABASE "{self.template}" TEMPLATE "{self.database}"',
            f"COMMENT ON DATABASE \"{self.template}\" IS '{note}'",
        )


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
