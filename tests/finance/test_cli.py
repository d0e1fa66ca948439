"""`northstar business-cases`: the stored figures of every case (or one), as a table or JSON."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from northstar.core.numbers import money_text
from tests import factories
from tests.finance.factories import make_case


def _cases(*args: str) -> str:
    out = io.StringIO()
    call_command("business-cases", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cases(cast):
    home = make_case(cast.leader, cast.home_initiative)
    away = make_case(cast.leader, cast.away_initiative, probability="0.9", benefits=[])  # costs only
    return home, away


def test_business_cases_lists_npv_irr_payback_roi_and_the_spread_most_valuable_first(cast, cases):
    home, away = cases
    said = _cases()
    rows = [re.split(r"\s{2,}", r) for r in said.splitlines()]
    assert rows[0] == [
        "Initiative",
        "Line",
        "NPV",
        "Risk-adjusted",
        "IRR",
        "Payback",
        "ROI",
        "P10",
        "P50",
        "P90",
    ]
    assert [r[0] for r in rows[2:4]] == ["Home work", "Away work"]  # risk-adjusted NPV, highest first
    assert rows[2] == [
        "Home work",
        cast.home_line.name,
        money_text(home.npv, "EUR", cents=False),
        money_text(home.risk_adjusted_npv, "EUR", cents=False),
        f"{home.irr:.1%}",
        f"{home.payback_periods:.1f} quarters",
        f"{home.roi:.1%}",
        money_text(home.npv_p10, "EUR", cents=False),
        money_text(home.npv_p50, "EUR", cents=False),
        money_text(home.npv_p90, "EUR", cents=False),
    ]
    assert rows[3][2] == money_text(away.npv, "EUR", cents=False) and away.npv < 0
    assert rows[3][5] == "never"  # costs only: never pays back
    assert "2 business case(s)" in said


def test_one_initiatives_case_as_json(cast, cases):
    home, _away = cases
    (body,) = json.loads(_cases("--initiative", str(cast.home_initiative.pk), "--format", "json"))
    assert body["initiative"] == "Home work" and body["currency"] == "EUR"
    assert body["npv"] == round(home.npv, 2) and body["irr"] == round(home.irr, 4)
    assert body["roi"] == round(home.roi, 4) and body["payback_periods"] == round(home.payback_periods, 2)
    assert body["npv_p10"] < body["npv_p50"] < body["npv_p90"]
    assert [c["initiative"] for c in json.loads(_cases("--line", "away line", "--format", "json"))] == [
        "Away work"
    ]


def test_unknown_initiatives_and_lines_are_refused_clearly(cast, cases):
    with pytest.raises(CommandError, match="No initiative with id 999999"):
        _cases("--initiative", "999999")
    bare = factories.make_initiative(title="No case here")
    with pytest.raises(CommandError, match=r"No case here \(id \d+\) has no business case yet"):
        _cases("--initiative", str(bare.pk))
    with pytest.raises(CommandError, match="No product line called 'Nowhere'"):
        _cases("--line", "Nowhere")


def test_no_cases_yet_says_where_to_add_one(cast):
    assert "No business case yet" in _cases()
    assert json.loads(_cases("--format", "json")) == []
