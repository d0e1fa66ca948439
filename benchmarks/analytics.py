"""Product analytics: ingest through the real endpoint against SQLite's own bulk load, friction
detection and a funnel over millions of events, peak memory, and the detectors' precision and recall.

Five measurements, each in a fresh process so peak memory is its own:

* ingest: N events (default 1,000,000) as the snippet sends them (batches of 500, JSON) posted to
  `POST /api/v1/analytics/collect` in-process through Django's whole middleware stack (WSGI test
  client) into a fresh embedded SQLite database: validation of every event, key, origin, rate limit
  (raised for the run: one site sending as fast as the CPU allows), the batch spooled; a real
  `northstar worker` process drains the spool into the indexed event table meanwhile, and the clock
  stops when the last event is in it. Baseline in the same run: the sqlite3 shell's `.import` of the
  same events as CSV into a bare table (no index, no check), the database's own bulk load.
* storage: the same events in SQLite, PostgreSQL, DuckDB and chDB (`benchmarks/analytics_storage.py`),
  friction and a funnel on each; the columnar engines again at a larger size.
* from the database: the same N stored events read back into columns and run through friction
  detection (sessions, rage, dead and error clicks, errors, ranking) and a four-step funnel, as the
  pages do.
* engine at scale: M synthetic events (default 10,000,000) as columns, friction detection and a
  four-step funnel, with the process's peak resident memory.
* detectors: a labelled synthetic set with noise (double clicks, slow triple clicks, clicks spread
  across the page, errors at page load and errors long after a click): precision and recall of rage
  clicks and error clicks.

    .venv/bin/python benchmarks/analytics.py [--events 1000000] [--engine-events 10000000]
        [--storage-events 2000000] [--storage-large 10000000] [--storage-engines sqlite,duckdb]
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

from benchmarks._common import RESULTS, checkout, machine, table, write_json  # noqa: E402
from benchmarks.analytics_ingest import PAGES, ingest, ingest_compare  # noqa: E402
from northstar.engines import friction as engine  # noqa: E402
from northstar.engines.friction import CLICK, CUSTOM, ERROR, PAGEVIEW  # noqa: E402

NORTHSTAR = Path(sys.executable).with_name("northstar")
COLUMNS = ("at", "type", "visitor", "path", "name", "selector", "x", "y", "dead")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Synthetic events ----------------------------------------------------------------------------------


def synthetic(n: int, seed: int, *, with_labels: bool = False) -> tuple[engine.Events, dict[str, set[int]]]:
    """About `n` events of visitors browsing (columns), with planted friction and noise around it.

    Background: every visitor's events ~8 s apart, page views and clicks on 300 ordinary elements.
    Planted (each on an element of its own so the truth is unambiguous): rage bursts of 3-6 clicks
    within a second, close together; error clicks (an error 50-900 ms after a click). Noise that must
    not be flagged: double clicks, slow triple clicks (0.7 s apart), fast triple clicks spread across
    the page, errors at page load, errors 1.5-5 s after a click.
    """
    rng = np.random.default_rng(seed)
    users = max(1, n // 50)
    base = int(n * 0.956)  # the planted events below make up the rest
    user = np.sort(rng.integers(0, users, base))
    gaps = rng.exponential(8.0, base)
    ts = np.cumsum(gaps)
    starts = np.r_[0, np.flatnonzero(np.diff(user)) + 1]
    offsets = np.repeat(ts[starts] - rng.uniform(0, 30 * 86400, starts.size), np.diff(np.r_[starts, base]))
    ts = ts - offsets
    kind = np.where(rng.random(base) < 0.3, PAGEVIEW, CLICK).astype(np.int8)
    kind[rng.random(base) < 0.03] = CUSTOM
    page = rng.integers(0, len(PAGES), base)
    target = np.where(kind == CLICK, rng.integers(0, 300, base), -1)
    x = rng.uniform(0, 1200, base)
    y = rng.uniform(0, 900, base)
    dead = (kind == CLICK) & (rng.random(base) < 0.01)
    cols = {
        "user": [user],
        "ts": [ts],
        "kind": [kind],
        "page": [page],
        "target": [target],
        "x": [x],
        "y": [y],
        "dead": [dead],
    }
    label_kind: list[np.ndarray] = [np.zeros(base, np.int8)]  # 1 rage start, 2 error click, 0 other
    next_target = [1000]

    def plant(k: int, clicks: int, spacing: tuple[float, float], spread: float, label: int, error_after=None):
        who = rng.integers(0, users, k)
        t0 = ts[rng.integers(0, base, k)]
        tg = np.arange(next_target[0], next_target[0] + k)
        next_target[0] += k
        cx, cy = rng.uniform(50, 1100, k), rng.uniform(50, 850, k)
        step = rng.uniform(*spacing, k)
        for j in range(clicks):
            cols["user"].append(who)
            cols["ts"].append(t0 + j * step + rng.uniform(0, 0.01, k))
            cols["kind"].append(np.full(k, CLICK, np.int8))
            cols["page"].append(np.full(k, 3))
            cols["target"].append(tg)
            cols["x"].append(cx + rng.uniform(-spread, spread, k) * (j > 0))
            cols["y"].append(cy + rng.uniform(-spread, spread, k) * (j > 0))
            cols["dead"].append(np.zeros(k, bool))
            label_kind.append(np.full(k, label if j == 0 else 0, np.int8))
        if error_after is not None:
            cols["user"].append(who)
            cols["ts"].append(t0 + rng.uniform(*error_after, k))
            cols["kind"].append(np.full(k, ERROR, np.int8))
            cols["page"].append(np.full(k, 3))
            cols["target"].append(np.full(k, -1))
            cols["x"].append(np.zeros(k))
            cols["y"].append(np.zeros(k))
            cols["dead"].append(np.zeros(k, bool))
            label_kind.append(np.zeros(k, np.int8))

    share = max(1, n // 400)
    for clicks in (3, 4, 5, 6):
        plant(share // 4, clicks, (0.08, 0.9 / (clicks - 1)), 8.0, 1)  # rage
    plant(share, 2, (0.1, 0.3), 5.0, 0)  # double clicks
    plant(share, 3, (0.7, 0.9), 5.0, 0)  # slow triple clicks
    plant(share, 3, (0.1, 0.25), 300.0, 0)  # fast but spread across the page (300 px jitter)
    plant(share, 1, (0.1, 0.1), 0.0, 2, error_after=(0.05, 0.9))  # error clicks
    plant(share, 1, (0.1, 0.1), 0.0, 0, error_after=(1.5, 5.0))  # errors long after a click
    # errors at page load: just after a page view that no click of the visitor preceded by 2 s
    quiet = np.r_[True, (np.diff(ts) > 2.0) | (np.diff(user) != 0)]
    loads = np.flatnonzero((kind == PAGEVIEW) & quiet)[:share]
    cols["user"].append(user[loads])
    cols["ts"].append(ts[loads] + 0.2)
    cols["kind"].append(np.full(loads.size, ERROR, np.int8))
    cols["page"].append(page[loads])
    cols["target"].append(np.full(loads.size, -1))
    cols["x"].append(np.zeros(loads.size))
    cols["y"].append(np.zeros(loads.size))
    cols["dead"].append(np.zeros(loads.size, bool))
    label_kind.append(np.zeros(loads.size, np.int8))
    events = engine.Events.of(**{k: np.concatenate(v) for k, v in cols.items()})
    labels: dict[str, set[int]] = {}
    if with_labels:
        lk = np.concatenate(label_kind)
        labels = {
            "rage_click": set(np.flatnonzero(lk == 1).tolist()),
            "error_click": set(np.flatnonzero(lk == 2).tolist()),
        }
    return events, labels


def _funnel_masks(events: engine.Events) -> list[np.ndarray]:
    return [(events.kind == PAGEVIEW) & (events.page == p) for p in (3, 4, 5, 6)]


def detectors(seed: int = 7, n: int = 400_000) -> dict:
    """Precision and recall of the rage and error click detectors on the labelled set."""
    events, labels = synthetic(n, seed, with_labels=True)
    _, found = engine.detect(events)
    result: dict = {"measure": "detectors", "events": len(events)}
    for signal in ("rage_click", "error_click"):
        truth = labels[signal]
        if signal == "rage_click":
            # a burst is found when the detector starts it at the planted first click
            flagged = {o.index for o in found if o.signal == signal}
        else:
            flagged = {o.index for o in found if o.signal == signal}
        tp = len(flagged & truth)
        result[f"{signal}_planted"] = len(truth)
        result[f"{signal}_precision"] = round(tp / len(flagged), 4) if flagged else 0.0
        result[f"{signal}_recall"] = round(tp / len(truth), 4) if truth else 0.0
    return result


def engine_generate(n: int, path: str, seed: int = 11) -> None:
    """Generate the synthetic events once and keep them in a file, so the measuring process holds
    only the columns (its peak memory is the engine's, not the generator's)."""
    events, _ = synthetic(n, seed)
    np.savez(path, **{name: getattr(events, name) for name in events.__dataclass_fields__})


def engine_at_scale(path: str) -> dict:
    started = time.perf_counter()
    with np.load(path) as data:
        events = engine.Events(**{name: data[name] for name in data.files})
    made = time.perf_counter() - started
    started = time.perf_counter()
    _, found = engine.detect(events)
    issues = engine.rank_friction(found)
    detect_s = time.perf_counter() - started
    started = time.perf_counter()
    result = engine.funnel(events.user, events.ts, _funnel_masks(events), window=7200.0)
    funnel_s = time.perf_counter() - started
    return {
        "measure": "engine",
        "events": len(events),
        "load_s": round(made, 2),
        "friction_s": round(detect_s, 2),
        "friction_issues": len(issues),
        "occurrences": len(found),
        "funnel_s": round(funnel_s, 3),
        "funnel_reached": list(result.reached),
        "peak_mb": round(_peak_mb()),
    }


# Ingest through the endpoint -----------------------------------------------------------------------


def measure_key(record: dict) -> str:
    """What a record measures: its measure and, when it has one, its size (a 10,000,000-event run
    does not replace the 1,000,000-event figures)."""
    events = record.get("events")
    return f"{record['measure']} ({events:,} events)" if events else record["measure"]


def merge_results(records: list[dict]) -> list[dict]:
    """The result file with the measures in `records` replaced by them (a partial run): each machine
    record says which measures it covers, so every figure keeps the commit and load it was taken at."""
    path = RESULTS / "analytics.json"
    old = json.loads(path.read_text()) if path.exists() else []
    fresh = {measure_key(r) for r in records if r["measure"] != "machine"}
    kept = [r for r in old if r.get("measure") == "machine" or measure_key(r) not in fresh]
    remaining = sorted({measure_key(r) for r in kept if r.get("measure") != "machine"})
    for record in kept:
        if record.get("measure") == "machine":
            covers = record.get("covers", remaining)
            record["covers"] = [m for m in covers if m not in fresh]
    kept = [r for r in kept if r.get("measure") != "machine" or r["covers"]]
    return [*kept, *records]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--engine-events", type=int, default=10_000_000)
    parser.add_argument("--storage-events", type=int, default=2_000_000, help="every engine, same events")
    parser.add_argument("--storage-large", type=int, default=10_000_000, help="columnar engines only")
    parser.add_argument("--storage-engines", default="sqlite,postgresql,duckdb,chdb")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts to measure (detectors, engine, storage, ingest); the others keep "
        "their figures in the result file",
    )
    parser.add_argument(
        "--baseline", default="", help="with ingest: also measure this commit's endpoint in the same run"
    )
    args = parser.parse_args()
    only = {p for p in args.only.split(",") if p}
    if only:
        partial(args, only)
        return
    records = [{"measure": "machine", **machine()}]
    records.append(detectors())
    print(
        table(
            ["rage P", "rage R", "error P", "error R"],
            [
                [
                    records[-1]["rage_click_precision"],
                    records[-1]["rage_click_recall"],
                    records[-1]["error_click_precision"],
                    records[-1]["error_click_recall"],
                ]
            ],
        )
    )
    with tempfile.TemporaryDirectory(prefix="nsbench-engine-") as tmp:
        path = str(Path(tmp) / "events.npz")
        subprocess.run(
            [sys.executable, __file__, "--engine-generate", str(args.engine_events), path], check=True
        )
        scale = subprocess.run(
            [sys.executable, __file__, "--engine-run", path], capture_output=True, text=True, check=True
        )
    records.append(json.loads(scale.stdout.strip().splitlines()[-1]))
    print(
        table(
            ["events", "friction s", "funnel s", "peak MB"],
            [
                [
                    records[-1]["events"],
                    records[-1]["friction_s"],
                    records[-1]["funnel_s"],
                    records[-1]["peak_mb"],
                ]
            ],
        )
    )
    from benchmarks import analytics_storage

    engines = [e for e in args.storage_engines.split(",") if e]
    records += analytics_storage.compare(args.storage_events, engines)
    big = [e for e in engines if e in ("duckdb", "chdb")]
    if args.storage_large and big:
        records += analytics_storage.compare(args.storage_large, big)
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
                if r["measure"] == "storage"
            ],
        )
    )
    records += ingest(args.events)
    print(
        table(
            ["path", "events", "seconds", "events/s"],
            [
                [r["path"], r["events"], r["seconds"], r["events_per_s"]]
                for r in records
                if r["measure"] == "ingest"
            ],
        )
    )
    write_json(RESULTS / "analytics.json", records)


def engine_scale(n: int, baseline: str = "") -> list[dict]:
    """The engine at `n` events in processes of their own (generation apart from measurement); with
    `baseline`, that commit's engine on the same events too, right before (measure "engine before")."""
    records = []
    with tempfile.TemporaryDirectory(prefix="nsbench-engine-") as tmp, contextlib.ExitStack() as stack:
        path = str(Path(tmp) / "events.npz")
        subprocess.run([sys.executable, __file__, "--engine-generate", str(n), path], check=True)
        trees = [(Path(__file__).resolve(), "engine", "")]
        if baseline:
            tree, sha = stack.enter_context(checkout(baseline, Path(tmp) / "tree"))
            trees.insert(0, (tree / "benchmarks" / "analytics.py", "engine before", f"commit {sha}"))
        for script, measure, code in trees:
            scale = subprocess.run(
                [sys.executable, str(script), "--engine-run", path],
                cwd=script.parent.parent,
                capture_output=True,
                text=True,
                check=True,
            )
            record = json.loads(scale.stdout.strip().splitlines()[-1])
            record["measure"] = measure
            if code:
                record["code"] = code
            records.append(record)
    return records


