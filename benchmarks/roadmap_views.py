"""Roadmap at load-test scale: the optimiser on the whole portfolio, then server time and query counts
of the plan's views.

Loads the large demo (10,000 initiatives) into a throw-away SQLite database (or the PostgreSQL at
DATABASE_URL when given), runs the plan of record through the same code path as the background job
(`plans.plan_run_execute`) with its time limit, then requests, as a product leader, the timeline of
one product line, the capacity heatmap, the now/next/later board of one line, the plan page (its first
page, and one line) and the published roadmap.

The issue's baseline is the plan page as it was: every assignment on one page, each with a picker of
every team (3.5 s, 2.45 MB on the large demo). The same run measures it too, by rendering that table
(`BEFORE`, the old markup) over the same plan, so the two figures come from one machine and one load.

    .venv/bin/python benchmarks/roadmap_views.py [--repeat 20] [--time-limit 60] [--json FILE]
"""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

from _site import boot, load_site, measure, report, result_path, signed_in

#: The plan page's table before it was bounded: every assignment, each with every team in its picker.
BEFORE = (
    '{% load planning_tags %}<table>{% for a in assignments %}<tr id="a-{{ a.initiative_id }}">'
    "<td><a href=\"{% url 'portfolio:detail' a.initiative_id %}\">{{ a.initiative.title }}</a></td>"
    "<td>{{ a.line.name }}</td><td>{{ a.team.name|default:'—' }}</td>"
    "<td>{{ a.start.name }} → {{ a.end.name }}</td><td>{{ a.value|num:1 }}</td>"
    '<td><form method="post" action="/roadmap/plans/{{ run.pk }}/edit/">'
    '<input type="hidden" name="initiative" value="{{ a.initiative_id }}"><select name="period">'
    '{% for p in periods %}<option value="{{ p.pk }}"{% if p.pk == a.start_id %} selected{% endif %}>'
    '{{ p.name }}</option>{% endfor %}</select><select name="team">{% for tid, tname in teams.items %}'
    '<option value="{{ tid }}"{% if tid == a.team_id %} selected{% endif %}>{{ tname }}</option>'
    "{% endfor %}</select><button>Pin here</button><button>Remove</button></form></td></tr>"
    "{% endfor %}</table>"
)


def render_before(run: object) -> SimpleNamespace:
    """The old plan page's table over `run`, with the queries it made (for the baseline row)."""
    from django.template import Context, Template

    from northstar.org.models import Team
    from northstar.planning.problem import horizon

    assignments = list(
        run.assignments.select_related("initiative", "line", "team", "start", "end").order_by(  # type: ignore[attr-defined]
            "start__start", "line__name", "initiative__title"
        )
    )
    teams = {t.pk: t.name for t in Team.objects.order_by("name")}
    context = Context(
        {"assignments": assignments, "teams": teams, "run": run, "periods": horizon(run.scenario)}  # type: ignore[attr-defined]
    )
    return SimpleNamespace(status_code=200, content=Template(BEFORE).render(context).encode())


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
    from northstar.planning import plans, problem, roadmaps
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

    roadmap = roadmaps.roadmap_publish(actor=user, run=run, title="Benchmark roadmap")
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
        ("plan page, first page of all lines", f"/roadmap/plans/{run.pk}/", {}),
        ("plan page, one line", f"/roadmap/plans/{run.pk}/", {"line": line.pk}),
    ]
    rows = [
        measure(name, lambda url=url, params=params: client.get(url, params), repeat=args.repeat)
        for name, url, params in pages
    ]
    # The baseline: the old table alone (no page around it), so it is if anything flattered.
    rows.append(
        measure(
            f"BEFORE: plan table, all {optimiser['selected']:,} rows x every team",
            lambda: render_before(run),
            repeat=max(1, args.repeat // 4),
        )
    )
    report(
        f"\nRoadmap views on {connection.vendor} (demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case",
        rows,
        path=result_path(args.json, "roadmap_views"),
        extra={"demo_load_seconds": round(load_seconds, 2), "optimiser": optimiser},
    )


if __name__ == "__main__":
    main()
