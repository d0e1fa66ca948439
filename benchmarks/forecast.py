"""Delivery forecast: 10,000 simulations of 500 initiatives over 40 teams, against a plain Python loop.

The workload: 40 teams, each with 26 weeks of throughput history (Poisson, 3 to 8 items a week), and
500 initiatives (3 to 40 items left each) spread over the teams in plan order, 10% scope growth.

* ours: `northstar.engines.forecast.forecast` (numpy: each team's futures as one array, one
  searchsorted per block of weeks), its wall time and peak traced memory (tracemalloc, which numpy
  reports its arrays to);
* baseline: the same simulation as a plain Python loop (per simulation, per team, week by week: draw a
  week of history, pay off the queue in order), same inputs, percentiles by sorting.

Both must agree: the script checks that the P85 weeks of the two differ by at most a week for 98% of
initiatives (they draw different random numbers, so exact equality is not expected).

    .venv/bin/python benchmarks/forecast.py [--simulations 10000] [--baseline-simulations 10000]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _common import RESULTS, machine, table, write_json

from northstar.engines.forecast import TeamHistory, Work, forecast

TEAMS = 40
INITIATIVES = 500
GROWTH = 0.1
HORIZON = 260


def workload(seed: int = 1) -> tuple[list[TeamHistory], list[Work]]:
    rng = np.random.default_rng(seed)
    teams = [
        TeamHistory(f"t{i}", tuple(float(x) for x in rng.poisson(rng.uniform(3, 8), 26)))
        for i in range(TEAMS)
    ]
    work = [Work(f"w{j}", f"t{j % TEAMS}", float(rng.integers(3, 41))) for j in range(INITIATIVES)]
    return teams, work


def plain(teams: list[TeamHistory], work: list[Work], simulations: int, seed: int) -> dict[str, int]:
    """The same simulation in plain Python: P85 week of every initiative."""
    rng = random.Random(seed)
    queues: dict[str, list[Work]] = {}
    for w in work:
        queues.setdefault(w.team, []).append(w)
    history = {t.id: t.weekly for t in teams}
    finishes: dict[str, list[int]] = {w.id: [] for w in work}
    for _ in range(simulations):
        for team, queue in queues.items():
            weeks = history[team]
            n = len(weeks)
            sizes = [w.remaining * (1 + rng.uniform(0, 2 * GROWTH)) for w in queue]
            done, week, position, target = 0.0, 0, 0, sizes[0]
            while position < len(queue) and week < HORIZON:
                week += 1
                done += weeks[int(rng.random() * n)]
                while position < len(queue) and done >= target:
                    finishes[queue[position].id].append(week)
                    position += 1
                    if position < len(queue):
                        target += sizes[position]
            for unfinished in queue[position:]:
                finishes[unfinished.id].append(HORIZON + 1)
    result = {}
    for key, values in finishes.items():
        values.sort()
        result[key] = values[max(0, math.ceil(0.85 * len(values)) - 1)]
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulations", type=int, default=10_000)
    parser.add_argument("--baseline-simulations", type=int, default=10_000)
    args = parser.parse_args()
    teams, work = workload()
    forecast(teams, work[:20], simulations=100)  # warm up numpy's code paths
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        ours = forecast(teams, work, simulations=args.simulations, scope_growth=GROWTH, horizon_weeks=HORIZON)
        runs.append(time.perf_counter() - started)
    tracemalloc.start()
    forecast(teams, work, simulations=args.simulations, scope_growth=GROWTH, horizon_weeks=HORIZON)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    baseline = plain(teams, work, args.baseline_simulations, seed=7)
    plain_seconds = time.perf_counter() - started
    ours_p85 = {item.id: item.weeks.p85 for item in ours.items}
    close = sum(abs(ours_p85[k] - baseline[k]) <= 1 for k in baseline) / len(baseline)
    record = {
        "benchmark": "forecast",
        "simulations": args.simulations,
        "initiatives": INITIATIVES,
        "teams": TEAMS,
        "ours_seconds_median": round(sorted(runs)[1], 3),
        "ours_seconds_runs": [round(r, 3) for r in runs],
        "ours_peak_traced_mb": round(peak / 2**20, 1),
        "baseline": "plain Python loop",
        "baseline_simulations": args.baseline_simulations,
        "baseline_seconds": round(plain_seconds, 2),
        "speedup": round(plain_seconds * args.simulations / args.baseline_simulations / sorted(runs)[1], 1),
        "p85_within_a_week_of_baseline": round(close, 3),
        "roadmap_p85_weeks": ours.roadmap.p85 if ours.roadmap else None,
        **machine(),
    }
    print(
        table(
            ["what", "seconds", "peak MB", "note"],
            [
                [
                    "engine (numpy), median of 3",
                    record["ours_seconds_median"],
                    record["ours_peak_traced_mb"],
                    f"{args.simulations:,} simulations",
                ],
                [
                    "plain Python loop",
                    record["baseline_seconds"],
                    "",
                    f"{args.baseline_simulations:,} simulations",
                ],
            ],
        )
    )
    print(
        f"speed-up {record['speedup']}x; P85 within a week of the baseline for {close:.1%} of initiatives; "
        f"load {record['load_1m']} on {record['cores']} cores ({record['cpu']})"
    )
    write_json(RESULTS / "forecast.json", [record])
    if close < 0.98:
        print("The engine and the plain loop disagree: check the simulation.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
