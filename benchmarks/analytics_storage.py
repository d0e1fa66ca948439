"""Where events are scanned: the app's database (SQLite, PostgreSQL) against embedded columnar engines
(DuckDB, chDB) on the same events, for friction detection and a four-step funnel.

The same synthetic events (`benchmarks.analytics.synthetic`: visitors browsing with planted rage and
error clicks) are written once to Parquet, then each engine runs in a fresh process (its peak memory
is its own):

* sqlite / postgresql: the app's own event table (`northstar migrate` on a fresh database), loaded
  with the app's insert (SQLite) or COPY (PostgreSQL); friction as the friction page does it
  (`event_columns.columns` -> `engine.detect` -> `rank_friction`), the funnel both as the funnel page does
  it today (every event into columns) and pushed down (only the steps' page views read).
* duckdb / chdb: the same columns in a table of the engine's own (loaded from the Parquet file);
  friction reads the columns with the strings hashed in SQL (dense codes made in numpy), then the
  same engine; the funnel reads only the steps' page views.

DuckDB and chDB are measured here only, not runtime dependencies: `pip install duckdb chdb` into the
environment first; an engine that is not installed (or a database that is not reachable) is reported
as skipped.

    .venv/bin/python benchmarks/analytics_storage.py --events 2000000 [--engines sqlite,duckdb]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks._common import table  # noqa: E402
from northstar.engines import friction as engine  # noqa: E402

ENGINES = ("sqlite", "postgresql", "duckdb", "chdb")
PAGES = ["/", "/products/a", "/products/b", "/cart", "/checkout", "/checkout/payment", "/checkout/done"]
STEPS = ["/cart", "/checkout", "/checkout/payment", "/checkout/done"]
COLUMNS = ("site_id", "at", "kind", "visitor", "user_ref", "account", "path", "name", "selector")
COLUMNS += ("x", "y", "dead", "value", "props")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_analytics_storage")
#: Events start this many seconds after the epoch origin below (UTC), so every engine sees one span.
ORIGIN = 1_790_000_000.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n: int, path: str) -> dict:
    """The events as the app stores them, in one Parquet file (written with pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from benchmarks.analytics import synthetic

    events, _ = synthetic(n, 11)
    ts = events.ts - events.ts.min() + ORIGIN
    kind = events.kind.astype(np.int16)
    pages = np.asarray(PAGES, dtype=object)[events.page % len(PAGES)]
    selector = np.where(events.kind == engine.CLICK, np.char.add("#e", events.target.astype(str)), "")
    name = np.where(events.kind == engine.ERROR, "TypeError: x is undefined", "")
    n = len(events)
    batch = pa.table(
        {
            "site_id": pa.array(np.ones(n, np.int64)),
            "at": pa.array((ts * 1e6).astype("int64"), type=pa.timestamp("us", tz="UTC")),
            "kind": pa.array(kind),
            "visitor": pa.array(np.char.add("v", events.user.astype(str))),
            "user_ref": pa.array(np.full(n, "", dtype=object), type=pa.string()),
            "account": pa.array(np.full(n, "", dtype=object), type=pa.string()),
            "path": pa.array(pages, type=pa.string()),
            "name": pa.array(name),
            "selector": pa.array(selector),
            "x": pa.array(events.x.astype(np.int32)),
            "y": pa.array(events.y.astype(np.int32)),
            "dead": pa.array(events.dead),
            "value": pa.array(np.full(n, np.nan), mask=np.ones(n, bool)),
            "props": pa.array(np.full(n, "{}", dtype=object), type=pa.string()),
        }
    )
    pq.write_table(batch, path, row_group_size=1_000_000)
    return {"events": n, "since": float(ts.min()), "until": float(ts.max())}


def _dense(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1].astype(np.int32)


def _columnar_friction(rows: dict, empty_target: int) -> tuple[int, int]:
    """Hashed columns -> dense codes -> the engine, as the app would with a columnar store."""
    target = _dense(rows["t"])
    target[rows["t"] == empty_target] = -1
    events = engine.Events.of(
        user=_dense(rows["u"]),
        ts=rows["ts"],
        kind=rows["kind"],
        page=_dense(rows["p"]),
        target=target,
        x=rows["x"],
        y=rows["y"],
        dead=rows["dead"],
    )
    _, found = engine.detect(events)
    return len(engine.rank_friction(found)), len(events)


def _columnar_funnel(rows: dict) -> tuple[int, ...]:
    user = _dense(rows["u"])
    paths = np.asarray(rows["path"], dtype=object)
    masks = [paths == step for step in STEPS]
    return engine.funnel(user, rows["ts"], masks, window=7200.0).reached


def run_duckdb(parquet: str, span: dict) -> dict:
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        f"CREATE TABLE analytics_event AS SELECT * FROM read_parquet('{parquet}') ORDER BY site_id, \"at\""
    )
    load = time.perf_counter() - started
    where = 'site_id = 1 AND "at" >= to_timestamp(?) AND "at" <= to_timestamp(?)'
    started = time.perf_counter()
    rows = con.execute(
        'SELECT epoch("at") AS ts, kind, hash(visitor) AS u, hash(path) AS p, '
        "hash(CASE WHEN kind = 1 THEN selector WHEN kind = 2 THEN name ELSE '' END) AS t, x, y, dead "
        f"FROM analytics_event WHERE {where}",
        [span["since"], span["until"]],
    ).fetchnumpy()
    empty = con.execute("SELECT hash('')").fetchone()[0]
    issues, scanned = _columnar_friction({k: np.asarray(v) for k, v in rows.items()}, empty)
    friction = time.perf_counter() - started
    del rows
    started = time.perf_counter()
    marks = ", ".join("?" for _ in STEPS)
    found = con.execute(
        f'SELECT epoch("at") AS ts, hash(visitor) AS u, path FROM analytics_event WHERE {where} '
        f"AND kind = 0 AND path IN ({marks})",
        [span["since"], span["until"], *STEPS],
    ).fetchnumpy()
    reached = _columnar_funnel({k: np.asarray(v) for k, v in found.items()})
    funnel = time.perf_counter() - started
    return {
        "engine": f"duckdb {duckdb.__version__}",
        "load_s": round(load, 2),
        "friction_s": round(friction, 2),
        "funnel_s": round(funnel, 3),
        "issues": issues,
        "scanned": scanned,
        "funnel_reached": list(reached),
    }


