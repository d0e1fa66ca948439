"""`northstar import_deals FILE.csv [--preset northstar|hubspot|salesforce]`: load deals from a CRM export.

All or nothing, like the web and API import: a bad row stops it with every failing row named (up to 20).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.market.imports import PRESETS, deals_import


class Command(BaseCommand):
    help = "Import deals (won, lost, no decision) from a CRM's CSV export, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The CSV file (any common encoding and delimiter).")
        parser.add_argument(
            "--preset", choices=sorted(PRESETS), default="northstar", help="The export's shape."
        )
        parser.add_argument(
            "--date-order",
            default="",
            help="How to read dates like 01/02/2026: dmy (day first) or mdy (month first); refused without.",
        )

    def handle(self, *args: object, path: str, preset: str, date_order: str = "", **options: object) -> None:
        try:
            with Path(path).open("rb") as stream:
                result = deals_import(
                    actor=None, stream=stream, filename=Path(path).name, preset=preset, order=date_order
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        except ApplicationError as exc:
            rows = exc.detail if isinstance(exc.detail, list) else []
            lines = [f"  row {r['row']}, {r['column']}: {r['message']}" for r in rows]
            raise CommandError("\n".join([exc.message, *lines])) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported {result.deals:,} deals: {result.won:,} won, {result.lost:,} lost.")
        )
