"""One small scenario per rule: the optimiser must respect it, and the checker must agree."""

from __future__ import annotations

from northstar.engines.planner import (
    Budget,
    Bundle,
    Exclusive,
    Guardrail,
    Item,
    Pin,
    Precedence,
    Problem,
    Requires,
    Team,
    check_plan,
    greedy_plan,
    solve,
)

from ._factories import FAST, item, periods, problem, team


def _solve(p: Problem):
    plan = solve(p, FAST)
    assert plan.status == "optimal", plan
    assert check_plan(p, plan) == []
    assert plan.violations == ()
    return plan


def test_capacity_picks_best_combination_not_best_ratio() -> None:
    # Ratio ranking takes A (3/1) then B (8/4)... and has no room for C; the optimum is B + C.
    p = problem([item("A", 3, 1), item("B", 8, 4), item("C", 11, 6)], cap=10)
    plan = _solve(p)
    assert plan.selected == {"B", "C"}
    assert plan.value == 19
    assert plan.gap == 0
    assert greedy_plan(p).value <= plan.value


def test_effort_spreads_over_duration() -> None:
    # 12 units over 3 periods = 4 per period, fits a 5-per-period team; in one period it would not.
    p = problem([item("Long", 5, 12, duration=3)], n_periods=3, cap=5)
    plan = _solve(p)
    a = plan.assignment_of("Long")
    assert a is not None and (a.start, a.end) == ("Q1", "Q3")
    assert solve(problem([item("Long", 5, 12, duration=1)], n_periods=3, cap=5), FAST).selected == frozenset()


def test_period_and_group_budgets() -> None:
    items = [
        item("A", 5, 0, cost=60, groups=("line:Growth",)),
        item("B", 4, 0, cost=50, groups=("line:Growth",)),
        item("C", 3, 0, cost=40, groups=("line:Core",)),
    ]
    p = problem(items, budgets=(Budget(100, period="Q1"), Budget(70, group="line:Growth")))
    plan = _solve(p)
    assert plan.selected == {"A", "C"}
    assert any("exhausted" in b for b in plan.binding)


def test_precedence_orders_work() -> None:
    p = problem(
        [item("A", 5, 1), item("B", 5, 1)],
        n_periods=2,
        precedences=(Precedence("A", "B"),),
    )
    plan = _solve(p)
    a, b = plan.assignment_of("A"), plan.assignment_of("B")
    assert a is not None and b is not None
    assert (a.end, b.start) == ("Q1", "Q2")


def test_requires_and_exclusive() -> None:
    p = problem(
        [item("Base", 1, 2), item("Feature", 9, 2), item("AltA", 5, 1), item("AltB", 6, 1)],
        cap=10,
        requires=(Requires("Feature", "Base"),),
        exclusives=(Exclusive(("AltA", "AltB")),),
    )
    plan = _solve(p)
    assert {"Base", "Feature", "AltB"} <= plan.selected
    assert "AltA" not in plan.selected
    assert "mutually exclusive" in plan.exclusion_reasons["AltA"]


def test_bundle_value_only_when_complete() -> None:
    # Alone X and Y are worth little; together they unlock a deal worth 10.
    p = problem(
        [item("X", 1, 3), item("Y", 1, 3), item("Z", 4, 3)],
        cap=6,
        bundles=(Bundle("deal", ("X", "Y"), 10),),
    )
    plan = _solve(p)
    assert plan.selected == {"X", "Y"}
    assert plan.delivered_bundles == ("deal",)
    assert plan.value == 12


def test_mandatory_pinned_excluded() -> None:
    p = problem(
        [item("Must", 1, 5), item("Pinned", 1, 2), item("Banned", 100, 1), item("Nice", 6, 5)],
        n_periods=2,
        cap=5,
        mandatory=frozenset({"Must"}),
        pins=(Pin("Pinned", "Q2", "T"),),
        excluded=frozenset({"Banned"}),
    )
    plan = _solve(p)
    assert {"Must", "Pinned"} <= plan.selected
    pinned = plan.assignment_of("Pinned")
    assert pinned is not None and pinned.start == "Q2"
    assert plan.exclusion_reasons["Banned"] == "excluded by user"


def test_deadline_and_earliest_start() -> None:
    p = problem(
        [item("Late", 5, 1, earliest_start="Q3"), item("Early", 5, 1, deadline="Q1")],
        n_periods=3,
        cap=1,
    )
    plan = _solve(p)
    late, early = plan.assignment_of("Late"), plan.assignment_of("Early")
    assert late is not None and late.start == "Q3"
    assert early is not None and early.end == "Q1"


def test_guardrail_min_share() -> None:
    items = [
        item("Debt", 1, 4, groups=("cat:tech-debt",)),
        item("Feat1", 10, 4),
        item("Feat2", 10, 4),
    ]
    p = problem(items, cap=8, guardrails=(Guardrail("cat:tech-debt", "capacity", min_share=0.5),))
    plan = _solve(p)
    assert plan.selected in ({"Debt", "Feat1"}, {"Debt", "Feat2"})


def test_guardrail_max_share_budget() -> None:
    items = [
        item("Bet1", 10, 0, cost=10, groups=("cat:bets",)),
        item("Bet2", 9, 0, cost=10, groups=("cat:bets",)),
    ]
    items.append(item("Core", 1, 0, cost=10))
    p = problem(items, guardrails=(Guardrail("cat:bets", "budget", max_share=0.5),))
    plan = _solve(p)
    assert plan.selected == {"Bet1", "Core"}


def test_decay_prefers_early_delivery() -> None:
    p = problem([item("A", 10, 1), item("B", 10, 1)], n_periods=2, cap=1, discount_per_period=0.1)
    plan = _solve(p)
    assert plan.value == 10 + 9
    assert abs(plan.best_bound - 19) < 1e-6


def test_eligible_teams_and_skills() -> None:
    teams = (
        team("Web", 1, 5, "frontend"),
        Team("Api", {("backend", "Q1"): 5}),
    )
    items = (
        Item("UI", 5, {"frontend": 4}),
        Item("Svc", 5, {"backend": 4}, eligible_teams=("Web", "Api")),
        Item("Svc2", 4, {"backend": 4}, team="Web"),
    )
    p = Problem(periods=periods(1), items=items, teams=teams)
    plan = _solve(p)
    assert plan.assignment_of("UI").team == "Web"  # type: ignore[union-attr]
    assert plan.assignment_of("Svc").team == "Api"  # type: ignore[union-attr]
    assert "Svc2" not in plan.selected


def test_committed_work_that_breaks_a_share_alone_keeps_the_greedy_plan() -> None:
    # Feat is in delivery (pinned): alone it is 100% non-debt effort, so placing it first breaks the
    # "at least half on tech debt" share until Debt joins. The greedy must place it and repair the
    # share, not give up: a plan with committed work keeps its warm start.
    items = [item("Feat", 10, 4), item("Debt", 1, 4, groups=("cat:tech-debt",)), item("Feat2", 9, 4)]
    p = problem(
        items,
        cap=12,
        pins=(Pin("Feat", "Q1", "T"),),
        guardrails=(Guardrail("cat:tech-debt", "capacity", min_share=0.5),),
    )
    greedy = greedy_plan(p)
    assert greedy.status == "heuristic"
    assert greedy.selected == {"Feat", "Debt"}
    assert check_plan(p, greedy) == []
    assert _solve(p).selected == {"Feat", "Debt"}
