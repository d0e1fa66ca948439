"""`northstar cleanup_uploads`: delete import uploads left behind (never mapped, failed or interrupted)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.feedback.imports import uploads_cleanup


class Command(BaseCommand):
    help = (
        "Delete uploaded import files nobody imported within --hours (default 24); files a queued or "
        "running import still needs are kept. Each new upload does this too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=24.0, help="Age after which an upload is stale.")

    def handle(self, *args: object, hours: float, **options: object) -> None:
        if hours < 0:
            raise CommandError("--hours cannot be negative.")
        removed = uploads_cleanup(older_than=hours * 3600)
        self.stdout.write(f"Deleted {removed} stale upload(s).")
