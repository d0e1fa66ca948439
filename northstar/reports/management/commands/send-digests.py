"""`northstar send-digests`: send the email digests and status-update reminders that are due.

Run it from a scheduler (cron, a systemd timer) daily or hourly: nobody gets a digest twice, and a
line gets at most one reminder a week while its update is due.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from northstar.reports import digests
from northstar.reports.models import Frequency


class Command(BaseCommand):
    help = "Send the digests (weekly, monthly) and status-update reminders that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--frequency", choices=Frequency.values, help="Only this kind of digest.")
        parser.add_argument("--no-reminders", action="store_true", help="Send digests only.")

    def handle(
        self, *args: object, frequency: str | None = None, no_reminders: bool = False, **options: object
    ):
        sent = digests.digests_send(frequency=frequency)
        reminders = 0 if no_reminders else digests.status_reminders_send()
        self.stdout.write(f"Sent {sent} digest(s) and {reminders} reminder(s).")
