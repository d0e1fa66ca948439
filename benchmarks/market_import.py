"""Import 100,000 deals from a CRM export: `northstar import_deals` against the database's own bulk load.

Generates one CSV in Northstar's columns (deal, name, account, segment, amount, currency, outcome,
competitor, reasons, closed: 4 segments, 3 competitors, one or two reasons on lost deals) in a temporary
directory, then on SQLite and on PostgreSQL (when one answers at 127.0.0.1:5432, in a throw-away
database `nsbench_market`):

* ours: the real import (every row checked, segments and competitors resolved by name, deal ids
  checked against the stored ones, all or nothing, deals and their reasons written in batches), run in
  a fresh process that reports its wall time and peak resident memory; then the same file with one bad
  row at the very end, which must be refused whole (the cost of checking everything before writing);
* baseline: the database's own loader of the same file into a bare table with no index, check or
  foreign key: SQLite's `.import` through the sqlite3 command-line shell (or one `executemany` when the
  shell is missing), PostgreSQL's `COPY ... FROM STDIN (FORMAT csv)`.

    .venv/bin/python benchmarks/market_import.py [--rows 100000] [--no-postgres]

Writes benchmarks/results/market_import.json and prints a table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, RESULTS, machine, table, write_json

SEGMENTS = ("SMB", "Mid-market", "Enterprise", "Marketplaces")
COMPETITORS = ("Rival One", "Rival Two", "Rival Three")
REASONS = ("price", "missing split payments", "no single sign-on", "onboarding too slow", "reporting gaps")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/nsbench_market"
HEADER = [
    "deal",
    "name",
    "account",
    "segment",
    "amount",
    "currency",
    "outcome",
    "competitor",
    "reasons",
    "closed",
]

CHILD = r"""
import io, json, resource, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from northstar.market.models import Competitor, Deal, DealReason, Segment
for name in sys.argv[2].split("|"):
    Segment.objects.get_or_create(name=name)
for name in sys.argv[3].split("|"):
    Competitor.objects.get_or_create(name=name)
from northstar.core.errors import ValidationFailed
from northstar.market.imports import deals_import
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    result = deals_import(actor=None, stream=f, filename="bench.csv", preset="northstar")
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
stored, reasons = Deal.objects.count(), DealReason.objects.count()
Deal.objects.all().delete()
started = time.perf_counter()
refused_row = None
try:
    with open(sys.argv[4], "rb") as f:
        deals_import(actor=None, stream=f, filename="bad.csv", preset="northstar")
except ValidationFailed as exc:
    refused_row = exc.detail[0]["row"]
refused_seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "deals": result.deals, "stored": stored, "reasons": reasons,
                  "refused_seconds": refused_seconds, "refused_row": refused_row,
                  "left_after_refusal": Deal.objects.count(),
                  "rss_before_mb": before / 1024, "rss_peak_mb": peak / 1024}))
