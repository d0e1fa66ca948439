"""`northstar forecast [--run] [--line NAME] [--format table|json]`: when each initiative of the
published roadmap lands (P50/P85/P95), its chance of meeting its published date, and the ones at risk.

It prints the latest stored forecast (what the roadmap, the dashboard and the board pack show);
`--run` runs a new one first (stored, as from the Delivery page), as does the first call when none
was run yet. The simulation is the forecast service's (`northstar.delivery.forecasting`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.core.tables import text_table
from northstar.delivery import forecasting, selectors
from northstar.delivery.models import DeliveryForecast, ForecastLine
from northstar.org import selectors as org
from northstar.org.models import ProductLine

COLUMNS = ("Initiative", "Team", "P50", "P85", "P95", "Published", "On time", "Flag")


def line_named(wanted: str) -> ProductLine:
    """The product line the command names; an unknown one is a clear error listing the lines."""
    line = org.line_named(wanted)
    if line is None:
        known = ", ".join(org.line_names()) or "none yet"
        raise CommandError(f"No product line called {wanted!r} (lines: {known}).")
    return line


def _day(value: date | None) -> str:
    return value.isoformat() if value else "beyond horizon"


class Command(BaseCommand):
    help = (
        "Print the delivery forecast per initiative: P50/P85/P95 dates, the chance of meeting the "
        "published date and the at-risk ones. --run runs a new forecast first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", action="store_true", help="Run a new forecast first (and store it).")
        parser.add_argument("--line", help="Only the initiatives of this product line's teams (name or id).")
        parser.add_argument("--format", dest="fmt", choices=("table", "json"), default="table")
        parser.add_argument("--late-only", action="store_true", help="Only the initiatives at risk.")
        parser.add_argument("--simulations", type=int, default=10_000, help="With --run (100 to 50,000).")
        parser.add_argument("--scope-growth", type=float, default=0.1, help="With --run (0.1 = 10%%).")
        parser.add_argument("--seed", type=int, default=0, help="With --run: the same seed, the same answer.")

    def handle(self, *args: object, **options: Any) -> None:
        line = line_named(str(options["line"])) if options.get("line") else None
        forecast = None if options["run"] else selectors.latest_forecast()
        if forecast is None:
            try:
                forecast = forecasting.forecast_run(
                    actor=None,
                    simulations=options["simulations"],
                    scope_growth=options["scope_growth"],
                    seed=options["seed"],
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from None
        lines = selectors.forecast_lines(forecast).select_related("team__line")
        if line is not None:
            lines = lines.filter(team__line=line)
        if options["late_only"]:
            lines = lines.filter(late=True)
        rows = list(lines)
        if options["fmt"] == "json":
            self.stdout.write(json.dumps(self._json(forecast, line, rows), indent=2))
            return
        self._table(forecast, line, rows)

    def _json(self, forecast: DeliveryForecast, line: ProductLine | None, rows: list[ForecastLine]) -> dict:
        def day(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "forecast": {
                "id": forecast.pk,
                "start": day(forecast.start),
                "simulations": forecast.simulations,
                "roadmap": forecast.roadmap.title if forecast.roadmap else None,
                "p50": day(forecast.p50),
                "p85": day(forecast.p85),
                "p95": day(forecast.p95),
            },
            "line": line.name if line else None,
            "at_risk": sum(r.late for r in rows),
            "initiatives": [
                {
                    "initiative_id": r.initiative_id,
                    "title": r.title,
                    "team": r.team.name if r.team else None,
                    "line": r.team.line.name if r.team and r.team.line else None,
                    "p50": day(r.p50),
                    "p85": day(r.p85),
                    "p95": day(r.p95),
                    "published": day(r.committed),
                    "on_time": None if r.on_time is None else round(r.on_time, 3),
                    "at_risk": r.late,
                }
                for r in rows
            ],
        }

    def _table(self, forecast: DeliveryForecast, line: ProductLine | None, rows: list[ForecastLine]) -> None:
        roadmap = f" of {forecast.roadmap.title}" if forecast.roadmap else ""
        self.stdout.write(
            f"Forecast{roadmap} from {forecast.start} ({forecast.simulations:,} simulations): "
            f"all landed by P50 {_day(forecast.p50)}, P85 {_day(forecast.p85)}, P95 {_day(forecast.p95)}."
        )
        if not rows:
            self.stdout.write(
                f"No initiative of {line.name} is on it." if line else "No initiative is on it."
            )
            return
        cells = [COLUMNS] + [
            (
                r.title,
                r.team.name if r.team else "",
                _day(r.p50),
                _day(r.p85),
                _day(r.p95),
                r.committed.isoformat() if r.committed else "",
                "" if r.on_time is None else f"{r.on_time:.0%}",
                "AT RISK" if r.late else "",
            )
            for r in rows
        ]
        self.stdout.write(text_table(cells))
        scope = f" of {line.name}" if line else ""
        late = sum(r.late for r in rows)
        self.stdout.write(
            f"{late} of {len(rows)} initiative(s){scope} at risk (P85 after the published date)."
        )
