"""Feedback themes: found without being told how many, against k-means told the true number.

    .venv/bin/python benchmarks/themes.py                       # every public set, then 10,000 items
    .venv/bin/python benchmarks/themes.py --sets hwu64.csv      # one set (files in --dir)

Sets are CSV files with columns `text,label` in `--dir` (default ../shared/bench/themes/). For each:
- `ours`: in a fresh process, MiniLM embeds every text, then the engine clusters them choosing the
  number of themes itself (seed 0, as the product does). Its `seconds` are end to end (model load,
  embedding, clustering); `cpu_seconds` the CPU time of all its threads; `peak_mb` its own peak.
- `kmeans_true_k`: in another fresh process, on the very same vectors, k-means told the true number
  of labels (scikit-learn, k-means++, 3 starts), once per seed in --baseline-seeds; the table shows
  the mean NMI and the range. Its `seconds` are k-means alone.
- `fallback` (with --fallback): TF-IDF + SVD + the same clustering, for the record.
The last row is the 10,000-item end-to-end run: a seeded sample of 10,000 texts of --e2e-set.
The machine's load average is recorded before and after each run: figures from a busy machine are
upper bounds for time. Writes benchmarks/results/themes.json.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, RESULTS, machine, table, write_json

#: ../shared beside the checkout (a worktree under wt/ has it one level further up).
DATA = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "bench"
    / "themes"
)
SETS = ("clinc150_test.csv", "hwu64.csv")
E2E_SET, E2E_ITEMS = "clinc150_all.csv", 10_000


def _load(path: Path, limit: int | None, seed: int) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(handle)]
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    return [t for t, _ in rows], [lab for _, lab in rows]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(texts: list[str], vectors_file: str, fallback: bool, queue: mp.Queue) -> None:
    import numpy as np

    from northstar.engines.themes import MiniLMEmbedder, TfidfSvdEmbedder, cluster_vectors

    start = time.perf_counter()
    embedder = TfidfSvdEmbedder() if fallback else MiniLMEmbedder()
    vectors = embedder.embed(texts)
    if not fallback:
        embedder.release()  # as a re-clustering does: the model and the clustering never overlap
    embedded = time.perf_counter()
    result = cluster_vectors(vectors, seed=0)
    done = time.perf_counter()
    if not fallback:
        np.save(vectors_file, vectors)
    queue.put(
        {
            "labels": result.labels.tolist(),
            "seconds": done - start,
            "embed_seconds": embedded - start,
            "cluster_seconds": done - embedded,
            "peak_mb": _peak_mb(),
            "cpu_seconds": _cpu_seconds(),
        }
    )


def _cpu_seconds() -> float:
    """CPU time of this process (all its threads): on a busy machine a steadier figure than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _kmeans(vectors_file: str, k: int, seeds: list[int], queue: mp.Queue) -> None:
    import numpy as np

    from northstar.engines.themes import kmeans_labels

    vectors = np.load(vectors_file)
    runs = []
    for seed in seeds:
        start = time.perf_counter()
        labels = kmeans_labels(vectors, k, seed=seed)
        runs.append({"labels": labels.tolist(), "seconds": time.perf_counter() - start})
    queue.put({"runs": runs, "peak_mb": _peak_mb()})


