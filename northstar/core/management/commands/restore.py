"""`northstar restore FILE`: put back a backup made by `northstar backup`, database and files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.backup import installation_restore
from northstar.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Restore a backup: replaces the database and the backed-up files in the data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A file written by `northstar backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: object, file: str, yes: bool, **options: object) -> None:
        if not yes:
            answer = input("This replaces everything in the database with the backup. Type 'restore': ")
            if answer.strip() != "restore":
                raise CommandError("Nothing restored.")
        try:
            summary = installation_restore(path=Path(file).expanduser().resolve())
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Restored the {summary.engine} database and {summary.files} file(s) from {summary.path}. "
            "Restart `northstar serve` so every process starts from the restored data."
        )
