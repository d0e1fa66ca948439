"""Import 1,000,000 KPI values from CSV: `northstar import metrics` against the database's own bulk load.

Generates one CSV (date,metric,value,dimension: 25 metrics x 4 regions x 10,000 days) in a temporary
directory, then on SQLite and on PostgreSQL (when one answers at 127.0.0.1:5432, in a throw-away
database `nsbench_metrics`):

* ours: the real import (validation of every row, all-or-nothing, upsert into the indexed table), run
  in a fresh process that reports its wall time and peak resident memory (of the first import); then
  the same file again, where every point replaces a stored one (on PostgreSQL the slower upsert path);
* baseline: the database's own loader of the same file into a bare table with no index or check:
  SQLite's `.import` through the sqlite3 command-line shell (or, when the shell is missing, one
  `executemany` into a bare table, the documented fallback), PostgreSQL's `COPY ... FROM STDIN (FORMAT csv)`;
* floor: the same loader storing the same points, already mapped to metric ids, in a copy of the real
  table (its unique (metric, date, dimension) index and its foreign key to the metric included, with
  foreign keys enforced). No import into that table can beat it, so it shows how much of the gap to
  the bare baseline is the index and the key every import must keep.

    .venv/bin/python benchmarks/metrics_import.py [--rows 1000000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, RESULTS, machine, write_json

METRICS = 25
REGIONS = ("EU", "UK", "US", "APAC")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/nsbench_metrics"

CHILD = r"""
import json, os, resource, sys, time
import django
django.setup()
from django.core.management import call_command
from northstar.strategy.models import Metric
call_command("migrate", verbosity=0)
Metric.objects.all().delete()
Metric.objects.bulk_create(
    Metric(key=f"kpi_{i:02d}", name=f"KPI {i:02d}", aggregation="sum") for i in range(int(sys.argv[2]))
)
from northstar.strategy.metric_values import metric_values_import
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
record = metric_values_import(actor=None, path=sys.argv[1])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from northstar.strategy.models import MetricValue
stored = MetricValue.objects.count()
started = time.perf_counter()
metric_values_import(actor=None, path=sys.argv[1])  # every point again: all replace stored ones
again = time.perf_counter() - started
from django.db import connection
from northstar.strategy.models import MetricValue as V
ddl = []
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL ORDER BY type <> 'table'",
            [V._meta.db_table],
        )
        ddl = [row[0] for row in cursor.fetchall()]
print(json.dumps({"seconds": seconds, "rows": record.rows, "stored": stored, "reimport_seconds": again,
                  "rss_before_mb": before / 1024, "rss_peak_mb": peak / 1024, "table": V._meta.db_table,
                  "ddl": ddl}))
