"""Finance engine: hand-worked cash flows, NPV and IRR agreeing, payback monotone in benefits, the
simulation and the tornado telling a leader what the case is worth and what it hangs on."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from northstar.engines.finance import (
    Benefit,
    Case,
    Flag,
    ThreePoint,
    evaluate,
    irr,
    npv,
    payback_period,
    period_rate,
    roi,
    run_rate_project,
    simulate,
    tornado,
    variance_flag,
)
from northstar.engines.finance.cashflow import IRR_LOW

amounts = st.floats(min_value=1, max_value=1e7, allow_nan=False, allow_infinity=False)


def test_hand_worked_npv_irr_payback_and_roi():
    # Spend 1,000 now, get 500 back at the end of each of three years, at 10% a year.
    flows = [-1000, 500, 500, 500]
    # 500/1.1 + 500/1.21 + 500/1.331 = 454.545 + 413.223 + 375.657 = 1243.426
    assert npv(0.10, flows) == pytest.approx(243.426, abs=1e-3)
    # The IRR of this annuity is 23.375% (tables: 3-year annuity factor 2.0 at ~23.38%).
    assert irr(flows) == pytest.approx(0.233752, abs=1e-5)
    # Paid back after 2 full years: 1,000 owed, 500 + 500 back.
    assert payback_period(flows) == pytest.approx(2.0)
    # Half way through year 2 when the second year brings 1,000 and only 500 are owed.
    assert payback_period([-1500, 1000, 1000]) == pytest.approx(1.5)
    assert roi([1000], [1500]) == pytest.approx(0.5)
    # Nothing owed: paid back at once; never repaid: no payback.
    assert payback_period([100, 10]) == 0
    assert payback_period([-100, 10, 10]) is None
    assert irr([100, 100]) is None and irr([-100, -5]) is None
    assert roi([], [10]) is None


def test_annual_rate_converts_to_the_equivalent_quarterly_rate():
    assert (1 + period_rate(0.10, 4)) ** 4 == pytest.approx(1.10)
    # A quarterly series discounted at the quarterly rate equals the annual series at the annual rate.
    assert npv(period_rate(0.10, 4), [-100, 0, 0, 0, 110]) == pytest.approx(0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    outlay=amounts,
    inflows=st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=12),
)
@example(outlay=10001.0, inflows=[1.0])  # found by hypothesis: the rate would be below the range
@example(outlay=1.0, inflows=[1.0, 5e-324])  # found by hypothesis: NPV at 0% is 5e-324, the root is 0%
def test_npv_is_zero_at_the_irr_and_its_sign_follows_the_rate(outlay, inflows):
    assume(sum(inflows) > outlay * 1e-6)
    flows = [-outlay, *inflows]
    rate = irr(flows)
    if npv(IRR_LOW, flows) <= 0:
        # The rate would be below -99.99% a period (10,001 out, 1 back): outside the searched range,
        # and not a figure anyone quotes, so there is none.
        assert rate is None
        return
    assert rate is not None
    assert npv(rate, flows) == pytest.approx(0, abs=1e-6 * (outlay + sum(inflows)))
    # Conventional series: worth more than nothing below the IRR, less above it.
    if rate > -0.9:
        assert npv(rate - 0.05, flows) > -1e-6 * outlay
    assert npv(rate + 0.05, flows) < 1e-6 * outlay


@settings(max_examples=200, deadline=None)
@given(
    outlay=amounts,
    inflows=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=12),
    extra=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    at=st.integers(min_value=0, max_value=11),
)
def test_payback_never_comes_later_when_benefits_grow(outlay, inflows, extra, at):
    flows = [-outlay, *inflows]
    more = list(flows)
    more[1 + at % len(inflows)] += extra
    before, after = payback_period(flows), payback_period(more)
    if before is not None:
        assert after is not None and after <= before + 1e-9


def _case(**changes) -> Case:
    base = {
        "investment": ThreePoint(80_000, 100_000, 150_000),
        "running_cost": ThreePoint(4_000, 5_000, 8_000),
        "benefits": (
            Benefit("New revenue", ThreePoint(10_000, 30_000, 60_000), start=2),
            Benefit("Savings", ThreePoint(4_000, 5_000, 6_000)),
        ),
        "horizon": 12,
        "annual_rate": 0.10,
        "probability": 0.7,
    }
    base.update(changes)
    return Case(**base)


def test_case_figures_match_the_cash_flows_they_come_from():
    case = _case()
    figures = evaluate(case)
    net = [b - c for b, c in zip(figures.benefits, figures.costs, strict=True)]
    assert figures.costs[0] == 100_000 and figures.benefits[0] == 0
    assert figures.benefits[1] == 5_000 and figures.benefits[2] == 35_000
    assert figures.npv == pytest.approx(npv(case.rate, net))
    # The annual IRR is the quarterly one compounded.
    assert (1 + irr(net)) ** 4 - 1 == pytest.approx(figures.irr)
    # Risk-adjusted: 70% of the benefits' present value, all of the costs.
    pv_benefits = npv(case.rate, list(figures.benefits))
    pv_costs = npv(case.rate, list(figures.costs))
    assert figures.risk_adjusted_npv == pytest.approx(0.7 * pv_benefits - pv_costs)
    assert figures.risk_adjusted_npv < figures.npv


def test_simulation_percentiles_are_ordered_reproducible_and_around_the_likely_npv():
    case = _case(probability=1.0)
    first = simulate(case, simulations=20_000, seed=7)
    again = simulate(case, simulations=20_000, seed=7)
    assert first == again
    assert first.p10 < first.p50 < first.p90
    # PERT inputs skewed high: the median sits near (a little above) the likely case's NPV.
    likely = evaluate(case).npv
    assert abs(first.p50 - likely) < 0.25 * (first.p90 - first.p10)
    assert sum(n for _, n in first.histogram) == 20_000


def test_a_riskier_bet_has_a_lower_p10_and_fewer_paying_draws():
    safe = simulate(_case(probability=1.0), simulations=5_000, seed=1)
    risky = simulate(_case(probability=0.5), simulations=5_000, seed=1)
    assert risky.p10 < safe.p10
    assert risky.probability_positive < safe.probability_positive


def test_an_exactly_known_case_has_no_spread():
    case = _case(
        investment=ThreePoint.exactly(100),
        running_cost=ThreePoint.exactly(0),
        benefits=(Benefit("Savings", ThreePoint.exactly(30)),),
        probability=1.0,
    )
    result = simulate(case, simulations=100)
    assert result.p10 == pytest.approx(result.p90) == pytest.approx(evaluate(case).npv)


def test_tornado_puts_the_widest_swing_first_and_each_bar_brackets_the_likely_npv():
    case = _case()
    bars = tornado(case)
    names = [b.name for b in bars]
    assert names[0] == "New revenue"  # 10k..60k a quarter for 11 quarters dwarfs everything else
    assert "Savings" in names and "Discount rate ±2 points" in names
    widths = [b.width for b in bars]
    assert widths == sorted(widths, reverse=True)
    likely = evaluate(case).npv
    for b in bars:
        assert min(b.npv_low, b.npv_high) <= likely + 1e-6 <= max(b.npv_low, b.npv_high) + 2e-6


def test_three_point_estimates_must_be_ordered():
    with pytest.raises(ValueError, match="low <= likely <= high"):
        ThreePoint(10, 5, 20)


def test_run_rate_projects_the_recent_months_to_the_year_end_and_flags_variance():
    projection = run_rate_project([100, 100, 100, 130, 140, 150])
    assert projection.to_date == 720
    assert projection.run_rate == pytest.approx(140)
    assert projection.year_end == pytest.approx(720 + 6 * 140)
    assert variance_flag(1_400, projection.year_end) == Flag.OVER
    assert variance_flag(2_000, projection.year_end) == Flag.UNDER
    assert variance_flag(1_560, projection.year_end) == Flag.ON_TRACK
    assert variance_flag(None, 10) == Flag.NO_BUDGET
    assert run_rate_project([]).year_end == 0
