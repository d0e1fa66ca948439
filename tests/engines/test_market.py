"""Market engine: sizes and their ranges, growth, win rates with honest intervals, loss reasons ranked by
money, and trend fits, checked by hand-worked cases and by properties over many generated inputs."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from northstar.engines.market import (
    BottomUp,
    DealFact,
    SizingError,
    TopDown,
    grow,
    implied_growth,
    normalise_reason,
    quarter_of,
    share,
    size,
    top_loss_reasons,
    trend,
    win_rate,
    win_rates_by,
    win_rates_by_quarter,
)

money = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=5000)


def test_bottom_up_is_accounts_times_price_with_its_range():
    s = size(BottomUp(1000, 400, 50, 1200.0, spread=0.25))
    assert (s.tam.likely, s.sam.likely, s.som.likely) == (1_200_000, 480_000, 60_000)
    assert (s.sam.low, s.sam.high) == (360_000, 600_000)


@pytest.mark.parametrize(
    "estimate",
    [
        TopDown(100, 200, 10),  # SAM above TAM
        TopDown(100, 50, 60),  # SOM above SAM
        TopDown(-1, 0, 0),
        BottomUp(10, 20, 5, 100),
        BottomUp(10, 5, 1, -3),
        TopDown(100, 50, 10, spread=1.0),
    ],
)
def test_inputs_that_cannot_be_a_market_are_refused(estimate):
    with pytest.raises(SizingError):
        size(estimate)


@given(money, st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.99))
def test_som_inside_sam_inside_tam_and_low_likely_high_ordered(tam, sam_share, som_share, spread):
    s = size(TopDown(tam, tam * sam_share, tam * sam_share * som_share, spread=spread))
    for r in (s.tam, s.sam, s.som):
        assert r.low <= r.likely <= r.high
    assert s.som.likely <= s.sam.likely <= s.tam.likely
    assert s.som.high <= s.sam.high <= s.tam.high


@given(money, st.floats(-0.5, 2), st.floats(0, 10))
def test_growth_compounds_and_inverts(value, rate, years):
    ahead = grow(value, annual_rate=rate, years=years)
    assert grow(ahead, annual_rate=1 / (1 + rate) - 1, years=years) == pytest.approx(
        value, rel=1e-6, abs=1e-6
    )


def test_share_of_an_unsized_market_is_unknown():
    assert share(10, 0) is None
    assert share(25, 100) == 0.25


def test_implied_growth_recovers_a_steady_rate():
    start = date(2020, 1, 1)
    history = [(start + timedelta(days=round(365.25 * y)), 100 * 1.12**y) for y in range(4)]
    assert implied_growth(history) == pytest.approx(0.12, abs=1e-3)
    assert implied_growth(history[:1]) is None


def test_wilson_interval_matches_a_hand_worked_case():
    # 8 of 10 at 95 %: the Wilson interval is 0.490 to 0.943 (textbook value).
    r = win_rate(8, 2, confidence=0.95)
    assert r.rate == 0.8
    assert r.low == pytest.approx(0.4902, abs=1e-3)
    assert r.high == pytest.approx(0.9433, abs=1e-3)
    assert win_rate(0, 0).rate is None


@given(counts, counts)
def test_a_win_rate_interval_holds_the_rate_and_stays_in_0_to_1(won, lost):
    assume(won + lost > 0)
    r = win_rate(won, lost)
    assert 0 <= r.low <= r.rate <= r.high <= 1


@given(st.integers(1, 200), st.integers(1, 200))
def test_more_deals_at_the_same_rate_narrow_the_interval(won, lost):
    few, many = win_rate(won, lost), win_rate(won * 10, lost * 10)
    assert many.high - many.low < few.high - few.low


deal = st.builds(
    DealFact,
    closed_on=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    outcome=st.sampled_from(["won", "lost", "no_decision", "open"]),
    amount=st.floats(0, 1e6),
    segment=st.sampled_from(["a", "b", None]),
    competitor=st.sampled_from([1, 2, None]),
    reasons=st.lists(st.sampled_from(["Price", " price ", "missing SSO", "timing"]), max_size=3).map(tuple),
)


@given(st.lists(deal, max_size=60))
def test_groups_add_up_to_the_decided_deals(deals):
    decided = [d for d in deals if d.outcome in ("won", "lost")]
    for key in (lambda d: d.segment, lambda d: d.competitor, lambda d: quarter_of(d.closed_on)):
        groups = win_rates_by(deals, key)
        assert sum(g.rate.won for g in groups) == sum(1 for d in decided if d.outcome == "won")
        assert sum(g.rate.lost for g in groups) == sum(1 for d in decided if d.outcome == "lost")
        assert math.isclose(
            sum(g.lost_amount for g in groups), sum(d.amount for d in decided if d.outcome == "lost")
        )


@given(st.lists(deal, max_size=60))
def test_quarters_come_oldest_first(deals):
    keys = [g.key for g in win_rates_by_quarter(deals)]
    assert keys == sorted(keys)


def test_loss_reasons_rank_by_money_and_count_a_deal_once_per_reason():
    day = date(2026, 3, 1)
    deals = [
        DealFact(day, "lost", 100.0, reasons=("Price", "price ")),
        DealFact(day, "lost", 50.0, reasons=("price", "Missing  SSO")),
        DealFact(day, "lost", 500.0, reasons=("missing sso",)),
        DealFact(day, "won", 900.0, reasons=("price",)),
    ]
    ranked = top_loss_reasons(deals)
    assert [(r.reason, r.deals, r.amount) for r in ranked] == [("missing sso", 2, 550.0), ("price", 2, 150.0)]
    assert normalise_reason("  Missing   SSO ") == "missing sso"


@given(st.floats(-5, 5), st.floats(-100, 100), st.integers(3, 40))
def test_a_straight_line_is_recovered_exactly(slope, intercept, n):
    fit = trend([intercept + slope * i for i in range(n)])
    assert fit is not None
    assert fit.slope == pytest.approx(slope, abs=1e-6)
    assert fit.at(n) == pytest.approx(intercept + slope * n, abs=1e-5)


def test_too_few_points_make_no_trend():
    assert trend([0.4, 0.5]) is None
    assert trend([0.5, 0.5, 0.5]).slope == 0
