"""Key-result progress and objective roll-ups.

Progress is never typed by a person: it follows from the baseline, the target and the current value,
respects which way is good, and is clamped to 0-100 so one runaway key result cannot hide another.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    UP = "up"  # higher is better
    DOWN = "down"  # lower is better


def clamp_percent(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return max(0.0, min(100.0, value))


def metric_progress(*, baseline: float, target: float, current: float | None, direction: str) -> float:
    """Percent of the way from baseline to target, 0-100.

    Monotone in `current`: never decreasing for `up`, never increasing for `down`. A target that does not
    lie on the good side of the baseline (which services refuse to store) degrades to all-or-nothing:
    100 once the target is met, else 0, which keeps the function monotone. A met target is always 100.
    """
    if current is None:
        return 0.0
    if Direction(direction) is Direction.UP:
        gap, moved, met = target - baseline, current - baseline, current >= target
    else:
        gap, moved, met = baseline - target, baseline - current, current <= target
    if met:  # exactly 100, whatever the floating-point rounding of the ratio below
        return 100.0
    if gap <= 0:
        return 0.0
    return clamp_percent(100.0 * moved / gap)


def milestone_progress(done: bool) -> float:
    return 100.0 if done else 0.0


@dataclass(frozen=True)
class Weighted:
    """One contribution to a roll-up: a progress in percent and its weight (>= 0)."""

    progress: float
    weight: float = 1.0


def rollup(parts: Iterable[Weighted]) -> float | None:
    """Weighted mean of the parts' progress; None when there is nothing (or only zero weight) to count."""
    total = 0.0
    weight = 0.0
    for part in parts:
        if part.weight < 0:
            raise ValueError("Weights cannot be negative.")
        total += clamp_percent(part.progress) * part.weight
        weight += part.weight
    if weight <= 0:
        return None
    return clamp_percent(total / weight)


@dataclass(frozen=True)
class ObjectiveNode:
    """An objective for the roll-up: its key results and child objectives, each with a weight."""

    id: int
    key_results: tuple[Weighted, ...] = ()
    children: tuple[tuple[int, float], ...] = ()  # (child objective id, weight)


def objective_progress(nodes: dict[int, ObjectiveNode]) -> dict[int, float | None]:
    """Progress of every objective, rolled up from its key results and child objectives.

    Children without any measurable progress are left out rather than counted as 0, so a fresh team
    objective does not drag its company objective down before anyone has set key results. A cycle in the
    parent links (which services refuse) is cut where it is met.
    """
    result: dict[int, float | None] = {}
    visiting: set[int] = set()

    def visit(node_id: int) -> float | None:
        if node_id in result:
            return result[node_id]
        if node_id in visiting or node_id not in nodes:
            return None
        visiting.add(node_id)
        node = nodes[node_id]
        parts = list(node.key_results)
        for child_id, weight in node.children:
            child = visit(child_id)
            if child is not None:
                parts.append(Weighted(child, weight))
        visiting.discard(node_id)
        result[node_id] = rollup(parts)
        return result[node_id]

    for node_id in nodes:
        visit(node_id)
    return result
