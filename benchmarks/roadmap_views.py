"""Roadmap at load-test scale: the optimiser on the whole portfolio, then server time and query counts
of the plan's views.

Loads the large demo (10,000 initiatives) into a throw-away SQLite database (or the PostgreSQL at
DATABASE_URL when given), runs the plan of record through the same code path as the background job
(`plans.plan_run_execute`) with its time limit, then requests, as a product leader, the timeline of
one product line, the capacity heatmap, the now/next/later board of one line, the plan page and the
published roadmap.

    .venv/bin/python benchmarks/roadmap_views.py [--repeat 20] [--time-limit 60] [--json FILE]
"""

from __future__ import annotations

import argparse
import time

from _site import boot, load_site, measure, report, result_path, signed_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--time-limit", type=int, default=60, help="Seconds for the whole-portfolio run.")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    boot()
    from django.db import connection

    from northstar.core.models import User
    from northstar.core.roles import Role
    from northstar.org.models import ProductLine
    from northstar.planning import plans, problem
    from northstar.planning.models import PlanRun, Scenario
    from northstar.portfolio.models import Initiative

    load_seconds = load_site("large")
    client = signed_in("bench-leader", Role.LEADER)
    user = User.objects.get(username="bench-leader")

    scenario = Scenario.objects.get(is_primary=True)
    scenario.time_limit = args.time_limit
    scenario.save()
    t0 = time.perf_counter()
    inputs = problem.build(scenario)
    build_seconds = time.perf_counter() - t0
    run = PlanRun.objects.create(scenario=scenario, created_by=user)
    t0 = time.perf_counter()
    plans.plan_run_execute(run_id=run.pk)
    run_seconds = time.perf_counter() - t0
    run.refresh_from_db()
    optimiser = {
        "initiatives": Initiative.objects.count(),
        "candidates": len(inputs.candidates),
        "teams": len(inputs.teams),
        "periods": len(inputs.periods),
        "problem_build_seconds": round(build_seconds, 2),
        "time_limit_seconds": args.time_limit,
        "solver_seconds": round(run.seconds or 0, 2),
        "within_time_limit": run_seconds <= args.time_limit,
        "run_seconds_end_to_end": round(run_seconds, 2),
        "status": run.status,
        "solver_status": run.solver_status,
        "method": run.method,
        "selected": run.assignments.count(),
        "value": round(run.value or 0, 2),
        "best_bound": round(run.best_bound, 2) if run.best_bound is not None else None,
        "gap": run.gap,
        "greedy_value": round(run.greedy_value or 0, 2),
        "violations": len(run.violations),
    }
    print(
        f"Whole portfolio: {optimiser['candidates']:,} candidates, {optimiser['teams']} teams, "
        f"{optimiser['periods']} periods; {run.status} ({run.solver_status}, {run.method}) in "
        f"{optimiser['solver_seconds']} s of a {args.time_limit} s limit; value {optimiser['value']:,}, "
        f"bound {optimiser['best_bound']}, gap {run.gap if run.gap is None else f'{run.gap:.4%}'}, "
        f"greedy {optimiser['greedy_value']:,}; {optimiser['violations']} rule(s) broken"
    )

    roadmap = plans.roadmap_publish(actor=user, run=run, title="Benchmark roadmap")
    line = ProductLine.objects.order_by("name").first()
    per_line = run.assignments.filter(line=line).count()
    pages = [
        (f"timeline, one line ({per_line} bars)", f"/roadmap/plans/{run.pk}/timeline/", {"line": line.pk}),
        (
            "timeline, one line by team",
            f"/roadmap/plans/{run.pk}/timeline/",
            {"line": line.pk, "lane": "team"},
        ),
        ("capacity heatmap", f"/roadmap/plans/{run.pk}/capacity/", {}),
        ("now/next/later, one line", f"/roadmap/plans/{run.pk}/board/", {"line": line.pk}),
        ("published roadmap, one line", f"/roadmap/published/{roadmap.pk}/", {"line": line.pk}),
        ("roadmap page (+ current plan diff)", "/roadmap/", {"line": line.pk}),
    ]
    rows = [
        measure(name, lambda url=url, params=params: client.get(url, params), repeat=args.repeat)
        for name, url, params in pages
    ]
    report(
        f"\nRoadmap views on {connection.vendor} (demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case",
        rows,
        path=result_path(args.json, "roadmap_views"),
        extra={"demo_load_seconds": round(load_seconds, 2), "optimiser": optimiser},
    )


if __name__ == "__main__":
    main()
