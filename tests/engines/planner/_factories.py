"""Tiny problem builders shared by the planner tests."""

from __future__ import annotations

from northstar.engines.planner import Item, Period, Problem, SolveOptions, Team

FAST = SolveOptions(time_limit=10.0, mip_rel_gap=0.0, threads=1, seed=0)


def periods(n: int) -> tuple[Period, ...]:
    return tuple(Period(f"Q{k + 1}") for k in range(n))


def team(tid: str, n_periods: int, per_period: float, skill: str = "dev") -> Team:
    return Team(id=tid, capacity={(skill, f"Q{k + 1}"): per_period for k in range(n_periods)})


def item(iid: str, value: float, effort: float = 1.0, **kw: object) -> Item:
    return Item(id=iid, value=value, effort={"dev": effort} if effort else {}, **kw)  # type: ignore[arg-type]


def problem(items: list[Item], n_periods: int = 1, cap: float = 10.0, **kw: object) -> Problem:
    return Problem(
        periods=periods(n_periods),
        items=tuple(items),
        teams=(team("T", n_periods, cap),),
        **kw,  # type: ignore[arg-type]
    )
