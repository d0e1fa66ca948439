"""Finance routes in the permission matrix (see tests/permissions.py).

Everyone signed in reads budgets, actuals, rates and business cases; leaders import actuals, derive
people cost and keep the rates table; PMs write business cases of their own line's initiatives.
"""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from northstar.finance.models import ExchangeRate
from tests.conftest import Cast
from tests.permissions import LEADERS_ACTION, READ, WRITERS_ACTION, WRITERS_PAGE, Case, _expect


def _rate(cast: Cast, user) -> list[int]:
    return [
        ExchangeRate.objects.get_or_create(currency="USD", valid_from=date(2025, 1, 1), defaults={"rate": 1})[
            0
        ].pk
    ]


def _upload(cast: Cast, user) -> dict:
    return {"file": SimpleUploadedFile("a.csv", b"period,line,category,amount\n2025-01,Home line,tools,10\n")}


def _case(initiative: str):
    def build(cast: Cast, user) -> dict:
        return {
            "probability": "0.5",
            "annual_rate": "0.1",
            "periods_per_year": "4",
            "horizon": "4",
            "currency": "EUR",
            "investment_low": "1",
            "investment_likely": "2",
            "investment_high": "3",
            "running_low": "0",
            "running_likely": "0",
            "running_high": "0",
        }

    return build


WEB_CASES = [
    Case("finance:index", "get", READ),
    Case("finance:actuals", "get", READ),
    Case("finance:actuals_import", "post", LEADERS_ACTION, data=_upload),
    Case("finance:people_cost", "post", LEADERS_ACTION, data=lambda c, u: {"month": "2025-01-01"}),
    Case("finance:rates", "get", READ),
    Case(
        "finance:rates",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"currency": "USD", "rate": "0.9", "valid_from": "2025-03-01"},
    ),
    Case("finance:rate_delete", "post", LEADERS_ACTION, args=_rate),
    Case("finance:cases", "get", READ),
    Case("finance:case_detail", "get", READ, args=lambda c, u: [c.away_initiative.pk]),
    Case("finance:case_edit", "get", WRITERS_PAGE, args=lambda c, u: [c.home_initiative.pk], label="home"),
    Case(
        "finance:case_edit",
        "get",
        _expect(stakeholder=403, pm=403),
        args=lambda c, u: [c.away_initiative.pk],
        label="away",
    ),
    Case(
        "finance:case_edit",
        "post",
        WRITERS_ACTION,
        args=lambda c, u: [c.home_initiative.pk],
        data=_case("home_initiative"),
        label="home",
    ),
    Case(
        "finance:case_edit",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [c.away_initiative.pk],
        data=_case("away_initiative"),
        label="away",
    ),
]
