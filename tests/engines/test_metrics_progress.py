"""Key-result progress and objective roll-ups: worked examples and the properties a leader relies on."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.engines.metrics.progress import (
    ObjectiveNode,
    Weighted,
    metric_progress,
    milestone_progress,
    objective_progress,
    rollup,
)

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def test_worked_examples():
    # Grow activation from 20% to 40%: at 30% we are half way.
    assert metric_progress(baseline=20, target=40, current=30, direction="up") == 50
    # Cut churn from 5% to 3%: at 4.5% a quarter of the way.
    assert metric_progress(baseline=5, target=3, current=4.5, direction="down") == pytest.approx(25)
    # Overshooting is 100, going backwards is 0: never 140% or -20%.
    assert metric_progress(baseline=20, target=40, current=48, direction="up") == 100
    assert metric_progress(baseline=20, target=40, current=16, direction="up") == 0
    assert metric_progress(baseline=5, target=3, current=6, direction="down") == 0
    # No check-in yet: nothing achieved.
    assert metric_progress(baseline=20, target=40, current=None, direction="up") == 0
    assert milestone_progress(True) == 100 and milestone_progress(False) == 0


@given(baseline=finite, target=finite, a=finite, b=finite, direction=st.sampled_from(["up", "down"]))
def test_progress_is_clamped_and_monotone_in_the_current_value(baseline, target, a, b, direction):
    low, high = sorted((a, b))
    p_low = metric_progress(baseline=baseline, target=target, current=low, direction=direction)
    p_high = metric_progress(baseline=baseline, target=target, current=high, direction=direction)
    assert 0 <= p_low <= 100 and 0 <= p_high <= 100
    if direction == "up":
        assert p_low <= p_high
    else:
        assert p_low >= p_high


@given(
    baseline=finite, gap=st.floats(min_value=1e-3, max_value=1e6), direction=st.sampled_from(["up", "down"])
)
def test_reaching_the_target_is_100_and_the_baseline_is_0(baseline, gap, direction):
    target = baseline + gap if direction == "up" else baseline - gap
    assert metric_progress(baseline=baseline, target=target, current=target, direction=direction) == 100
    assert metric_progress(baseline=baseline, target=target, current=baseline, direction=direction) == 0


@given(value=finite, baseline=finite, gap=st.floats(min_value=1e-3, max_value=1e6))
def test_direction_mirrors_progress(value, baseline, gap):
    """Lowering a number from b to b-g is the same journey as raising its negative from -b to -b+g."""
    down = metric_progress(baseline=baseline, target=baseline - gap, current=value, direction="down")
    up = metric_progress(baseline=-baseline, target=-baseline + gap, current=-value, direction="up")
    assert down == pytest.approx(up, abs=1e-6)


def test_rollup_is_a_weighted_mean_and_ignores_nothing_to_count():
    assert rollup([Weighted(100, 3), Weighted(0, 1)]) == 75
    assert rollup([]) is None
    assert rollup([Weighted(50, 0)]) is None
    with pytest.raises(ValueError, match="negative"):
        rollup([Weighted(50, -1)])


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.01, 100)), min_size=1, max_size=20))
def test_rollup_stays_between_its_parts(parts):
    result = rollup(Weighted(p, w) for p, w in parts)
    assert min(p for p, _ in parts) - 1e-9 <= result <= max(p for p, _ in parts) + 1e-9


def test_objective_rolls_up_key_results_and_weighted_children():
    nodes = {
        1: ObjectiveNode(1, key_results=(Weighted(100, 1),), children=((2, 2.0), (3, 1.0), (4, 1.0))),
        2: ObjectiveNode(2, key_results=(Weighted(40, 1), Weighted(60, 1))),  # 50
        3: ObjectiveNode(3, key_results=(Weighted(10, 1),)),
        4: ObjectiveNode(4),  # nothing measurable yet: left out, not counted as 0
    }
    progress = objective_progress(nodes)
    assert progress[2] == 50
    assert progress[4] is None
    assert progress[1] == pytest.approx((100 * 1 + 50 * 2 + 10 * 1) / 4)


def test_a_cycle_in_the_tree_cannot_hang_the_rollup():
    nodes = {
        1: ObjectiveNode(1, (Weighted(20),), ((2, 1.0),)),
        2: ObjectiveNode(2, (Weighted(80),), ((1, 1.0),)),
    }
    progress = objective_progress(nodes)
    assert all(p is not None and not math.isnan(p) for p in progress.values())