"""


def generate(path: Path, rows: int, *, bad_last: bool = False) -> None:
    rng = random.Random(19)
    start = date(2025, 1, 1)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n in range(rows):
            outcome = rng.choices(("won", "lost", "no_decision"), weights=(4, 5, 1))[0]
            reasons = "; ".join(rng.sample(REASONS, rng.randint(1, 2))) if outcome == "lost" else ""
            closed = (start + timedelta(days=n % 700)).isoformat()
            if bad_last and n == rows - 1:
                closed = "31/12/2026"
            out.writerow(
                [
                    f"D{n:07d}",
                    f"Deal {n}",
                    f"Account {n % 20_000}",
                    SEGMENTS[n % len(SEGMENTS)],
                    f"{1000 + (n * 37) % 90_000}.00",
                    "EUR",
                    outcome,
                    COMPETITORS[n % len(COMPETITORS)] if n % 4 else "",
                    reasons,
                    closed,
                ]
            )


def baseline(csv_path: Path, work: Path) -> tuple[float, str]:
    db = work / "baseline.sqlite3"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE TABLE bare ({', '.join(f'{c} TEXT' for c in HEADER)})")
    shell = shutil.which("sqlite3")
    if shell:
        started = time.perf_counter()
        subprocess.run(
            [shell, str(db), f".import --csv --skip 1 {csv_path} bare"], check=True, capture_output=True
        )
        return time.perf_counter() - started, "sqlite3 .import"
    started = time.perf_counter()
    with sqlite3.connect(db) as conn, csv_path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.executemany(f"INSERT INTO bare VALUES ({', '.join('?' * len(HEADER))})", reader)
    return time.perf_counter() - started, "executemany (no sqlite3 shell)"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


def postgres_reset() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS nsbench_market WITH (FORCE)")
        conn.execute("CREATE DATABASE nsbench_market")


def postgres_baseline(csv_path: Path) -> float:
    """PostgreSQL's own bulk load: COPY of the same file into a bare table."""
    import psycopg

    with psycopg.connect(PG_BENCH) as conn:
        conn.execute("DROP TABLE IF EXISTS bare")
        conn.execute(f"CREATE TABLE bare ({', '.join(f'{c} text' for c in HEADER)})")
        conn.commit()
        started = time.perf_counter()
        with (
            csv_path.open("rb") as f,
            conn.cursor() as cur,
            cur.copy("COPY bare FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def run_ours(good: Path, bad: Path, env: dict[str, str]) -> dict:
    Path(env["NORTHSTAR_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(good), "|".join(SEGMENTS), "|".join(COMPETITORS), str(bad)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def record_of(database: str, rows: int, ours: dict, base_seconds: float, base_how: str) -> dict:
    return {
        "benchmark": "market_import",
        "database": database,
        "rows": rows,
        "ours_seconds": round(ours["seconds"], 3),
        "ours_rows_per_second": round(rows / ours["seconds"]),
        "ours_deals_stored": ours["stored"],
        "ours_reasons_stored": ours["reasons"],
        "ours_peak_rss_mb": round(ours["rss_peak_mb"], 1),
        "refused_file_seconds": round(ours["refused_seconds"], 3),
        "refused_row_named": ours["refused_row"],
        "deals_left_after_refusal": ours["left_after_refusal"],
        "baseline": base_how,
        "baseline_seconds": round(base_seconds, 3),
        "baseline_rows_per_second": round(rows / base_seconds),
        "ours_over_baseline": round(ours["seconds"] / base_seconds, 2),
        **machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        good, bad = work / "deals.csv", work / "deals-bad.csv"
        generate(good, args.rows)
        generate(bad, args.rows, bad_last=True)
        base_env = {
            **os.environ,
            "SECRET_KEY": "benchmark-only",
            "DJANGO_SETTINGS_MODULE": "northstar.settings",
        }
        base_env.pop("DATABASE_URL", None)
        ours = run_ours(good, bad, {**base_env, "NORTHSTAR_DATA_DIR": str(work / "sqlite-data")})
        base_seconds, base_how = baseline(good, work)
        records.append(record_of("sqlite", args.rows, ours, base_seconds, base_how))
        if not args.no_postgres and postgres_available():
            postgres_reset()
            env = {**base_env, "NORTHSTAR_DATA_DIR": str(work / "pg-data"), "DATABASE_URL": PG_BENCH}
            ours = run_ours(good, bad, env)
            records.append(
                record_of("postgresql", args.rows, ours, postgres_baseline(good), "COPY FROM STDIN")
            )
    write_json(RESULTS / "market_import.json", records)
    rows = []
    for r in records:
        rows += [
            [
                r["database"],
                "deals_import (CLI, web and API path)",
                r["ours_seconds"],
                r["ours_rows_per_second"],
                f"{r['ours_deals_stored']:,} deals + {r['ours_reasons_stored']:,} reasons, "
                f"peak RSS {r['ours_peak_rss_mb']} MB",
            ],
            [
                r["database"],
                "same file, bad last row",
                r["refused_file_seconds"],
                "",
                f"refused whole, row {r['refused_row_named']} named, "
                f"{r['deals_left_after_refusal']} deals left",
            ],
            [
                r["database"],
                r["baseline"] + " (bare table)",
                r["baseline_seconds"],
                r["baseline_rows_per_second"],
                f"ours / baseline = {r['ours_over_baseline']}x",
            ],
        ]
    print(table(["database", "load", "seconds", "rows/s", "notes"], rows))


if __name__ == "__main__":
    main()
