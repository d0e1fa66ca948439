"""`northstar search_reindex`: rebuild the global search index from the records (after a bulk import)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from northstar.home.indexing import SOURCES, search_reindex


class Command(BaseCommand):
    help = "Rebuild the global search index (all kinds, or the kinds named)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kinds", nargs="*", help=f"Any of: {', '.join(SOURCES)}.")

    def handle(self, *args: Any, kinds: list[str], **options: Any) -> None:
        unknown = sorted(set(kinds) - set(SOURCES))
        if unknown:
            raise CommandError(f"Unknown kind {', '.join(unknown)}: choose from {', '.join(SOURCES)}.")
        counts = search_reindex(kinds=kinds or None)
        for kind, n in counts.items():
            self.stdout.write(f"{kind}: {n}")
        self.stdout.write(self.style.SUCCESS(f"Indexed {sum(counts.values())} records."))