def _in_process(target: Any, *args: Any) -> dict[str, Any]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    proc = context.Process(target=target, args=(*args, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def measure(path: Path, *, limit: int | None, seeds: list[int], fallback: bool) -> list[dict[str, Any]]:
    """The rows of one set: ours, k-means told k on the same vectors (and the fallback)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    texts, truth = _load(path, limit, seed=0)
    k_true = len(set(truth))
    name = path.stem + (f" (sample of {limit:,})" if limit and limit < len(texts) + 1 else "")
    common = {"set": name, "items": len(texts), "true_k": k_true}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        vectors_file = str(Path(tmp) / "vectors.npy")
        load = os.getloadavg()[0]
        ours = _in_process(_ours, texts, vectors_file, False)
        rows.append(
            {
                **common,
                "method": "ours",
                "nmi": round(normalized_mutual_info_score(truth, ours["labels"]), 4),
                "ari": round(adjusted_rand_score(truth, ours["labels"]), 4),
                "themes": len(set(ours["labels"])),
                "seconds": round(ours["seconds"], 1),
                "embed_seconds": round(ours["embed_seconds"], 1),
                "cluster_seconds": round(ours["cluster_seconds"], 1),
                "peak_mb": round(ours["peak_mb"]),
                "cpu_seconds": round(ours["cpu_seconds"], 1),
                "load": [round(load, 1), round(os.getloadavg()[0], 1)],
            }
        )
        load = os.getloadavg()[0]
        base = _in_process(_kmeans, vectors_file, k_true, seeds)
        runs = base["runs"]
        nmis = [normalized_mutual_info_score(truth, run["labels"]) for run in runs]
        rows.append(
            {
                **common,
                "method": "kmeans_true_k",
                "nmi": round(statistics.mean(nmis), 4),
                "nmi_range": [round(min(nmis), 4), round(max(nmis), 4)],
                "ari": round(
                    statistics.mean(adjusted_rand_score(truth, r["labels"]) for r in base["runs"]), 4
                ),
                "themes": k_true,
                "seconds": round(statistics.mean(r["seconds"] for r in base["runs"]), 1),
                "cluster_seconds": round(statistics.mean(r["seconds"] for r in base["runs"]), 1),
                "peak_mb": round(base["peak_mb"]),
                "seeds": seeds,
                "load": [round(load, 1), round(os.getloadavg()[0], 1)],
            }
        )
        if fallback:
            load = os.getloadavg()[0]
            out = _in_process(_ours, texts, vectors_file, True)
            rows.append(
                {
                    **common,
                    "method": "fallback",
                    "nmi": round(normalized_mutual_info_score(truth, out["labels"]), 4),
                    "ari": round(adjusted_rand_score(truth, out["labels"]), 4),
                    "themes": len(set(out["labels"])),
                    "seconds": round(out["seconds"], 1),
                    "embed_seconds": round(out["embed_seconds"], 1),
                    "cluster_seconds": round(out["cluster_seconds"], 1),
                    "peak_mb": round(out["peak_mb"]),
                    "load": [round(load, 1), round(os.getloadavg()[0], 1)],
                }
            )
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=DATA, help="folder of the CSV sets")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated file names in --dir")
    parser.add_argument(
        "--e2e-set", default=E2E_SET, help="the set sampled for the 10,000-item run ('' skips)"
    )
    parser.add_argument("--e2e-items", type=int, default=E2E_ITEMS)
    parser.add_argument("--baseline-seeds", default="0,1,2")
    parser.add_argument("--fallback", action="store_true", help="also measure the TF-IDF fallback")
    parser.add_argument("--json", type=Path, default=RESULTS / "themes.json")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.baseline_seeds.split(",")]
    info = {**machine(), "load_start": os.getloadavg()}
    rows: list[dict[str, Any]] = []
    for name in [s for s in args.sets.split(",") if s]:
        rows += measure(args.dir / name, limit=None, seeds=seeds, fallback=args.fallback)
    if args.e2e_set:
        e2e = measure(args.dir / args.e2e_set, limit=args.e2e_items, seeds=seeds, fallback=args.fallback)
        for row in e2e:
            row["end_to_end"] = row["method"] == "ours"
        rows += e2e
    info["load_end"] = os.getloadavg()
    for row in rows:
        row.update({k: info[k] for k in ("commit", "dirty", "cpu", "cpus", "load_1m")})
    head = [
        "set",
        "items",
        "true_k",
        "method",
        "nmi",
        "themes",
        "seconds",
        "embed_seconds",
        "cluster_seconds",
    ]
    head += ["cpu_seconds", "peak_mb", "load"]
    print(table(head, [[r.get(h, "") for h in head] for r in rows]))
    for r in rows:
        if r["method"] == "kmeans_true_k":
            print(f"{r['set']}: k-means told k={r['true_k']}, NMI {r['nmi_range'][0]} to {r['nmi_range'][1]}")
    print(f"commit {info['commit']}, {info['cpu']} ({info['cpus']} CPUs)")
    print(f"load average (1, 5, 15 min) {info['load_start']} at the start, {info['load_end']} at the end")
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
