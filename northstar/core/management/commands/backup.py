"""`northstar backup FILE`: the database and the data directory in one archive, while the app runs."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.backup import installation_backup
from northstar.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Back up the database and the data directory (secret key, uploads, generated files) to FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the backup, e.g. northstar-2026-12-03.tar.gz")

    def handle(self, *args: object, file: str, **options: object) -> None:
        try:
            summary = installation_backup(path=Path(file).expanduser().resolve())
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Backed up the {summary.engine} database and {summary.files} file(s) "
            f"({summary.bytes:,} bytes) to {summary.path}"
        )