"""


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table (it reads fine in a terminal too)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += [
        "| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in row) + " |" for row in rows
    ]
    return "\n".join(lines)


def generate(path: Path, rows: int) -> None:
    days = -(-rows // (METRICS * len(REGIONS)))
    start = date(2000, 1, 1)
    written = 0
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["date", "metric", "value", "dimension"])
        for d in range(days):
            day = (start + timedelta(days=d)).isoformat()
            for m in range(METRICS):
                for r, region in enumerate(REGIONS):
                    if written == rows:
                        return
                    out.writerow(
                        [day, f"kpi_{m:02d}", f"{1000 + (d * 7 + m * 13 + r) % 997 + 0.25:.2f}", region]
                    )
                    written += 1


def generate_mapped(csv_path: Path, mapped: Path, columns: list[str]) -> None:
    """The same points as `csv_path` with metric ids for labels, in the columns the floor loads."""
    with csv_path.open(newline="") as f, mapped.open("w", newline="") as out:
        reader = csv.reader(f)
        next(reader)
        writer = csv.writer(out)
        for n, (day, metric, value, dimension) in enumerate(reader, start=1):
            row = {"id": n, "metric_id": int(metric[4:]) + 1, "date": day, "value": value}
            row["dimension"] = dimension
            writer.writerow([row[c] for c in columns])


def sqlite_floor(csv_path: Path, work: Path, ddl: list[str]) -> float | None:
    """`.import` of the mapped points into a copy of the real table; None without the sqlite3 shell."""
    shell = shutil.which("sqlite3")
    if not shell or not ddl:
        return None
    db = work / "floor.sqlite3"
    db.unlink(missing_ok=True)
    table = ddl[0].split('"')[1]
    with sqlite3.connect(db) as conn:
        # The parent the foreign key points at: the same metric ids as the real import's.
        conn.execute('CREATE TABLE "strategy_metric" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)')
        conn.executemany('INSERT INTO "strategy_metric" (id) VALUES (?)', [(i + 1,) for i in range(METRICS)])
        for statement in ddl:
            conn.execute(statement)
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
    mapped = work / "mapped.csv"
    generate_mapped(csv_path, mapped, columns)
    started = time.perf_counter()
    subprocess.run(
        [shell, "-cmd", "PRAGMA foreign_keys=ON", str(db), f".import --csv {mapped} {table}"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def postgres_floor(csv_path: Path, work: Path, table: str) -> float:
    import psycopg

    mapped = work / "mapped.csv"
    generate_mapped(csv_path, mapped, ["metric_id", "date", "value", "dimension"])

    with psycopg.connect(PG_BENCH) as conn:
        conn.execute("DROP TABLE IF EXISTS floor")
        conn.execute(f'CREATE TABLE floor (LIKE "{table}" INCLUDING ALL)')
        conn.execute(  # the real table's foreign key, as Django declares it
            "ALTER TABLE floor ADD FOREIGN KEY (metric_id) REFERENCES strategy_metric (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        conn.commit()
        started = time.perf_counter()
        with (
            mapped.open("rb") as f,
            conn.cursor() as cur,
            cur.copy("COPY floor (metric_id, date, value, dimension) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def run_ours(csv_path: Path, env: dict[str, str]) -> dict:
    Path(env["NORTHSTAR_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(csv_path), str(METRICS)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlite_baseline(csv_path: Path, work: Path) -> tuple[float, str]:
    db = work / "baseline.sqlite3"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE bare (date TEXT, metric TEXT, value REAL, dimension TEXT)")
    shell = shutil.which("sqlite3")
    if shell:
        started = time.perf_counter()
        subprocess.run(
            [shell, str(db), f".import --csv --skip 1 {csv_path} bare"],
            check=True,
            capture_output=True,
            text=True,
        )
        return time.perf_counter() - started, "sqlite3 .import"
    started = time.perf_counter()
    with sqlite3.connect(db) as conn, csv_path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.executemany("INSERT INTO bare VALUES (?, ?, ?, ?)", reader)
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
        conn.execute("DROP DATABASE IF EXISTS nsbench_metrics WITH (FORCE)")
        conn.execute("CREATE DATABASE nsbench_metrics")


def postgres_baseline(csv_path: Path) -> float:
    import psycopg

    with psycopg.connect(PG_BENCH) as conn:
        conn.execute("DROP TABLE IF EXISTS bare")
        conn.execute("CREATE TABLE bare (date date, metric text, value double precision, dimension text)")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", default=str(RESULTS / "metrics_import.json"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="nsbench-metrics-"))
    try:
        csv_path = work / "metrics.csv"
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(f"Generated {args.rows:,} rows ({size:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        base_env = {
            **os.environ,
            "SECRET_KEY": "benchmark-only",
            "DJANGO_SETTINGS_MODULE": "northstar.settings",
        }
        base_env.pop("DATABASE_URL", None)
        records = []

        env = {**base_env, "NORTHSTAR_DATA_DIR": str(work / "sqlite-data")}
        ours = run_ours(csv_path, env)
        baseline, how = sqlite_baseline(csv_path, work)
        floor = sqlite_floor(csv_path, work, ours["ddl"])
        records.append(_record("sqlite", args.rows, ours, baseline, how, floor))

        if not args.no_postgres and postgres_available():
            postgres_reset()
            env = {**base_env, "NORTHSTAR_DATA_DIR": str(work / "pg-data"), "DATABASE_URL": PG_BENCH}
            ours = run_ours(csv_path, env)
            baseline = postgres_baseline(csv_path)
            floor = postgres_floor(csv_path, work, ours["table"])
            records.append(_record("postgresql", args.rows, ours, baseline, "COPY FROM STDIN (csv)", floor))
        else:
            print("PostgreSQL skipped (not reachable at 127.0.0.1:5432 or --no-postgres).")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        table(
            [
                "database",
                "rows",
                "ours s",
                "ours rows/s",
                "baseline",
                "baseline s",
                "baseline rows/s",
                "ratio",
                "floor s",
                "ratio to floor",
                "re-import s",
                "peak RSS MB",
                "import RSS MB",
            ],
            [
                [
                    r["database"],
                    r["rows"],
                    r["ours_seconds"],
                    r["ours_rows_per_s"],
                    r["baseline"],
                    r["baseline_seconds"],
                    r["baseline_rows_per_s"],
                    r["ratio"],
                    r["floor_seconds"],
                    r["ratio_to_floor"],
                    r["reimport_seconds"],
                    r["peak_rss_mb"],
                    r["import_rss_mb"],
                ]
                for r in records
            ],
        )
    )
    facts = machine()
    write_json(Path(args.json), [{**r, **facts} for r in records])


def _record(database: str, rows: int, ours: dict, baseline: float, how: str, floor: float | None) -> dict:
    assert ours["stored"] == rows, ours
    return {
        "database": database,
        "rows": rows,
        "ours_seconds": round(ours["seconds"], 2),
        "ours_rows_per_s": round(rows / ours["seconds"]),
        "baseline": how,
        "baseline_seconds": round(baseline, 2),
        "baseline_rows_per_s": round(rows / baseline),
        "ratio": round(ours["seconds"] / baseline, 2),
        "floor_seconds": round(floor, 2) if floor else None,
        "floor_over_baseline": round(floor / baseline, 2) if floor else None,
        "ratio_to_floor": round(ours["seconds"] / floor, 2) if floor else None,
        "reimport_seconds": round(ours["reimport_seconds"], 2),
        "peak_rss_mb": round(ours["rss_peak_mb"], 1),
        "import_rss_mb": round(ours["rss_peak_mb"] - ours["rss_before_mb"], 1),
    }


if __name__ == "__main__":
    main()
