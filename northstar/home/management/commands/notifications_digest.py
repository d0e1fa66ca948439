"""`northstar notifications_digest`: send the daily notification digests that are due (run it hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from northstar.home.mail import notification_digests_send


class Command(BaseCommand):
    help = "Email each daily-digest reader their unread notifications (safe to run as often as you like)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = notification_digests_send()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} notification digest{'s' if sent != 1 else ''}."))
