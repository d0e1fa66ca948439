"""`northstar business-cases [--initiative ID] [--line NAME] [--format table|json]`: every business
case with its NPV, risk-adjusted NPV, IRR, payback, ROI and simulated P10/P50/P90 NPV, most valuable
first. The figures are the ones computed when each case was saved (`northstar.finance.services`), the
same the Finance pages and `GET /api/v1/finance/cases` show."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.numbers import NO_NUMBER, money_text
from northstar.core.tables import text_table
from northstar.finance import selectors
from northstar.finance.models import BusinessCase
from northstar.org import selectors as org
from northstar.portfolio.models import Initiative

COLUMNS = ("Initiative", "Line", "NPV", "Risk-adjusted", "IRR", "Payback", "ROI", "P10", "P50", "P90")


def _share(value: float | None) -> str:
    return NO_NUMBER if value is None else f"{value:.1%}"


def _payback(case: BusinessCase) -> str:
    if case.payback_periods is None:
        return "never"
    unit = "quarters" if case.periods_per_year == 4 else "months"
    return f"{case.payback_periods:.1f} {unit}"


class Command(BaseCommand):
    help = (
        "List business cases with NPV, IRR, payback, ROI and the simulated P10/P50/P90 NPV "
        "(--initiative ID for one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--initiative", type=int, help="Only this initiative's case (its id).")
        parser.add_argument("--line", help="Only the cases of this product line (name or id).")
        parser.add_argument("--format", dest="fmt", choices=("table", "json"), default="table")

    def handle(self, *args: object, **options: Any) -> None:
        cases = selectors.case_list()
        if options.get("initiative") is not None:
            wanted = options["initiative"]
            initiative = Initiative.objects.filter(pk=wanted).first()
            if initiative is None:
                raise CommandError(f"No initiative with id {wanted}.")
            cases = cases.filter(initiative=initiative)
            if not cases.exists():
                raise CommandError(f"{initiative.title} (id {wanted}) has no business case yet.")
        if options.get("line"):
            line = org.line_named(str(options["line"]))
            if line is None:
                known = ", ".join(org.line_names()) or "none yet"
                raise CommandError(f"No product line called {options['line']!r} (lines: {known}).")
            cases = cases.filter(initiative__product__line=line)
        rows = list(cases)
        if options["fmt"] == "json":
            self.stdout.write(json.dumps([self._json(c) for c in rows], indent=2))
            return
        if not rows:
            self.stdout.write("No business case yet: add one on an initiative's Finance tab.")
            return
        cells = [COLUMNS] + [
            (
                c.initiative.title,
                c.initiative.product.line.name if c.initiative.product else "",
                money_text(c.npv, c.currency, cents=False),
                money_text(c.risk_adjusted_npv, c.currency, cents=False),
                _share(c.irr),
                _payback(c),
                _share(c.roi),
                money_text(c.npv_p10, c.currency, cents=False),
                money_text(c.npv_p50, c.currency, cents=False),
                money_text(c.npv_p90, c.currency, cents=False),
            )
            for c in rows
        ]
        self.stdout.write(text_table(cells))
        self.stdout.write(f"{len(rows)} business case(s), most valuable (risk-adjusted NPV) first.")

    def _json(self, case: BusinessCase) -> dict:
        def rounded(value: float | None, places: int = 2) -> float | None:
            return None if value is None else round(value, places)

        return {
            "initiative_id": case.initiative_id,
            "initiative": case.initiative.title,
            "line": case.initiative.product.line.name if case.initiative.product else None,
            "currency": case.currency,
            "npv": rounded(case.npv),
            "risk_adjusted_npv": rounded(case.risk_adjusted_npv),
            "irr": rounded(case.irr, 4),
            "payback_periods": rounded(case.payback_periods),
            "periods_per_year": case.periods_per_year,
            "roi": rounded(case.roi, 4),
            "npv_p10": rounded(case.npv_p10),
            "npv_p50": rounded(case.npv_p50),
            "npv_p90": rounded(case.npv_p90),
            "probability_positive": rounded(case.probability_positive, 4),
        }
