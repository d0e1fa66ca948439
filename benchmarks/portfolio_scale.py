"""Portfolio-scale benchmark: synthetic roadmaps of 1,000 to 10,000 items.

    .venv/bin/python benchmarks/portfolio_scale.py                          # 1000,5000,10000 items, 120 s
    .venv/bin/python benchmarks/portfolio_scale.py --sizes 1000 --time-limit 20

Each size runs in its own subprocess so peak memory (ru_maxrss) is that size's own. Measured: time to
the first feasible plan (the greedy warm start), time to a 1% gap, final gap at the time limit, peak
memory, and value against the greedy baseline. Results go to benchmarks/results/portfolio_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import RESULTS, table, write_json

from northstar.engines.planner import (
    Budget,
    Bundle,
    Exclusive,
    Guardrail,
    Item,
    Period,
    Precedence,
    Problem,
    Requires,
    SolveOptions,
    Team,
    check_plan,
    greedy_plan,
    solve,
)

SKILLS = ("backend", "frontend", "mobile", "data", "design")
LINES = ("Growth", "Payments", "Platform", "Mobile", "Insights", "Core")
CATEGORIES = ("new-bets", "core", "tech-debt")


def generate(n_items: int, seed: int = 0) -> Problem:
    """A realistic-looking portfolio: 8-12 periods, 10-40 teams, 5 skills, dependencies, guardrails.

    Demand is about twice the capacity, so choosing matters; items have 1-3 eligible teams or a
    fixed team, as real portfolios do.
    """
    rng = np.random.default_rng(seed)
    n_periods = int(rng.integers(8, 13))
    n_teams = int(min(40, max(10, n_items // 250)))
    periods = tuple(Period(f"P{k + 1:02d}", f"{2027 + k // 4}-Q{k % 4 + 1}") for k in range(n_periods))
    teams = []
    team_skills = []
    for t in range(n_teams):
        skills = tuple(rng.choice(SKILLS, size=int(rng.integers(2, 4)), replace=False))
        team_skills.append(skills)
        cap = {(s, p.id): float(rng.integers(8, 20)) for s in skills for p in periods}
        teams.append(Team(id=f"T{t:02d}", name=f"Team {t:02d}", capacity=cap))
    total_cap = sum(sum(t.capacity.values()) for t in teams)
    mean_effort = 2.0 * total_cap / n_items
    by_skill = {s: [t for t in range(n_teams) if s in team_skills[t]] for s in SKILLS}
    items = []
    for i in range(n_items):
        home = int(rng.integers(n_teams))
        skills = list(rng.choice(team_skills[home], size=int(rng.integers(1, 3)), replace=False))
        duration = int(rng.choice([1, 1, 2, 2, 3]))
        total = float(np.round(rng.gamma(2.0, mean_effort / 2.0) + 1, 1))
        shares = rng.dirichlet(np.ones(len(skills)))
        effort = {s: float(np.round(total * w, 1)) for s, w in zip(skills, shares, strict=True)}
        fixed = None
        eligible: tuple[str, ...] = ()
        if rng.random() < 0.4:
            fixed = f"T{home:02d}"
        else:
            able = [t for t in range(n_teams) if all(s in team_skills[t] for s in skills) and t != home]
            extra = (
                rng.choice(able, size=min(len(able), int(rng.integers(0, 3))), replace=False) if able else []
            )
            eligible = tuple(f"T{t:02d}" for t in [home, *extra])
        earliest = periods[int(rng.integers(0, n_periods // 2))].id if rng.random() < 0.1 else None
        deadline = periods[int(rng.integers(n_periods // 2, n_periods))].id if rng.random() < 0.1 else None
        value = float(np.round(total * rng.lognormal(0.0, 0.6), 1))
        items.append(
            Item(
                id=f"I{i:05d}",
                value=value,
                effort=effort,
                duration=duration,
                cost=float(np.round(total * rng.uniform(8, 12), 0)),
                earliest_start=earliest,
                deadline=deadline,
                team=fixed,
                eligible_teams=eligible,
                groups=(f"line:{LINES[i % len(LINES)]}", f"cat:{rng.choice(CATEGORIES)}"),
            )
        )
    del by_skill
    ids = [it.id for it in items]
    pairs = rng.integers(0, n_items, size=(n_items // 20, 2))
    precedences = tuple(Precedence(ids[min(a, b)], ids[max(a, b)]) for a, b in pairs if a != b)
    pairs = rng.integers(0, n_items, size=(n_items // 30, 2))
    requires = tuple(Requires(ids[max(a, b)], ids[min(a, b)]) for a, b in pairs if a != b)
    pairs = rng.integers(0, n_items, size=(n_items // 100, 2))
    exclusives = tuple(Exclusive((ids[a], ids[b])) for a, b in pairs if a != b)
    bundles = tuple(
        Bundle(
            f"B{k}",
            tuple(ids[j] for j in sorted(set(rng.integers(0, n_items, size=3).tolist()))),
            float(rng.integers(20, 80)),
        )
        for k in range(n_items // 50)
    )
    total_cost = sum(it.cost for it in items)
    budgets = tuple(Budget(round(0.55 * total_cost / n_periods / 1.0), period=p.id) for p in periods) + tuple(
        Budget(round(0.3 * total_cost / len(LINES)), group=f"line:{line}") for line in LINES
    )
    guardrails = (
        Guardrail("cat:tech-debt", "capacity", min_share=0.2),
        Guardrail("cat:new-bets", "budget", max_share=0.4),
    )
    return Problem(
        periods=periods,
        items=tuple(items),
        teams=tuple(teams),
        budgets=budgets,
        guardrails=guardrails,
        precedences=precedences,
        requires=requires,
        exclusives=exclusives,
        bundles=bundles,
        discount_per_period=0.02,
    )


def run_one(n_items: int, time_limit: float, threads: int, seed: int) -> dict[str, Any]:
    """Generate, solve with progress tracking, check, and measure one size (in this process)."""
    t0 = time.perf_counter()
    problem = generate(n_items, seed)
    gen_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    greedy = greedy_plan(problem)
    greedy_seconds = time.perf_counter() - t1
    trace: list[tuple[float, float, float]] = []
    first_feasible: list[float] = []
    one_percent: list[float] = []

    def progress(seconds: float, value: float, bound: float) -> None:
        if value > float("-inf") and not first_feasible:
            first_feasible.append(seconds)
        if bound < float("inf") and bound > 0 and (bound - value) / bound <= 0.01 and not one_percent:
            one_percent.append(seconds)
        if not trace or seconds - trace[-1][0] > 1.0:
            trace.append((round(seconds, 2), value, bound))

    opts = SolveOptions(
        time_limit=time_limit, threads=threads, seed=seed, mip_rel_gap=1e-4, progress=progress
    )
    load_before = os.getloadavg()[0]
    plan = solve(problem, opts)
    violations = check_plan(problem, plan)
    return {
        "items": n_items,
        "periods": len(problem.periods),
        "teams": len(problem.teams),
        "columns": plan.stats.get("columns"),
        "rows": plan.stats.get("rows"),
        "generate_seconds": round(gen_seconds, 2),
        "first_feasible_seconds": round(first_feasible[0], 2) if first_feasible else None,
        "one_percent_gap_seconds": round(one_percent[0], 2) if one_percent else None,
        "final_gap": plan.gap,
        "seconds": round(plan.seconds, 2),
        "status": plan.status,
        "value": plan.value,
        "best_bound": plan.best_bound,
        "greedy_value": greedy.value,
        "greedy_seconds": round(greedy_seconds, 2),
        "uplift_vs_greedy": plan.value / greedy.value - 1 if greedy.value else None,
        "selected": len(plan.assignments),
        "violations": len(violations),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "lp_seconds": round(plan.stats["lp_seconds"], 2) if "lp_seconds" in plan.stats else None,
        "local_search_value": plan.stats.get("local_search_value"),
        # The machine is shared: a 1-minute load average above the core count means slower timings.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cores": os.cpu_count(),
        "time_limit": time_limit,
        "trace": trace[:200],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=RESULTS / "portfolio_scale.json")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.time_limit, args.threads, args.seed)))
        return
    records = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        cmd = [sys.executable, __file__, "--one", str(n), "--time-limit", str(args.time_limit)]
        cmd += ["--threads", str(args.threads), "--seed", str(args.seed)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rec = json.loads(out.strip().splitlines()[-1])
        records.append(rec)
        print(
            f"{n} items: first feasible {rec['first_feasible_seconds']}s, "
            f"1% gap {rec['one_percent_gap_seconds']}s, final gap {rec['final_gap']:.3%}, "
            f"{rec['peak_mb']} MB, LP {rec['lp_seconds']}s, "
            f"load {rec['load_average']} on {rec['cores']} cores",
            flush=True,
        )
    rows = [
        [
            r["items"],
            r["periods"],
            r["teams"],
            int(r["columns"] or 0),
            r["first_feasible_seconds"],
            r["one_percent_gap_seconds"],
            f"{r['final_gap']:.3%}",
            r["seconds"],
            r["peak_mb"],
            r["value"],
            r["greedy_value"],
            f"{r['uplift_vs_greedy']:+.1%}",
            r["violations"],
        ]
        for r in records
    ]
    print()
    heads = ["items", "periods", "teams", "columns", "first feasible s", "1% gap s", "final gap", "total s"]
    heads += ["peak MB", "value", "greedy", "vs greedy", "violations"]
    print(table(heads, rows))
    write_json(args.json, records)


if __name__ == "__main__":
    main()
