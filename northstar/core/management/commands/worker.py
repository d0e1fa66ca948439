"""`northstar worker`: run background jobs in a process of their own, next to the web servers."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.jobs import worker_run


class Command(BaseCommand):
    help = (
        "Run background jobs. With NORTHSTAR_JOBS=redis, start one or more next to `northstar serve` "
        "to scale out; with the default backend, a worker adds capacity to the web process's own threads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-jobs", type=int, default=None, help="Stop after this many jobs.")
        parser.add_argument("--threads", type=int, default=None, help="Jobs run at once (default 2).")
        parser.add_argument(
            "--wait", type=int, default=5, help="With --max-jobs: stop after this many idle seconds."
        )

    def handle(
        self, *args: object, max_jobs: int | None, threads: int | None, wait: int, **options: object
    ) -> None:
        if settings.NORTHSTAR_JOBS == "immediate":
            raise CommandError("NORTHSTAR_JOBS=immediate runs jobs where they are queued: no worker needed.")
        where = settings.REDIS_URL if settings.NORTHSTAR_JOBS == "redis" else "the database"
        self.stdout.write(f"Northstar worker waiting for jobs from {where}", ending="\n")
        self.stdout.flush()
        ran = worker_run(
            max_jobs=max_jobs, wait_seconds=wait, threads=threads or settings.NORTHSTAR_JOB_THREADS
        )
        self.stdout.write(f"Ran {ran} job(s).")
