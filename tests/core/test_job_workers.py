"""Real worker processes, really killed: a job survives its worker dying half-way, on both brokers.

The workers are `northstar worker` processes sharing this test's database (the PostgreSQL test
database, or a fresh embedded SQLite one made with `northstar migrate`). SIGKILL gives the worker no
chance to clean up, as when a machine is lost or the kernel kills it for memory.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from northstar.core.models import Job
from tests.core.test_jobs import _redis_url
from tests.environment import require

NORTHSTAR = str(Path(sys.executable).with_name("northstar"))
LEASE = 2  # seconds: a dead worker's job is retried this soon after it stopped renewing


class Site:
    """One Northstar installation that the test and its worker processes share."""

    def __init__(self, tmp_path: Path, backend: str, redis_url: str = "") -> None:
        self.env = {
            **os.environ,
            "NORTHSTAR_DATA_DIR": str(tmp_path),
            "SECRET_KEY": "tests-only-not-secret",
            "DJANGO_SETTINGS_MODULE": "northstar.settings",
            "NORTHSTAR_JOBS": backend,
            "NORTHSTAR_JOB_LEASE": str(LEASE),
            "REDIS_URL": redis_url or "redis://127.0.0.1:6379/15",
        }
        self.sqlite: Path | None = None
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            )
        else:
            self.env.pop("DATABASE_URL", None)
            self.sqlite = tmp_path / "northstar.sqlite3"
            self.run("migrate", "--verbosity", "0")

    def run(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own CLI
            [NORTHSTAR, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def worker(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 - our own CLI
            [NORTHSTAR, "worker", "--threads", "1", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def enqueue(self, **kwargs: Any) -> int:
        code = (
            "from django.db import transaction\n"
            "from northstar.core.jobs import job_enqueue\n"
            "with transaction.atomic():\n"
            f"    job = job_enqueue(task='northstar.core.tasks.sample_count', kwargs={kwargs!r},"
            " actor=None, title='Count slowly')\n"
            "print(job.pk)\n"
        )
        return int(self.run("shell", "-c", code).strip().splitlines()[-1])

    def job(self, pk: int) -> dict[str, Any]:
        columns = ("status", "progress", "attempts", "result", "error")
        if self.sqlite is None:
            return Job.objects.filter(pk=pk).values(*columns).get()
        with sqlite3.connect(self.sqlite) as db:
            row = db.execute(f"SELECT {', '.join(columns)} FROM core_job WHERE id = ?", [pk]).fetchone()  # noqa: S608
        values = dict(zip(columns, row, strict=True))
        values["result"] = json.loads(values["result"]) if values["result"] else None
        return values

    def wait(self, pk: int, until: Any, seconds: float = 180) -> dict[str, Any]:
        """Generous: worker processes start slowly on a loaded machine (the whole suite runs beside)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            row = self.job(pk)
            if until(row):
                return row
            time.sleep(0.2)
        raise AssertionError(f"job {pk} never got there: {self.job(pk)}")


def _kill_mid_job_then_recover(site: Site) -> None:
    pk = site.enqueue(to=8, pause=0.5)
    first = site.worker()
    try:
        site.wait(pk, lambda r: r["status"] == "running" and r["progress"] >= 0.25)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    killed = site.job(pk)
    assert killed["status"] == "running" and killed["attempts"] == 1  # no one could record anything

    second = site.worker("--max-jobs", "1", "--wait", "150")
    try:
        row = site.wait(pk, lambda r: r["status"] not in {"queued", "running"})
        out, _ = second.communicate(timeout=180)
    finally:
        if second.poll() is None:
            second.kill()
    assert row["status"] == "succeeded", (row, out)
    assert row["attempts"] == 2  # retried once, by the second worker
    assert row["result"] == {"counted": 8}
    assert "Ran 1 job(s)." in out


@pytest.mark.django_db(transaction=True)
def test_a_killed_embedded_worker_loses_no_job(tmp_path):
    _kill_mid_job_then_recover(Site(tmp_path, "thread"))


@pytest.mark.django_db(transaction=True)
def test_a_killed_redis_worker_loses_no_job(tmp_path):
    url = _redis_url()
    require("Redis", url is not None, hint="nothing answers on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(url).flushdb()
    _kill_mid_job_then_recover(Site(tmp_path, "redis", url))
