"""`northstar notifications_digest`: remind owners of check-ins that are due, tell KPI owners of new
anomalies, then send the daily
notification digests that are due (run it hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from northstar.home.mail import notification_digests_send
from northstar.home.services import check_in_reminders_send, kpi_anomalies_notify


class Command(BaseCommand):
    help = (
        "Check-in reminders, then daily digests of unread notifications (safe to run as often as you like)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = check_in_reminders_send()
        self.stdout.write(
            f"Reminded {reminded} key result owner{'s' if reminded != 1 else ''} of a check-in."
        )
        flagged = kpi_anomalies_notify()
        self.stdout.write(f"Told KPI owners of {flagged} new anomal{'ies' if flagged != 1 else 'y'}.")
        sent = notification_digests_send()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} notification digest{'s' if sent != 1 else ''}."))
