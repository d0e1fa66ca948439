"""`northstar analytics ...`: import, export and purge a site's events from the command line.

northstar analytics sites                         # every site with its key and product
northstar analytics import SITE_KEY FILE.csv      # past events (all rows or none; the bad row named)
northstar analytics export SITE_KEY [--since YYYY-MM-DD] > events.csv
northstar analytics purge                         # delete events past each site's retention (daily)
"""

from __future__ import annotations

import csv
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.analytics import ingest
from northstar.analytics.models import Event, Site
from northstar.core.errors import ApplicationError

EXPORT_COLUMNS = [
    "at",
    "type",
    "visitor",
    "user",
    "account",
    "path",
    "name",
    "selector",
    "x",
    "y",
    "dead",
    "value",
]


class Command(BaseCommand):
    help = "Product analytics: list sites, import or export a site's events, purge events past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("sites", "import", "export", "purge"))
        parser.add_argument("key", nargs="?", help="The site's key (import, export).")
        parser.add_argument("path", nargs="?", help="The CSV file (import).")
        parser.add_argument("--since", type=date.fromisoformat, help="Export events from this day on.")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "sites":
            for each in Site.objects.select_related("product").order_by("name"):
                self.stdout.write(f"{each.key}\t{each.product.name}\t{each.name}")
            return
        if action == "purge":
            self.stdout.write(f"Deleted {ingest.events_purge():,} events past their site's retention.")
            return
        site = Site.objects.select_related("product").filter(key=options["key"] or "").first()
        if site is None:
            raise CommandError("Name a site by its key (see `northstar analytics sites`).")
        if action == "import":
            if not options["path"]:
                raise CommandError("Name the CSV file to import.")
            try:
                with open(str(options["path"]), encoding="utf-8-sig") as f:
                    count = ingest.events_import(actor=None, site=site, text=f.read())
            except OSError as exc:
                raise CommandError(f"Cannot read {options['path']}: {exc.strerror}") from None
            except ApplicationError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"Imported {count:,} events into {site.name}.")
            return
        names = {v: k for k, v in ingest.KINDS.items()}
        events = Event.objects.filter(site_id=site.pk).order_by("at", "id")
        if options["since"]:
            events = events.filter(at__date__gte=options["since"])
        writer = csv.writer(self.stdout)
        writer.writerow(EXPORT_COLUMNS)
        for e in events.iterator(chunk_size=5000):
            writer.writerow(
                [
                    e.at.isoformat(),
                    names[e.kind],
                    e.visitor,
                    e.user_ref,
                    e.account,
                    e.path,
                    e.name,
                    e.selector,
                    e.x if e.x is not None else "",
                    e.y if e.y is not None else "",
                    int(e.dead),
                    e.value if e.value is not None else "",
                ]
            )
