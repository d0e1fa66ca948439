"""Import 100,000 deals from a CRM export: `northstar import_deals` against the database's own bulk load.

Generates one CSV in Northstar's columns (deal, name, account, segment, amount, currency, outcome,
competitor, reasons, closed: 4 segments, 3 competitors, one or two reasons on lost deals) in a temporary
directory, then on SQLite:

* ours: the real import (every row checked, segments and competitors resolved by name, deal ids
  checked against the stored ones, all or nothing, deals and their reasons written in batches), run in
  a fresh process that reports its wall time and peak resident memory; then the same file with one bad
  row at the very end, which must be refused whole (the cost of checking everything before writing);
* baseline: SQLite's own loader (`.import` through the sqlite3 command-line shell, or one `executemany`
  when the shell is missing) of the same file into a bare table with no index, check or foreign key.

    .venv/bin/python benchmarks/market_import.py [--rows 100000]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        good, bad = work / "deals.csv", work / "deals-bad.csv"
        generate(good, args.rows)
        generate(bad, args.rows, bad_last=True)
        env = {
            **os.environ,
            "SECRET_KEY": "benchmark-only",
            "DJANGO_SETTINGS_MODULE": "northstar.settings",
            "NORTHSTAR_DATA_DIR": str(work / "data"),
        }
        env.pop("DATABASE_URL", None)
        (work / "data").mkdir()
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
        ours = json.loads(done.stdout.strip().splitlines()[-1])
        base_seconds, base_how = baseline(good, work)
    record = {
        "benchmark": "market_import",
        "database": "sqlite",
        "rows": args.rows,
        "ours_seconds": round(ours["seconds"], 3),
        "ours_rows_per_second": round(args.rows / ours["seconds"]),
        "ours_deals_stored": ours["stored"],
        "ours_reasons_stored": ours["reasons"],
        "ours_peak_rss_mb": round(ours["rss_peak_mb"], 1),
        "refused_file_seconds": round(ours["refused_seconds"], 3),
        "refused_row_named": ours["refused_row"],
        "deals_left_after_refusal": ours["left_after_refusal"],
        "baseline": base_how,
        "baseline_seconds": round(base_seconds, 3),
        "baseline_rows_per_second": round(args.rows / base_seconds),
        "ours_over_baseline": round(ours["seconds"] / base_seconds, 2),
        **machine(),
    }
    write_json(RESULTS / "market_import.json", [record])
    print(
        table(
            ["load", "seconds", "rows/s", "notes"],
            [
                [
                    "deals_import (CLI, web and API path)",
                    record["ours_seconds"],
                    record["ours_rows_per_second"],
                    f"{ours['stored']:,} deals + {ours['reasons']:,} reasons, "
                    f"peak RSS {record['ours_peak_rss_mb']} MB",
                ],
                [
                    "same file, bad last row",
                    record["refused_file_seconds"],
                    "",
                    f"refused whole, row {ours['refused_row']} named, "
                    f"{ours['left_after_refusal']} deals left",
                ],
                [
                    base_how + " (bare table)",
                    record["baseline_seconds"],
                    record["baseline_rows_per_second"],
                    f"ours / baseline = {record['ours_over_baseline']}x",
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
