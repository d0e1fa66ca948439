"""What a product leader tells the planner: periods, teams, candidate work and the rules it must obey.

Everything here is a frozen dataclass so a problem can be shared between threads, cached and compared
without anyone mutating it half-way through a solve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

GuardrailMeasure = Literal["capacity", "budget"]


class PlannerInputError(ValueError):
    """Input the planner cannot interpret (unknown ids, negative effort, ...), listing every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Period:
    """One planning bucket (a quarter, a sprint); periods are given in calendar order."""

    id: str
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class Team:
    """A team and what it can do: capacity[(skill, period_id)] in effort units (e.g. person-weeks)."""

    id: str
    capacity: Mapping[tuple[str, str], float] = field(default_factory=dict)
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Item:
    """A candidate piece of work (initiative, feature, requirement).

    `effort` is the total per skill, spread evenly over `duration` consecutive periods; `cost` is money,
    spread the same way for per-period budgets. `deadline` is the last period the item may still be
    worked in. With no `team` and no `eligible_teams` any team may take it; an item without effort
    needs no team at all. `groups` name the product lines, objectives or categories it belongs to,
    which budgets and guardrails refer to. `discount` overrides the problem's value decay per period.
    """

    id: str
    value: float
    effort: Mapping[str, float] = field(default_factory=dict)
    duration: int = 1
    cost: float = 0.0
    earliest_start: str | None = None
    deadline: str | None = None
    team: str | None = None
    eligible_teams: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    discount: float | None = None
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def total_effort(self) -> float:
        return float(sum(self.effort.values()))


@dataclass(frozen=True)
class Budget:
    """A money limit: for one period (or the whole horizon) and one group (or all items)."""

    amount: float
    period: str | None = None
    group: str | None = None
    id: str = ""

    @property
    def label(self) -> str:
        if self.id:
            return self.id
        scope = f"group {self.group}" if self.group else "the portfolio"
        when = f" in {self.period}" if self.period else ""
        return f"budget of {scope}{when}"


@dataclass(frozen=True)
class Guardrail:
    """Keeps a group's share of the plan's used capacity (total effort) or spend within bounds.

    Shares are of what the plan uses, not of what is available: "at least 20% of the effort we
    commit goes to tech debt".
    """

    group: str
    measure: GuardrailMeasure = "capacity"
    min_share: float = 0.0
    max_share: float = 1.0

    @property
    def label(self) -> str:
        return f"guardrail on {self.group} ({self.measure} share {self.min_share:.0%}-{self.max_share:.0%})"


@dataclass(frozen=True)
class Precedence:
    """`after` cannot start before `before` has finished, when both are in the plan."""

    before: str
    after: str


@dataclass(frozen=True)
class Requires:
    """`item` may only be selected if `needs` is selected too (no ordering implied)."""

    item: str
    needs: str


@dataclass(frozen=True)
class Exclusive:
    """Alternatives: at most one of these items may be selected."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Bundle:
    """Value that accrues only when every item of the set is delivered (a deal needing three features)."""

    id: str
    items: tuple[str, ...]
    value: float
    name: str = ""


@dataclass(frozen=True)
class Pin:
    """Forces an item into the plan at a given start period (and team, if given)."""

    item: str
    start: str
    team: str | None = None


@dataclass(frozen=True)
class Problem:
    """A complete planning question. Value decay: an item ending in period index k (0 = first period)
    is worth value * (1 - discount) ** k; bundle values do not decay."""

    periods: tuple[Period, ...]
    items: tuple[Item, ...]
    teams: tuple[Team, ...] = ()
    budgets: tuple[Budget, ...] = ()
    guardrails: tuple[Guardrail, ...] = ()
    precedences: tuple[Precedence, ...] = ()
    requires: tuple[Requires, ...] = ()
    exclusives: tuple[Exclusive, ...] = ()
    bundles: tuple[Bundle, ...] = ()
    mandatory: frozenset[str] = frozenset()
    pins: tuple[Pin, ...] = ()
    excluded: frozenset[str] = frozenset()
    discount_per_period: float = 0.0


@dataclass(frozen=True)
class SolveOptions:
    """Solver knobs; the same problem, options and seed always give the same plan."""

    time_limit: float = 60.0
    mip_rel_gap: float = 1e-4
    threads: int = 1
    seed: int = 0
    verbose: bool = False
    warm_start: bool = True
    reductions: bool = True
    explain: bool = True
    # Called as progress(seconds, best_value, best_bound) while the solver runs (for benchmarks and UIs).
    progress: Callable[[float, float, float], None] | None = None
    # Polled while the MIP runs; returning True stops the search and returns the best plan so far
    # (a cancel button). The LP bound phase of very large models is not interrupted.
    should_stop: Callable[[], bool] | None = None
