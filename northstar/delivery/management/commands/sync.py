"""`northstar sync delivery [--connection NAME]`: sync every connection with a token (or one), in the
foreground, resuming any sync that stopped part-way. Exits non-zero when a sync failed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.delivery.models import Connection
from northstar.delivery.sync import delivery_sync

KINDS = ("delivery",)


class Command(BaseCommand):
    help = "Sync data from outside tools. `sync delivery`: work items from Jira, Linear and GitHub."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="What to sync.")
        parser.add_argument("--connection", help="Only this connection (its name).")

    def handle(self, *args: object, kind: str, connection: str | None = None, **options: object) -> None:
        connections = Connection.objects.exclude(token_encrypted="").order_by("name")
        if connection:
            connections = connections.filter(name=connection)
            if not connections.exists():
                raise CommandError(f"No connection named {connection!r} with a token.")
        failed = []
        for c in connections:
            try:
                result = delivery_sync(connection_id=c.pk)
            except ApplicationError as exc:
                failed.append(c.name)
                self.stderr.write(f"{c.name}: {exc.message}")
                continue
            resumed = " (resumed)" if result["resumed_from"] else ""
            done = f"{c.name}: {result['items']:,} items in {result['pages']} pages{resumed}."
            self.stdout.write(self.style.SUCCESS(done))
        if not connections:
            self.stdout.write("No connection has a token: connect a tool under Delivery first.")
        if failed:
            names = ", ".join(failed)
            raise CommandError(f"Sync failed for {names}; the next sync resumes where it stopped.")