def partial(args: argparse.Namespace, only: set[str]) -> None:
    """Measure some parts only and merge them into the result file."""
    unknown = only - {"detectors", "engine", "ingest"}
    if unknown:
        raise SystemExit(f"--only: unknown part(s) {', '.join(sorted(unknown))} (storage needs a full run)")
    records: list[dict] = [{"measure": "machine", "covers": sorted(only), **machine()}]
    if "detectors" in only:
        records.append(detectors())
    if "engine" in only:
        records += engine_scale(args.engine_events, args.baseline)
        print(
            table(
                ["measure", "events", "friction s", "funnel s", "peak MB"],
                [
                    [r[k] for k in ("measure", "events", "friction_s", "funnel_s", "peak_mb")]
                    for r in records
                    if r["measure"].startswith("engine")
                ],
            )
        )
    if "ingest" in only:
        found = ingest_compare(args.events, args.baseline) if args.baseline else ingest(args.events)
        records += found
        print(
            table(
                ["path", "events", "accepted/s", "end to end events/s"],
                [
                    [r["path"], r["events"], r.get("accepted_per_s"), r["events_per_s"]]
                    for r in found
                    if r["measure"] == "ingest"
                ],
            )
        )
    records[0]["covers"] = sorted({measure_key(r) for r in records[1:]})
    records[0]["load_1m_end"] = machine()["load_1m"]  # how busy the machine was by the end
    write_json(RESULTS / "analytics.json", merge_results(records))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--engine-generate":
        engine_generate(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "--engine-run":
        print(json.dumps(engine_at_scale(sys.argv[2])))
    else:
        main()
