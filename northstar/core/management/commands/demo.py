"""`northstar demo`: load the demo company (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.models import Job
from northstar.demo import COMPANY, SCALES, load_demo


class Command(BaseCommand):
    help = "Load the demo company. Safe to run again: what is already there is left as it is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="standard",
            help="standard: ~45 people, 150 initiatives. large: 400 people, 10,000 initiatives (load tests).",
        )
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same company (default 7).")

    def handle(self, *args: object, scale: str, seed: int, **options: object) -> None:
        timings: dict[str, float] = {}
        try:
            added = load_demo(scale=scale, seed=seed, timings=timings)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not any(added.values()):
            self.stdout.write(f"The {COMPANY} demo ({scale}) is already loaded; nothing changed.")
        else:
            parts = ", ".join(f"{count:,} {kind.replace('_', ' ')}" for kind, count in added.items() if count)
            self.stdout.write(self.style.SUCCESS(f"Loaded the {COMPANY} demo ({scale}): {parts} added."))
        queued = Job.objects.filter(status__in=Job.ACTIVE).count()
        if queued:
            self.stdout.write(
                f"{queued} background job(s) queued (the issued board pack's files): they run once "
                "`northstar serve` or `northstar worker` is up."
            )
        slowest = sorted(timings.items(), key=lambda item: -item[1])
        self.stdout.write(
            f"Took {sum(timings.values()):.1f} s: "
            + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in slowest if seconds >= 0.05)
        )
