"""Feedback import at scale, against the database's own bulk load of the same rows in the same run.

Generates a Zendesk-style export (ticket id, subject, description, requester, email, organisation,
date; 2,000 organisations) and, on SQLite and on PostgreSQL (when one answers at 127.0.0.1:5432, in a
throw-away database `nsbench_feedback`), each in a fresh process:

* ours: a copy with one bad row near the end (refused, nothing stored), the real import through the
  service the import job runs (all-or-nothing, dedupe, customers, search index), then the same file
  again (adds nothing); wall time and peak resident memory;
* floor: the database's own bulk load of exactly the rows our import stored (customers, the batch,
  feedback items, search entries) into an empty copy of the same schema, with every key, index,
  foreign key and full-text index/trigger in place: SQLite `executemany` of the stored rows read
  straight from the imported database (no parsing at all), PostgreSQL `COPY FROM` of them.

    .venv/bin/python benchmarks/feedback_import.py [--rows 1000000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, machine, table, write_json

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/nsbench_feedback"
PG_FLOOR = "nsbench_feedback_floor"
#: Tables the import fills, parents first (the order a bulk load needs with foreign keys on).
TABLES = ("feedback_importbatch", "feedback_customer", "feedback_feedbackitem", "home_searchentry")

SUBJECTS = ["Exports", "Payouts", "SSO", "Checkout", "Invoices", "Webhooks", "Refunds", "Dark mode"]
SAYINGS = [
    "Please add Apple Pay to the checkout page",
    "Payouts take too long to reach our bank",
    "We need SAML single sign-on for our finance team",
    "Invoices need our customer's VAT number",
    "Webhooks are sometimes never delivered",
    "We cannot issue a partial refund from the dashboard",
    "The app needs a dark mode",
    "Export all transactions to CSV for the accountants",
]


def write_csv(path: Path, rows: int, *, bad_row: int | None = None) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["Id", "Subject", "Description", "Requester", "Requester email", "Organization", "Created at"]
        )
        for n in range(rows):
            org = rng.randrange(2000)
            date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if bad_row is not None and n == bad_row:
                date = "the 31st of Smarch"
            out.writerow(
                [
                    100000 + n,
                    rng.choice(SUBJECTS),
                    f"{rng.choice(SAYINGS)} (ticket {n})",
                    f"Person {org}",
                    f"person{org}@org{org}.example",
                    f"Org {org}",
                    date,
                ]
            )


def _sqlite_floor(db: Path, empty: Path, work: Path) -> dict[str, float]:
    """executemany of the stored rows into a copy of the empty migrated database, one transaction."""
    floor = work / "floor.sqlite3"
    shutil.copy(empty, floor)
    times: dict[str, float] = {}
    with sqlite3.connect(floor, isolation_level="DEFERRED") as conn:
        conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        source = sqlite3.connect(db)
        for name in TABLES:
            columns = [row[1] for row in source.execute(f'PRAGMA table_info("{name}")')]
            marks = ", ".join("?" * len(columns))
            insert = f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({marks})'
            rows = source.execute(f'SELECT {", ".join(columns)} FROM "{name}" ORDER BY id')
            times[name] = 0.0
            while chunk := rows.fetchmany(5000):  # reading the stored rows is not timed: only the load
                t0 = time.perf_counter()
                conn.executemany(insert, chunk)
                times[name] += time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.commit()
        times["commit"] = time.perf_counter() - t0
        times["total"] = sum(times.values())
        source.close()
    return times


def _postgres_floor(work: Path) -> dict[str, float]:
    """COPY of the stored rows into a copy of the empty migrated database, one transaction."""
    import psycopg

    files = {}
    with psycopg.connect(PG_BENCH) as conn, conn.cursor() as cur:
        for name in TABLES:
            files[name] = work / f"{name}.copy"
            with files[name].open("wb") as out, cur.copy(f"COPY {name} TO STDOUT") as copy:
                for chunk in copy:
                    out.write(chunk)
    times: dict[str, float] = {}
    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{PG_FLOOR}") as conn, conn.cursor() as cur:
        started = time.perf_counter()
        for name in TABLES:
            t0 = time.perf_counter()
            with files[name].open("rb") as f, cur.copy(f"COPY {name} FROM STDIN") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            times[name] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.commit()  # the deferred foreign keys are checked here
        times["commit"] = time.perf_counter() - t0
        times["total"] = time.perf_counter() - started
    return times


def child(args: argparse.Namespace) -> None:
    """One database: our three runs, then the floor. Prints one JSON line per run."""
    work = Path(args.work)
    (work / "data").mkdir(parents=True, exist_ok=True)
    os.environ["NORTHSTAR_DATA_DIR"] = str(work / "data")
    os.environ["SECRET_KEY"] = "benchmark-only"
    os.environ["DJANGO_SETTINGS_MODULE"] = "northstar.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from northstar.core.errors import ValidationFailed
    from northstar.feedback import imports
    from northstar.feedback.models import Customer, FeedbackItem
    from northstar.home.models import SearchEntry

    call_command("migrate", verbosity=0)
    database = connection.vendor
    empty = work / "empty.sqlite3"
    if database == "sqlite":
        connection.close()
        shutil.copy(work / "data" / "northstar.sqlite3", empty)
    else:
        import psycopg

        connection.close()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_FLOOR} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_FLOOR} TEMPLATE nsbench_feedback")
    good, bad = Path(args.good), Path(args.bad)
    mapping = imports.preset_mapping("zendesk", imports.csv_preview(good)[0])
    records = []

    def run(name: str, path: Path) -> None:
        marks: list[float] = []
        started = time.perf_counter()
        error = ""
        added = 0
        try:
            batch = imports.feedback_import_csv(
                actor=None,
                path=path,
                mapping=mapping,
                preset="zendesk",
                progress=lambda f, m: marks.append(f),
            )
            added = batch.added
        except ValidationFailed as exc:
            error = exc.message[:200]
        seconds = time.perf_counter() - started
        records.append(
            {
                "case": name,
                "database": database,
                "rows": args.rows,
                "added": added,
                "stored_after": FeedbackItem.objects.count(),
                "customers_after": Customer.objects.count(),
                "search_entries_after": SearchEntry.objects.count(),
                "seconds": round(seconds, 1),
                "rows_per_s": round(args.rows / seconds),
                "progress_updates": len(marks),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "refusal": error,
            }
        )
        print(json.dumps(records[-1]), file=sys.stderr, flush=True)

    run("bad file (one bad row near the end)", bad)
    run("first import", good)
    first = records[-1]
    connection.close()
    floor = (
        _sqlite_floor(work / "data" / "northstar.sqlite3", empty, work)
        if database == "sqlite"
        else (_postgres_floor(work))
    )
    run("same file again", good)
    for r in records:
        r["floor_seconds"] = round(floor["total"], 1)
        r["floor_parts_s"] = {k: round(v, 2) for k, v in floor.items() if k != "total"}
        r["ratio_to_floor"] = round(r["seconds"] / floor["total"], 2)
    assert first["stored_after"] == first["added"] == args.rows, first
    print(json.dumps(records))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", default=str(RESULTS / "feedback_import.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--work", "--good", "--bad"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    work = Path(tempfile.mkdtemp(prefix="nsbench-feedback-"))
    records = []
    try:
        good, bad = work / "tickets.csv", work / "tickets-bad.csv"
        write_csv(good, args.rows)
        write_csv(bad, args.rows, bad_row=args.rows - 10)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        targets = [("sqlite", env)]
        if not args.no_postgres and _postgres_available():
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS nsbench_feedback WITH (FORCE)")
                admin.execute("CREATE DATABASE nsbench_feedback")
            targets.append(("postgresql", {**env, "DATABASE_URL": PG_BENCH}))
        for name, target_env in targets:
            sub = work / name
            sub.mkdir()
            result = subprocess.run(
                [sys.executable, __file__, "--child", "--rows", str(args.rows),
                 "--work", str(sub), "--good", str(good), "--bad", str(bad)],
                env=target_env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode != 0:
                raise SystemExit(f"{name} run failed:\n{result.stderr[-4000:]}")
            records += json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.no_postgres and _postgres_available():
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_FLOOR} WITH (FORCE)")
                admin.execute("DROP DATABASE IF EXISTS nsbench_feedback WITH (FORCE)")
    facts = machine()
    for r in records:
        r.update(facts)
    heads = ["case", "database", "rows", "added", "seconds", "rows_per_s", "floor_seconds", "ratio_to_floor"]
    print(table([*heads, "peak_mb"], [[r[h] for h in [*heads, "peak_mb"]] for r in records]))
    print("refusal:", records[0]["refusal"])
    print("floor parts (s):", {r["database"]: r["floor_parts_s"] for r in records})
    write_json(Path(args.json), records)


def _postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