def run_chdb(parquet: str, span: dict) -> dict:
    import chdb
    import chdb.session

    with tempfile.TemporaryDirectory(prefix="nsbench-chdb-") as tmp:
        sess = chdb.session.Session(tmp)
        started = time.perf_counter()
        sess.query("CREATE DATABASE IF NOT EXISTS ns")
        sess.query(
            "CREATE TABLE ns.analytics_event ENGINE = MergeTree ORDER BY (site_id, at) "
            f"SETTINGS allow_nullable_key = 1 AS SELECT * FROM file('{parquet}', Parquet)"
        )
        load = time.perf_counter() - started
        where = (
            f"site_id = 1 AND at >= toDateTime64({span['since']}, 6, 'UTC') "
            f"AND at <= toDateTime64({span['until']}, 6, 'UTC')"
        )

        def arrays(sql: str) -> dict:
            return {k: np.asarray(v) for k, v in sess.query(sql, "ArrowTable").to_pydict().items()}

        def numpy_columns(sql: str) -> dict:
            frame = sess.query(sql, "ArrowTable")
            return {name: frame.column(name).to_numpy() for name in frame.column_names}

        started = time.perf_counter()
        rows = numpy_columns(
            "SELECT toFloat64(toUnixTimestamp64Micro(at)) / 1e6 AS ts, kind, cityHash64(visitor) AS u, "
            "cityHash64(path) AS p, cityHash64(multiIf(kind = 1, selector, kind = 2, name, '')) AS t, x, y, "
            f"dead FROM ns.analytics_event WHERE {where}"
        )
        empty = int(arrays("SELECT cityHash64('') AS h")["h"][0])
        issues, scanned = _columnar_friction(rows, empty)
        friction = time.perf_counter() - started
        del rows
        started = time.perf_counter()
        steps = ", ".join(f"'{s}'" for s in STEPS)
        found = numpy_columns(
            "SELECT toFloat64(toUnixTimestamp64Micro(at)) / 1e6 AS ts, cityHash64(visitor) AS u, path "
            f"FROM ns.analytics_event WHERE {where} AND kind = 0 AND path IN ({steps})"
        )
        reached = _columnar_funnel(found)
        funnel = time.perf_counter() - started
        sess.close()
    return {
        "engine": f"chdb {chdb.__version__}",
        "load_s": round(load, 2),
        "friction_s": round(friction, 2),
        "funnel_s": round(funnel, 3),
        "issues": issues,
        "scanned": scanned,
        "funnel_reached": list(reached),
    }


