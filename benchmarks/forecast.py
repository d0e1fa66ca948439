"""Delivery forecast: 10,000 simulations of 500 initiatives over 40 teams, against a plain Python loop,
and the calibration backtest (does P85 mean 85%?).

The workload: 40 teams, each with 26 weeks of throughput history (Poisson, 3 to 8 items a week), and
500 initiatives (3 to 40 items left each) spread over the teams in plan order, 10% scope growth.

* ours: `northstar.engines.forecast.forecast` (numpy: each team's futures as weeks-first blocks, a
  running total per week and a count of the weeks short of each item), its wall and CPU time (median
  of five), the peak memory numpy allocates (tracemalloc, which numpy reports its arrays to) and the
  growth of the process's peak resident memory over its first run;
* baseline: the same simulation as a plain Python loop (per simulation, per team, week by week: draw a
  week of history, pay off the queue in order), same inputs, percentiles by sorting; its wall and CPU
  time and the growth of the peak resident memory while it ran.

Both must agree: the script checks that the P85 weeks of the two differ by at most a week for 98% of
initiatives (they draw different random numbers, so exact equality is not expected).

Calibration: `northstar.engines.forecast.backtest.calibration` on 1,000 teams (3,000 initiatives) whose
histories and real futures come from a known Poisson process, forecast with 10,000 simulations each;
the share of real finishes on or before the P85 week must be 85% +/- 5 points.

The aim (under 1 s) is judged on the wall time, which a busy shared machine inflates; the CPU time
says what the engine itself costs. Both are recorded with the machine's load.

    .venv/bin/python benchmarks/forecast.py [--simulations 10000] [--baseline-simulations 10000]
                                            [--calibration-cases 1000]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _common import RESULTS, machine, table, write_json

from northstar.engines.forecast import TeamHistory, Work, forecast
from northstar.engines.forecast.backtest import calibration

TEAMS = 40
INITIATIVES = 500
GROWTH = 0.1
HORIZON = 260

P = ParamSpec("P")
R = TypeVar("R")


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


class PeakResident:
    """How much a block of code raised the process's peak resident memory (Linux: the high-water mark
    is reset first through /proc/self/clear_refs; elsewhere None)."""

    def __enter__(self) -> PeakResident:
        self.growth_mb: float | None = None
        self.before: int | None
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.before = _status_kb("VmRSS")
        except OSError:
            self.before = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.before is not None:
            self.growth_mb = round((_status_kb("VmHWM") - self.before) / 1024, 1)


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise OSError(key)


def timed(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> tuple[R, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulations", type=int, default=10_000)
    parser.add_argument("--baseline-simulations", type=int, default=10_000)
    parser.add_argument("--calibration-cases", type=int, default=1_000)
    args = parser.parse_args()
    teams, work = workload()
    settings = {"simulations": args.simulations, "scope_growth": GROWTH, "horizon_weeks": HORIZON}
    forecast(teams, work[:20], simulations=100)  # warm up numpy's code paths
    walls, cpus = [], []
    for run in range(5):
        with PeakResident() as resident:
            ours, wall, cpu = timed(forecast, teams, work, **settings)
        if run == 0:
            ours_resident = resident.growth_mb
        walls.append(wall)
        cpus.append(cpu)
    tracemalloc.start()
    forecast(teams, work, **settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with PeakResident() as resident:
        baseline, plain_wall, plain_cpu = timed(plain, teams, work, args.baseline_simulations, seed=7)
    ours_p85 = {item.id: item.weeks.p85 for item in ours.items}
    close = sum(abs(ours_p85[k] - baseline[k]) <= 1 for k in baseline) / len(baseline)
    backtest, backtest_wall, _ = timed(
        calibration, cases=args.calibration_cases, simulations=args.simulations
    )
    low, high = backtest.interval(backtest.p85)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    scale = args.simulations / args.baseline_simulations
    record = {
        "benchmark": "forecast",
        "simulations": args.simulations,
        "initiatives": INITIATIVES,
        "teams": TEAMS,
        "ours_seconds_median": round(wall, 3),
        "ours_seconds_runs": [round(r, 3) for r in walls],
        "ours_cpu_seconds_median": round(cpu, 3),
        "ours_peak_traced_mb": round(peak / 2**20, 1),
        "ours_peak_rss_growth_mb": ours_resident,
        "baseline": "plain Python loop",
        "baseline_simulations": args.baseline_simulations,
        "baseline_seconds": round(plain_wall, 2),
        "baseline_cpu_seconds": round(plain_cpu, 2),
        "baseline_peak_rss_growth_mb": resident.growth_mb,
        "speedup": round(plain_wall * scale / wall, 1),
        "speedup_cpu": round(plain_cpu * scale / cpu, 1),
        "aim_seconds": 1.0,
        "aim_met_wall": wall < 1.0,
        "aim_met_cpu": cpu < 1.0,
        "p85_within_a_week_of_baseline": round(close, 3),
        "roadmap_p85_weeks": ours.roadmap.p85 if ours.roadmap else None,
        "calibration_cases": backtest.cases,
        "calibration_finishes": backtest.finishes,
        "calibration_simulations": args.simulations,
        "calibration_p85_coverage": round(backtest.p85, 4),
        "calibration_p85_interval_95": [round(low, 4), round(high, 4)],
        "calibration_p50_coverage": round(backtest.p50, 4),
        "calibration_p95_coverage": round(backtest.p95, 4),
        "calibration_seconds": round(backtest_wall, 1),
        **machine(),
    }
    print(
        table(
            ["what", "wall s", "CPU s", "peak MB", "note"],
            [
                [
                    "engine (numpy), median of 5",
                    record["ours_seconds_median"],
                    record["ours_cpu_seconds_median"],
                    f"{record['ours_peak_traced_mb']} traced, +{ours_resident} RSS",
                    f"{args.simulations:,} simulations",
                ],
                [
                    "plain Python loop",
                    record["baseline_seconds"],
                    record["baseline_cpu_seconds"],
                    f"+{resident.growth_mb} RSS",
                    f"{args.baseline_simulations:,} simulations",
                ],
            ],
        )
    )
    print(
        f"speed-up {record['speedup']}x wall, {record['speedup_cpu']}x CPU; aim under 1 s "
        f"{'met' if wall < 1.0 else 'NOT met'} on wall time; P85 within a week of the baseline for "
        f"{close:.1%} of initiatives; load {record['load_1m']} on {record['cpus']} CPUs ({record['cpu']})"
    )
    print(
        f"calibration: {backtest.p85:.1%} of {backtest.finishes:,} real finishes on or before P85 "
        f"(95% interval {low:.1%} to {high:.1%}); P50 {backtest.p50:.1%}, P95 {backtest.p95:.1%}"
    )
    write_json(RESULTS / "forecast.json", [record])
    if close < 0.98:
        print("The engine and the plain loop disagree: check the simulation.")
        return 1
    if not 0.80 <= backtest.p85 <= 0.90:
        print("P85 does not mean 85%: the forecast is not calibrated.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
