"""Feedback themes: how well the engine finds themes it is not told about, and how fast.

    .venv/bin/python benchmarks/themes.py --data ../shared/bench/themes/clinc150_test.csv
    .venv/bin/python benchmarks/themes.py --data ../shared/bench/themes/clinc150_all.csv --limit 10000

FILE has columns `text,label`. Methods (each in its own process, so `peak_mb` is its own):
- `default`: the installed default embedder (all-MiniLM-L6-v2 on ONNX Runtime) + the engine's
  clustering, which chooses the number of themes itself;
- `fallback`: the lighter default (TF-IDF + SVD, numpy/scipy only) + the same clustering;
- `kmeans_true_k`: the baseline, k-means told the true number of labels, on the default's embeddings
  (its `seconds` include that embedding time, `cluster_seconds` is k-means alone).
NMI and ARI compare the themes with the labels. Writes one record per method to --json
(default benchmarks/results/themes.json).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FIELDS = ("method", "nmi", "ari", "n_themes", "n_items", "seconds", "items_per_s", "peak_mb")


def _load(path: Path, limit: int | None, seed: int) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(handle)]
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    return [t for t, _ in rows], [lab for _, lab in rows]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(method: str, texts: list[str], k_true: int, vectors_file: str, queue: mp.Queue) -> None:
    import numpy as np

    from northstar.engines.themes import MiniLMEmbedder, TfidfSvdEmbedder, cluster_vectors, kmeans_labels

    start = time.perf_counter()
    extra: dict = {}
    if method == "kmeans_true_k":
        vectors = np.load(vectors_file)
        t0 = time.perf_counter()
        labels = kmeans_labels(vectors, k_true)
        extra["cluster_seconds"] = round(time.perf_counter() - t0, 3)
        embedder_name = MiniLMEmbedder.name
    else:
        embedder = MiniLMEmbedder() if method == "default" else TfidfSvdEmbedder()
        embedder_name = embedder.name
        vectors = embedder.embed(texts)
        t0 = time.perf_counter()
        extra["embed_seconds"] = round(t0 - start, 3)
        result = cluster_vectors(vectors, cohesion=embedder.theme_cohesion, ceiling=embedder.theme_ceiling)
        extra["cluster_seconds"] = round(time.perf_counter() - t0, 3)
        labels = result.labels
        if method == "default":
            np.save(vectors_file, vectors)
    queue.put(
        {
            "labels": [int(x) for x in labels],
            "seconds": time.perf_counter() - start,
            "peak_mb": _peak_mb(),
            "embedder": embedder_name,
            **extra,
        }
    )


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="CSV with columns text,label")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "themes.json")
    parser.add_argument("--limit", type=int, default=None, help="a seeded random sample of this many rows")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", default="default,fallback,kmeans_true_k")
    args = parser.parse_args(argv)

    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    texts, truth = _load(args.data, args.limit, args.seed)
    k_true = len(set(truth))
    context = mp.get_context("spawn")
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        vectors_file = str(Path(tmp) / "vectors.npy")
        methods = args.methods.split(",")
        if "kmeans_true_k" in methods and "default" not in methods:
            parser.error("kmeans_true_k runs on the default's embeddings: include default")
        for method in methods:
            queue = context.Queue()
            proc = context.Process(target=_run, args=(method, texts, k_true, vectors_file, queue))
            proc.start()
            out = queue.get()
            proc.join()
            labels = out.pop("labels")
            seconds = out.pop("seconds")
            if method == "kmeans_true_k":  # the baseline needs the same embeddings: count their time
                default = next((r for r in records if r["method"] == "default"), None)
                seconds += default["embed_seconds"] if default else 0.0
            records.append(
                {
                    "method": method,
                    "nmi": round(normalized_mutual_info_score(truth, labels), 4),
                    "ari": round(adjusted_rand_score(truth, labels), 4),
                    "n_themes": len(set(labels)),
                    "n_items": len(texts),
                    "seconds": round(seconds, 2),
                    "items_per_s": round(len(texts) / seconds, 1),
                    "peak_mb": round(out.pop("peak_mb"), 1),
                    "true_labels": k_true,
                    "data": args.data.name
                    + (f" (sample {args.limit}) seed {args.seed}" if args.limit else ""),
                    **out,
                }
            )
    head = [*FIELDS, "embed_seconds", "cluster_seconds"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(" --- " for _ in head) + "|")
    for r in records:
        print("| " + " | ".join(str(r.get(h, "")) for h in head) + " |")
    print(f"true number of labels: {k_true}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(records, indent=1) + "\n")
    return records


if __name__ == "__main__":
    main()