APP = r"""
import json, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from datetime import UTC, datetime
import numpy as np
import pyarrow.parquet as pq
from django.db import connection, transaction
from northstar.analytics import event_columns, funnels, ingest, selectors, services, storage
from northstar.analytics.models import Event, Funnel, Site
from northstar.engines import friction as engine
from northstar.org.models import Person, Product, ProductLine
parquet, span = sys.argv[1], json.loads(sys.argv[2])
director = Person.objects.create(name="Bench", email="bench@example.com")
line = ProductLine.objects.create(name="Bench", director=director)
product = Product.objects.create(line=line, name="B")
site = Site.objects.create(product=product, name="Bench", key="ns_a_bench")
Event.objects.all().delete()
steps = [{"kind": "page", "match": p} for p in ("/cart", "/checkout", "/checkout/payment", "/checkout/done")]
funnel = Funnel.objects.create(site=site, name="F", steps=steps, window_hours=2)
columns = [c for c in pq.ParquetFile(parquet).schema_arrow.names]
started = time.perf_counter()
for group in pq.ParquetFile(parquet).iter_batches(batch_size=200_000):
    data = group.to_pydict()
    data["site_id"] = [site.pk] * len(data["at"])
    data["props"] = [{}] * len(data["at"])
    if connection.vendor == "postgresql":
        names = ", ".join(columns)
        copying = f"COPY analytics_event ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copying) as copy:
            for row in zip(*(data[c] for c in columns)):
                copy.write_row(row[:13] + ("{}",))
    else:
        data["at"] = [str(a.astimezone(UTC).replace(tzinfo=None)) for a in data["at"]]
        with transaction.atomic():
            ingest._insert_stored(list(zip(*(data[c] for c in columns))))
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_event")
load = time.perf_counter() - started
event_columns.SCAN_LIMIT = 10**9
since = datetime.fromtimestamp(span["since"], UTC)
until = datetime.fromtimestamp(span["until"], UTC)
started = time.perf_counter()
cols = event_columns.columns(site, since=since, until=until)
scan = time.perf_counter() - started
_, found = engine.detect(cols.events)
issues = len(engine.rank_friction(found))
friction = time.perf_counter() - started
started = time.perf_counter()
masks = funnels.step_masks(cols, steps)
reached = engine.funnel(cols.events.user, cols.events.ts, masks, window=7200.0).reached
funnel_cols = time.perf_counter() - started + scan
n = len(cols)
del cols, masks, found
started = time.perf_counter()
ops = connection.ops
sql = (f"SELECT {storage.EPOCH[connection.vendor]}, visitor, path FROM analytics_event WHERE site_id = %s "
       "AND at >= %s AND at <= %s AND kind = 0 AND path IN (%s, %s, %s, %s)")
with connection.cursor() as cursor:
    cursor.execute(sql, [site.pk, ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(until),
                         *[s["match"] for s in steps]])
    rows = cursor.fetchall()
ts, visitor, path = zip(*rows)
user = np.unique(np.asarray(visitor, dtype=object), return_inverse=True)[1]
paths = np.asarray(path, dtype=object)
masks = [paths == s["match"] for s in steps]
pushed = engine.funnel(user, np.asarray(ts, float), masks, window=7200.0).reached
funnel_push = time.perf_counter() - started
import resource
version = connection.Database.sqlite_version if connection.vendor == "sqlite" else ""
print(json.dumps({"engine": f"{connection.vendor} {version}".strip(),
                  "load_s": round(load, 2), "scan_s": round(scan, 2), "friction_s": round(friction, 2),
                  "funnel_s": round(funnel_push, 3), "funnel_all_columns_s": round(funnel_cols, 2),
                  "issues": issues, "scanned": n, "funnel_reached": list(reached),
                  "pushed_reached": list(pushed),
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def run_app(kind: str, parquet: str, span: dict, tmp: str) -> dict:
    env = {
        **os.environ,
        "NORTHSTAR_DATA_DIR": tmp,
        "SECRET_KEY": "bench-" + "x" * 40,
        "DJANGO_SETTINGS_MODULE": "northstar.settings",
        "NORTHSTAR_JOBS": "immediate",
    }
    env.pop("DATABASE_URL", None)
    if kind == "postgresql":
        import psycopg

        base, name = PG_URL.rsplit("/", 1)
        try:
            with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            return {"engine": kind, "skipped": f"PostgreSQL not reachable: {exc}".strip()[:200]}
        env["DATABASE_URL"] = PG_URL
    child = subprocess.run(
        [sys.executable, "-c", APP, parquet, json.dumps(span)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(child.stderr[-4000:])
    return json.loads(child.stdout.strip().splitlines()[-1])


def compare(n: int, engines: list[str]) -> list[dict]:
    """Every engine on the same `n` events; one record per engine."""
    records = []
    with tempfile.TemporaryDirectory(prefix="nsbench-storage-") as tmp:
        parquet = str(Path(tmp) / "events.parquet")
        span = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--generate", str(n), parquet],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        for kind in engines:
            if kind in ("sqlite", "postgresql"):
                data = Path(tmp) / kind
                data.mkdir()
                result = run_app(kind, parquet, span, str(data))
            else:
                child = subprocess.run(
                    [sys.executable, __file__, "--run", kind, parquet, json.dumps(span)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if child.returncode != 0:
                    last = (child.stderr.strip().splitlines() or ["failed"])[-1]
                    result = {"engine": kind, "skipped": last[:200]}
                else:
                    result = json.loads(child.stdout.strip().splitlines()[-1])
            records.append({"measure": "storage", "events": span["events"], **result})
            print(json.dumps(records[-1]), flush=True)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    args = parser.parse_args()
    records = compare(args.events, [e for e in args.engines.split(",") if e])
    print(
        table(
            ["engine", "events", "load s", "friction s", "funnel s", "peak MB"],
            [
                [
                    r["engine"],
                    r["events"],
                    r.get("load_s"),
                    r.get("friction_s"),
                    r.get("funnel_s"),
                    r.get("peak_mb"),
                ]
                for r in records
            ],
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--generate":
        print(json.dumps(generate(int(sys.argv[2]), sys.argv[3])))
    elif len(sys.argv) == 5 and sys.argv[1] == "--run":
        kind, parquet, span = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        try:
            run = {"duckdb": run_duckdb, "chdb": run_chdb}[kind]
            out = run(parquet, span)
        except ImportError as exc:
            raise SystemExit(f"{kind} is not installed here (pip install {kind}): {exc}") from None
        out["peak_mb"] = round(_peak_mb())
        print(json.dumps(out))
    else:
        main()
