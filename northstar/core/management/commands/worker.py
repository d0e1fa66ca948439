"""`northstar worker`: run background jobs fed through Redis (NORTHSTAR_JOBS=redis)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.jobs import worker_run


class Command(BaseCommand):
    help = "Run background jobs from Redis. Start one or more next to `northstar serve` when scaled out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-jobs", type=int, default=None, help="Stop after this many jobs.")

    def handle(self, *args: object, max_jobs: int | None, **options: object) -> None:
        if settings.NORTHSTAR_JOBS != "redis":
            raise CommandError(
                "The worker runs jobs queued in Redis: set NORTHSTAR_JOBS=redis and REDIS_URL "
                "(the default backend runs jobs inside the web process and needs no worker)."
            )
        self.stdout.write(f"Northstar worker waiting for jobs at {settings.REDIS_URL}")
        ran = worker_run(max_jobs=max_jobs)
        self.stdout.write(f"Ran {ran} job(s).")
