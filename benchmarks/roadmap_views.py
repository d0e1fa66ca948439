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
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--time-limit", type=int, default=60, help="Seconds for the whole-portfolio run.")
    parser.add_argument("--json", default=str(ROOT / "benchmarks/results/roadmap_views.json"))
    args = parser.parse_args()

    os.environ.setdefault("NORTHSTAR_DATA_DIR", tempfile.mkdtemp(prefix="northstar-bench-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "northstar.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.core.models import User
    from northstar.core.roles import Role
    from northstar.demo import load_demo
    from northstar.org.models import ProductLine
    from northstar.planning import plans, problem
    from northstar.planning.models import PlanRun, Scenario
    from northstar.portfolio.models import Initiative

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_demo(scale="large")
    load_seconds = time.perf_counter() - started
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})

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
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    line = ProductLine.objects.order_by("name").first()
    per_line = run.assignments.filter(line=line).count()
    cases = [
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
    rows = []
    for name, url, params in cases:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, (name, response.status_code)
        query_count = len(queries)
        timings = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            client.get(url, params)
            timings.append((time.perf_counter() - t0) * 1000)
        rows.append(
            {
                "case": name,
                "queries": query_count,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 1),
            }
        )

    vendor = connection.vendor
    print(f"\nRoadmap views on {vendor} (demo load {load_seconds:.1f} s), {args.repeat} requests per case")
    print(f"{'case':<36} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['case']:<36} {row['queries']:>7} {row['median_ms']:>10} {row['p95_ms']:>8}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "database": vendor,
                "demo_load_seconds": round(load_seconds, 2),
                "optimiser": optimiser,
                "views": rows,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
