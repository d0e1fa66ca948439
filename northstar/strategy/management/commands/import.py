"""`northstar import metrics FILE.csv`: load KPI values from a CSV file, with a progress bar.
`northstar import actuals FILE.csv`: load actual spend from a finance system's CSV export.

Metrics: the file has a header row naming at least `date`, `metric` and `value` (and optionally
`dimension`); `metric` is a metric's key or name. Actuals: see `northstar.finance.imports`. Either
import lands whole or not at all: a bad row stops it with the line number and the reason.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.strategy.metric_values import metric_values_import

KINDS = ("metrics", "actuals")


class ProgressBar:
    """A one-line bar on stderr, redrawn at most ten times a second (and always at the end)."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self.started = time.perf_counter()
        self.drawn = 0.0

    def __call__(self, rows: int, done: int, total: int) -> None:
        now = time.perf_counter()
        finished = total > 0 and done >= total
        if not finished and now - self.drawn < 0.1:
            return
        self.drawn = now
        share = min(1.0, done / total) if total else 1.0
        filled = int(share * self.width)
        rate = rows / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {share:4.0%}  "
            f"{rows:,} rows  {rate:,.0f} rows/s"
        )
        if finished:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import data from a file. `import metrics FILE.csv`: KPI values (date,metric,value[,dimension]). "
        "`import actuals FILE.csv`: actual spend (period,cost_centre,category,kind,amount,currency,...)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="What the file holds.")
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--date-order",
            default="",
            help="How to read dates like 01/02/2024: dmy (day first) or mdy (month first). "
            "Without it such dates are refused; ISO dates and days above 12 read either way.",
        )

    def handle(
        self,
        *args: object,
        kind: str,
        path: str,
        quiet: bool = False,
        date_order: str = "",
        **options: object,
    ) -> None:
        if kind == "actuals":
            self._actuals(path, date_order)
            return
        bar = None if quiet else ProgressBar(sys.stderr, f"Importing {path}")
        try:
            record = metric_values_import(actor=None, path=path, progress=bar, order=date_order)
        except ApplicationError as exc:
            if bar is not None:
                sys.stderr.write("\n")
            raise CommandError(exc.message) from None
        span = f" from {record.first_date} to {record.last_date}" if record.first_date else ""
        self.stdout.write(
            self.style.SUCCESS(f"Imported {record.rows:,} values of {record.metrics} metric(s){span}.")
        )

    def _actuals(self, path: str, date_order: str) -> None:
        from pathlib import Path

        from northstar.finance.imports import actuals_import

        try:
            with Path(path).open("rb") as stream:
                batch = actuals_import(actor=None, stream=stream, file_name=Path(path).name, order=date_order)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        except ApplicationError as exc:
            rows = exc.detail if isinstance(exc.detail, list) else []
            raise CommandError("\n".join([exc.message, *rows[1:]])) from None
        span = f" from {batch.first_month:%Y-%m} to {batch.last_month:%Y-%m}" if batch.first_month else ""
        self.stdout.write(
            self.style.SUCCESS(f"Imported {batch.rows:,} actuals{span}: {batch.total:,.2f} {batch.currency}.")
        )
