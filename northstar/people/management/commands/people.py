"""`northstar people export|erase|purge-candidates`: a person's people data on request, and candidate
retention."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.people import privacy


class Command(BaseCommand):
    help = "Export or erase a person's people data; erase closed candidates past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Print (or write) a person's people data as JSON.")
        export.add_argument("person", help="The person's id or email address.")
        export.add_argument("--out", default="", help="Write to this file instead of printing.")
        erase = sub.add_parser("erase", help="Erase a person's people data.")
        erase.add_argument("person", help="The person's id or email address.")
        erase.add_argument("--yes", action="store_true", help="Confirm: nothing is erased without it.")
        purge = sub.add_parser("purge-candidates", help="Erase rejected/withdrawn candidates past retention.")
        purge.add_argument("--days", type=int, default=privacy.CANDIDATE_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "purge-candidates":
                erased = privacy.candidates_purge(older_than_days=options["days"])
                self.stdout.write(
                    f"Erased {erased} candidate(s) closed more than {options['days']} days ago."
                )
                return
            person = privacy.find_person(options["person"])
        except (ApplicationError, ValueError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from None
        if options["action"] == "export":
            text = json.dumps(privacy.person_export(person), indent=2, ensure_ascii=False)
            if options["out"]:
                with open(options["out"], "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
                self.stdout.write(f"Wrote {person.name}'s people data to {options['out']}.")
            else:
                self.stdout.write(text)
            return
        if not options["yes"]:
            raise CommandError(f"This erases {person.name}'s reviews, 1:1s and growth plans: add --yes.")
        counts = privacy.person_erase(person)
        self.stdout.write(
            f"Erased for {person.name}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
        )
