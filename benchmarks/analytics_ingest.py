"""Ingest through the real endpoint, against SQLite's own bulk load of the same events (used by
`benchmarks/analytics.py`, which documents the measurement).

The snippet's batches are written to a file first and streamed to the endpoint one by one, so the
measured process holds one batch at a time (at 10,000,000 events the bodies are about 2.5 GB), and
its peak memory is the app's, not the benchmark's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from benchmarks._common import checkout

REPO = Path(__file__).resolve().parent.parent
PAGES = ["/", "/products/a", "/products/b", "/cart", "/checkout", "/checkout/payment", "/checkout/done"]
#: Above this many events the stored events are not read back for friction and a funnel (the engine
#: at scale measures those over columns; reading 10,000,000 rows back is a different question).
READ_BACK_MAX_EVENTS = 2_000_000


def snippet_batches(n: int, seed: int, batch: int = 500) -> Iterator[tuple[str, list[list[object]]]]:
    """The snippet's batches: (json body, csv rows) for n events of the last few days."""
    from datetime import UTC, datetime, timedelta

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    kinds = np.where(rng.random(n) < 0.35, 0, 1)
    ages = rng.uniform(60, 5 * 86400, n)
    visitors = rng.integers(0, max(1, n // 40), n)
    pages = rng.integers(0, len(PAGES), n)
    targets = rng.integers(0, 200, n)
    xs, ys = rng.integers(0, 1200, n), rng.integers(0, 900, n)
    dead = rng.random(n) < 0.02  # some clicks the snippet saw nothing follow
    for lo in range(0, n, batch):
        events: list[dict[str, object]] = []
        rows: list[list[object]] = []
        for i in range(lo, min(n, lo + batch)):
            at = (now - timedelta(seconds=float(ages[i]))).isoformat()
            event: dict[str, object] = {
                "type": "pageview" if kinds[i] == 0 else "click",
                "at": at,
                "visitor": f"v{visitors[i]}",
                "path": PAGES[pages[i]],
            }
            if kinds[i] == 1:
                event.update(selector=f"button#b{targets[i]}", x=int(xs[i]), y=int(ys[i]), dead=bool(dead[i]))
            events.append(event)
            rows.append(
                [
                    at,
                    event["type"],
                    event["visitor"],
                    event["path"],
                    "",
                    event.get("selector", ""),
                    event.get("x", ""),
                    event.get("y", ""),
                    int(bool(event.get("dead", False))),
                ]
            )
        # as the snippet sends it: a random id per batch (kept across retries; here none is retried)
        yield json.dumps({"key": "ns_a_bench", "batch_id": f"b{seed}-{lo}", "events": events}), rows


def write_events(n: int, bodies: Path, csv_path: Path) -> None:
    """One JSON body per line (what the snippet posts) and the same events as CSV (for `.import`)."""
    import csv

    with bodies.open("w") as out, csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        for body, rows in snippet_batches(n, 5):
            out.write(body + "\n")
            writer.writerows(rows)


CHILD = r"""
import json, os, resource, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.utils import timezone
from datetime import timedelta
from northstar.analytics import ingest, services
from northstar.analytics.models import Event, Funnel, Site
from northstar.org.models import Person, Product, ProductLine
ingest.BATCHES_PER_MINUTE = 10**9  # one site sending as fast as this CPU allows
director = Person.objects.create(name="Bench", email="bench@example.com")
line = ProductLine.objects.create(name="Bench", director=director)
product = Product.objects.create(line=line, name="Bench")
site = Site.objects.create(product=product, name="Bench", key="ns_a_bench")
n, bodies, read_back = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
client = Client()
client.post("/api/v1/analytics/collect", data="{}", content_type="text/plain")  # warm up: load the URLconf
import subprocess
# a real worker process of the same code (this directory's) drains as batches arrive
main = "import sys; from northstar.cli import main; sys.exit(main())"
worker = subprocess.Popen([sys.executable, "-c", main, "worker", "--threads", "1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
sent = 0
started = time.perf_counter()
with open(bodies) as lines:
    for body in lines:
        r = client.post("/api/v1/analytics/collect", data=body, content_type="text/plain")
        assert r.status_code == 202, r.content
        sent += r.json()["stored"]
accepted = time.perf_counter() - started
while ingest.spool_pending():
    time.sleep(0.5)
while (stored := Event.objects.count()) < n:  # the last chunk is committed after the spool empties
    time.sleep(0.5)
ingest = time.perf_counter() - started
worker.terminate()
worker.wait(timeout=60)
assert stored == n, (stored, n)
out = {"ingest_s": ingest, "accepted_s": accepted, "stored": sent,
       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if read_back:
    from northstar.analytics import event_columns, funnels, selectors
    from northstar.engines import friction as engine
    paths = ("/cart", "/checkout", "/checkout/payment", "/checkout/done")
    steps = [{"kind": "page", "match": p} for p in paths]
    funnel = Funnel.objects.create(site=site, name="F", steps=steps, window_hours=2)
    now = timezone.now()
    started = time.perf_counter()
    cols = event_columns.columns(site, since=now - timedelta(days=7), until=now)
    out["load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    sessions, found = engine.detect(cols.events)
    ranked = engine.rank_friction(found)
    out["friction_s"] = time.perf_counter() - started
    out["issues"] = len(ranked)
    started = time.perf_counter()
    masks = funnels.step_masks(cols, funnel.steps)
    result = engine.funnel(cols.events.user, cols.events.ts, masks, window=7200.0)
    out["funnel_s"] = time.perf_counter() - started
    started = time.perf_counter()
    report = selectors.friction_report(site, days=7)
    out["friction_page_s"] = time.perf_counter() - started
print(json.dumps(out))
"""

BARE = """CREATE TABLE events (at TEXT, type TEXT, visitor TEXT, path TEXT, name TEXT, selector TEXT,
x INTEGER, y INTEGER, dead INTEGER);"""


def ingest(n: int, *, code: Path = REPO, label: str = "") -> list[dict]:
    """Ingest through the endpoint with the app's code in `code` (this tree, or a checkout of an
    earlier commit to compare with in the same run), then the bulk-load baseline."""
    with tempfile.TemporaryDirectory(prefix="nsbench-analytics-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        csv_path, bodies = Path(tmp) / "events.csv", Path(tmp) / "bodies.jsonl"
        write_events(n, bodies, csv_path)
        env = {
            **os.environ,
            "NORTHSTAR_DATA_DIR": str(data),
            "SECRET_KEY": "bench-" + "x" * 40,
            "DJANGO_SETTINGS_MODULE": "northstar.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "NORTHSTAR_JOBS": "thread",  # the drain jobs wait in the database for the worker process
        }
        env.pop("DATABASE_URL", None)
        read_back = n <= READ_BACK_MAX_EVENTS
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(bodies), "1" if read_back else "0"],
            cwd=code,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise SystemExit(child.stderr[-4000:])
        ours = json.loads(child.stdout.strip().splitlines()[-1])
        db = Path(tmp) / "bare.sqlite3"
        shell = shutil.which("sqlite3")
        started = time.perf_counter()
        if shell:
            subprocess.run(
                [shell, str(db)],
                input=f"{BARE}\n.mode csv\n.import {csv_path} events\n",
                text=True,
                check=True,
            )
            how = "sqlite3 .import"
        else:
            import csv
            import sqlite3

            con = sqlite3.connect(db)
            con.execute(BARE)
            with open(csv_path, newline="") as f, con:
                con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?)", csv.reader(f))
            how = "executemany"
        bulk = time.perf_counter() - started
    records = [
        {
            "measure": "ingest",
            "path": "POST /api/v1/analytics/collect (batches of 500, validated, spooled) + a worker "
            "process writing the spool in bulk, until every event is in the event table" + label,
            "events": n,
            "seconds": round(ours["ingest_s"], 2),
            "events_per_s": round(n / ours["ingest_s"]),
            "accepted_s": round(ours["accepted_s"], 2),
            "accepted_per_s": round(n / ours["accepted_s"]),
            "peak_mb": round(ours["peak_mb"]),
        },
        {
            "measure": "ingest",
            "path": f"baseline: {how} into a bare table",
            "events": n,
            "seconds": round(bulk, 2),
            "events_per_s": round(n / bulk),
        },
    ]
    if read_back:
        records.append(
            {
                "measure": "from the database",
                "events": n,
                "load_s": round(ours["load_s"], 2),
                "friction_s": round(ours["friction_s"], 2),
                "funnel_s": round(ours["funnel_s"], 3),
                "friction_page_s": round(ours["friction_page_s"], 2),
                "issues": ours["issues"],
            }
        )
    return records


def ingest_compare(n: int, baseline: str) -> list[dict]:
    """Ingest of `n` events by this tree and by `baseline` (a commit), one after the other in one run."""
    with tempfile.TemporaryDirectory(prefix="nsbench-baseline-") as tmp:
        where = Path(tmp) / "tree"
        with checkout(baseline, where) as (tree, sha):
            before = ingest(n, code=tree, label=f" (before: commit {sha})")
    return [before[0], *ingest(n, label=" (after: this commit)")]
