"""The roadmap demo: on first launch there is a published roadmap, a current plan and what changed."""

from __future__ import annotations

from northstar.demo import load_demo
from northstar.planning import roadmaps, selectors
from northstar.planning.models import BudgetEnvelope, Capacity, PlanRun, Roadmap, Scenario


def test_the_demo_has_scenarios_a_published_roadmap_and_changes_to_show(db):
    load_demo(scale="standard")
    assert Scenario.objects.count() == 4 and Scenario.objects.filter(is_primary=True).count() == 1
    assert Capacity.objects.exists() and BudgetEnvelope.objects.exists()
    assert not PlanRun.objects.exclude(status="done").exists()
    assert not [r.pk for r in PlanRun.objects.all() if r.violations]
    roadmap = Roadmap.objects.get()
    assert roadmap.entries.exists()
    current = selectors.current_plan()
    before = roadmaps.roadmap_rows(roadmap)
    assert roadmaps.diff(before, roadmaps.run_rows(current), run=current, stages=roadmaps.stages_of(before))
    squeeze = Scenario.objects.get(name__startswith="Budget")
    assert squeeze.assumptions.count() >= 2 and squeeze.budget_factor < 1
    assert load_demo(scale="standard").get("scenarios") is None  # a second run adds nothing
