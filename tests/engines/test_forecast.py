"""Forecast engine: worked queues, ordered percentiles that move later when throughput falls, and a
calibration backtest on histories from a known process (P85 must mean 85%)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.engines.forecast import (
    PERCENTILES,
    Percentiles,
    TeamHistory,
    Work,
    cone,
    forecast,
    paths,
    percentile_weeks,
    team_finishes,
)
from northstar.engines.forecast.backtest import calibration


def test_a_steady_team_finishes_its_queue_in_plan_order_on_the_weeks_arithmetic_says():
    team = TeamHistory("t", (5.0,) * 10)  # exactly five items every week
    result = forecast(
        [team],
        [Work("a", "t", 10, committed_week=1), Work("b", "t", 12, committed_week=5), Work("c", "t", 0)],
        simulations=200,
        scope_growth=0.0,
    )
    a, b, c = result.items
    assert (a.weeks.p50, a.weeks.p85, a.weeks.p95) == (2, 2, 2)  # 10 items at 5 a week: end of week 2
    assert (b.weeks.p50, b.weeks.p95) == (5, 5)  # behind a: 22 items, done in week 5
    assert c.weeks.p95 == 5  # nothing left, but queued behind b
    assert a.on_time == 0.0 and a.late_at_p85
    assert b.on_time == 1.0 and not b.late_at_p85
    assert result.roadmap is not None and result.roadmap.p85 == 5


def test_work_with_nothing_left_at_the_front_is_done_now_and_unknown_teams_are_named():
    result = forecast(
        [TeamHistory("t", (3.0, 4.0)), TeamHistory("idle", (0.0, 0.0))],
        [Work("done", "t", 0), Work("x", "nobody", 5), Work("y", "idle", 5)],
        simulations=100,
    )
    assert [i.id for i in result.items] == ["done"]
    assert result.items[0].weeks.p95 == 0
    assert "no throughput history" in result.unforecastable["x"]
    assert "finished nothing" in result.unforecastable["y"]


def test_work_beyond_the_horizon_is_counted_as_unfinished():
    result = forecast([TeamHistory("t", (1.0,))], [Work("big", "t", 100)], simulations=50, horizon_weeks=20)
    item = result.items[0]
    assert item.unfinished == 1.0 and item.weeks.p50 == 21


histories = st.lists(st.integers(min_value=0, max_value=12), min_size=4, max_size=30).filter(
    lambda h: sum(h) > 0
)
queues = st.lists(st.floats(min_value=0, max_value=60, allow_nan=False), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    history=histories, remaining=queues, cut=st.floats(min_value=0.2, max_value=1.0), seed=st.integers(0, 99)
)
def test_percentiles_are_ordered_and_move_later_when_throughput_falls(history, remaining, cut, seed):
    work = [Work(f"w{i}", "t", r) for i, r in enumerate(remaining)]
    fast = forecast([TeamHistory("t", tuple(map(float, history)))], work, simulations=300, seed=seed)
    slow = forecast([TeamHistory("t", tuple(h * cut for h in history))], work, simulations=300, seed=seed)
    for f, s in zip(fast.items, slow.items, strict=True):
        assert f.weeks.p50 <= f.weeks.p85 <= f.weeks.p95
        assert s.weeks.p50 <= s.weeks.p85 <= s.weeks.p95
        assert s.weeks.p50 >= f.weeks.p50 and s.weeks.p85 >= f.weeks.p85 and s.weeks.p95 >= f.weeks.p95
    # Later in the queue never means sooner.
    p85s = [i.weeks.p85 for i in fast.items]
    assert p85s == sorted(p85s)


@settings(max_examples=40, deadline=None)
@given(history=histories, remaining=queues, committed=st.integers(-1, 70), seed=st.integers(0, 99))
def test_percentiles_and_chances_are_those_of_the_simulated_finishes(history, remaining, committed, seed):
    """The forecast counts finishes per week instead of sorting them; it must say what sorting says."""
    weekly = tuple(map(float, history))
    work = [Work(f"w{i}", "t", r, committed_week=committed) for i, r in enumerate(remaining)]
    result = forecast([TeamHistory("t", weekly)], work, simulations=300, seed=seed, horizon_weeks=60)
    finish = team_finishes(
        weekly, remaining, simulations=300, seed=seed, team_index=0, scope_growth=0.1, horizon_weeks=60
    )
    for column, item in enumerate(result.items):
        weeks = finish[:, column]
        assert item.weeks == Percentiles(*(percentile_weeks(weeks, q) for q in PERCENTILES))
        assert item.on_time == pytest.approx((weeks <= committed).mean())
        assert item.unfinished == pytest.approx((weeks > 60).mean())
    assert result.roadmap == Percentiles(*(percentile_weeks(finish.max(axis=1), q) for q in PERCENTILES))


def test_same_seed_same_forecast():
    teams = [TeamHistory("t", (2.0, 5.0, 7.0, 3.0))]
    work = [Work("a", "t", 30), Work("b", "t", 10)]
    assert forecast(teams, work, seed=3, simulations=500) == forecast(teams, work, seed=3, simulations=500)


def test_calibration_backtest_p85_covers_85_percent_of_actual_finishes():
    """Histories of 26 weeks from a Poisson process with a rate unknown to the forecast; the actual
    future comes from the same process, with the scope growth the forecast allows for. Over 600 cases
    (three queued initiatives each) the actual finish falls on or before the P85 week in 85% +/- 5.
    The benchmark runs a larger backtest and reports it."""
    result = calibration(cases=200, simulations=2_000)
    print(f"calibration: {result.p85:.1%} of {result.finishes} actual finishes on or before P85")
    assert result.finishes == 600
    assert 0.80 <= result.p85 <= 0.90, result
    assert result.p50 < result.p85 < result.p95


def test_cone_widens_over_time_and_stops_at_the_scope():
    c = cone([((3.0, 5.0, 8.0, 4.0), 10.0, 40.0)], weeks=30, done=5, simulations=1_000, scope_growth=0.0)
    assert c.scope == 45
    assert all(lo <= mid <= hi for lo, mid, hi in zip(c.p10, c.p50, c.p90, strict=True))
    assert c.p50[0] == pytest.approx(5)  # the first week goes to the 10 items ahead of ours
    assert c.p90[-1] == pytest.approx(45)  # all done by week 30 at ~5 a week
    assert (c.p90[8] - c.p10[8]) > (c.p90[2] - c.p10[2])


def test_every_week_of_history_is_drawn_equally_often():
    """The bootstrap is fair: 26 weeks do not split 65,536 bit patterns evenly, and the 16 left over
    are drawn again rather than read as an empty week."""
    history = np.arange(1.0, 27.0)
    draws = np.concatenate([paths.Draws(history).block(100_000, 5, 0, b).ravel() for b in range(2)])
    assert draws.min() >= 1.0  # no leftover pattern became a week with nothing done
    shares = np.bincount(draws.astype(int), minlength=27)[1:] / draws.size
    assert np.allclose(shares, 1 / 26, atol=0.0015), shares
    long = np.arange(70_000.0)  # longer than the table: plain bounded integers
    assert paths.Draws(long).block(1_000, 5, 0, 0).max() > 60_000


def test_team_finishes_marks_every_future():
    finish = team_finishes(
        (1.0, 2.0), [3.0, 3.0], simulations=64, seed=0, team_index=0, scope_growth=0.0, horizon_weeks=52
    )
    assert finish.shape == (64, 2)
    assert (finish[:, 0] <= finish[:, 1]).all() and (finish[:, 0] >= 2).all() and (finish[:, 1] <= 6).all()
