"""Background jobs: the same progress, result, failure and cancel behaviour on every backend."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from northstar.core import job_broker, jobs
from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import Job
from tests.environment import require
from tests.test_api import bearer

COUNT = "northstar.core.tasks.sample_count"


def _wait_for(job: Job, seconds: float = 15) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job.status} after {seconds}s")


def test_a_job_runs_after_commit_and_keeps_its_result(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        job = jobs.job_enqueue(task=COUNT, kwargs={"to": 4}, actor=cast.leader, title="Count")
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED  # nothing runs before commit
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 4}
    assert job.percent == 100
    assert job.message == "Step 4 of 4"
    assert job.started_at and job.finished_at


def test_a_failing_task_is_recorded_not_lost(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_enqueue(task="northstar.core.tasks.sample_fail", actor=cast.leader, title="Fail")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "the planning data is inconsistent" in job.error and "RuntimeError" not in job.error


def test_unknown_tasks_are_refused(cast):
    with pytest.raises(ValidationFailed, match="Unknown task"):
        jobs.job_enqueue(task="os.system", actor=cast.leader, title="Nope")
    with pytest.raises(ValidationFailed, match="Unknown task"):
        jobs.job_enqueue(task="northstar.core.tasks.missing", actor=cast.leader, title="Nope")
    assert not Job.objects.exists()


def test_cancelling_a_queued_job_means_it_never_runs(cast):
    job = Job.objects.create(title="Queued", task=COUNT, kwargs={"to": 2}, actor=cast.pm)
    jobs.job_cancel(job=job, actor=cast.pm)
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.result is None


def test_a_running_task_stops_at_its_next_check(cast):
    job = Job.objects.create(
        title="Long", task=COUNT, kwargs={"to": 1000}, actor=cast.pm, cancel_requested=True
    )
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.result == {"counted": 0}  # stopped before its first step; the partial result is kept


def test_only_the_starter_or_a_leader_sees_a_job(cast):
    job = Job.objects.create(title="Mine", task=COUNT, actor=cast.pm)
    assert jobs.job_get(job_id=job.pk, user=cast.leader) == job
    with pytest.raises(PermissionDenied):
        jobs.job_get(job_id=job.pk, user=cast.stakeholder)


@pytest.mark.django_db(transaction=True)
def test_the_default_backend_runs_jobs_in_a_background_thread(cast):
    with override_settings(NORTHSTAR_JOBS="thread"):
        jobs.embedded_worker_start()  # as the web server does when it starts
        job = jobs.job_enqueue(task=COUNT, kwargs={"to": 3}, actor=cast.leader, title="Threaded")
        assert _wait_for(job).result == {"counted": 3}
        assert job.attempts == 1


def _redis_url() -> str | None:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


@pytest.mark.django_db(transaction=True)
def test_the_redis_backend_feeds_a_worker(cast):
    url = _redis_url()
    require("Redis", url is not None, hint="nothing answers on 127.0.0.1:6379")
    with override_settings(NORTHSTAR_JOBS="redis", REDIS_URL=url):
        jobs.redis_client().flushdb()
        job = jobs.job_enqueue(task=COUNT, kwargs={"to": 2}, actor=cast.leader, title="Via Redis")
        job.refresh_from_db()
        assert job.status == Job.Status.QUEUED  # waits for a worker
        assert jobs.worker_run(max_jobs=1, wait_seconds=5) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"counted": 2}


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_of_a_held_job_does_not_use_up_a_workers_quota(cast):
    """Redis re-delivers a dead worker's message on its own schedule, and a re-queued job is sent
    again: a worker told to run one job must not stop after a delivery it could not claim."""
    url = _redis_url()
    require("Redis", url is not None, hint="nothing answers on 127.0.0.1:6379")
    with override_settings(NORTHSTAR_JOBS="redis", REDIS_URL=url):
        jobs.redis_client().flushdb()
        held = jobs.job_enqueue(task=COUNT, kwargs={"to": 1}, actor=cast.leader, title="Held elsewhere")
        lease = timezone.now() + timedelta(minutes=5)
        Job.objects.filter(pk=held.pk).update(status=Job.Status.RUNNING, attempts=1, lease_until=lease)
        waiting = jobs.job_enqueue(task=COUNT, kwargs={"to": 2}, actor=cast.leader, title="Waiting")
        assert jobs.worker_run(max_jobs=1, wait_seconds=5, threads=1) == 1
    waiting.refresh_from_db()
    held.refresh_from_db()
    assert waiting.status == Job.Status.SUCCEEDED and waiting.result == {"counted": 2}
    assert held.status == Job.Status.RUNNING and held.attempts == 1  # left to the worker that holds it


def test_progress_panel_polls_while_running_and_stops_when_done(cast, login):
    running = Job.objects.create(
        title="Plan Q3", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING, progress=0.4
    )
    html = login(cast.pm).get(reverse("core:job_status", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "40%" in html and "Cancel" in html
    done = Job.objects.create(title="Plan Q2", task=COUNT, actor=cast.pm, status=Job.Status.SUCCEEDED)
    html = login(cast.pm).get(reverse("core:job_status", args=[done.pk])).content.decode()
    assert "every 1s" not in html and "Finished" in html


def test_cancel_button_asks_a_running_job_to_stop(cast, login):
    running = Job.objects.create(title="Plan", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING)
    response = login(cast.pm).post(reverse("core:job_cancel", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert "Stopping" in response.content.decode()
    running.refresh_from_db()
    assert running.cancel_requested


def test_jobs_in_the_api(cast):
    job = Job.objects.create(title="Plan", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING)
    api = bearer(cast.pm)
    assert api.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "running"
    assert api.post(f"/api/v1/jobs/{job.pk}/cancel").status_code == 200
    assert bearer(cast.stakeholder).get(f"/api/v1/jobs/{job.pk}").status_code == 403


def test_a_job_whose_worker_died_is_queued_again_and_finished(cast):
    """A worker that stops renewing its lease (killed, machine lost) leaves a job another one retries."""
    stale = timezone.now() - timedelta(seconds=1)
    job = Job.objects.create(
        title="Plan",
        task=COUNT,
        kwargs={"to": 2},
        actor=cast.pm,
        status=Job.Status.RUNNING,
        attempts=1,
        lease_until=stale,
        progress=0.5,
    )
    alive = Job.objects.create(
        title="Alive",
        task=COUNT,
        actor=cast.pm,
        status=Job.Status.RUNNING,
        attempts=1,
        lease_until=timezone.now() + timedelta(seconds=30),
    )
    assert job_broker.jobs_requeue_abandoned() == [job.pk]
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"counted": 2}
    assert job.attempts == 2
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING  # a job whose worker still renews is left alone


def test_a_job_that_keeps_killing_its_worker_fails_with_a_reason(cast):
    job = Job.objects.create(
        title="Plan",
        task=COUNT,
        actor=cast.pm,
        status=Job.Status.RUNNING,
        attempts=jobs.MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    job_broker.jobs_requeue_abandoned()
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "stopped or failed 3 times" in job.error and job.finished_at


def test_a_late_finish_from_a_superseded_attempt_is_ignored(cast):
    """Once a retry took a job over, the first attempt's outcome (if it was only slow) is not stored."""
    job = Job.objects.create(title="Plan", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING, attempts=2)
    first = Job(pk=job.pk, attempts=1)
    assert jobs._end(first, status=Job.Status.SUCCEEDED, result={"old": True}) == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.result is None


def test_a_passing_database_error_is_retried_then_failed(cast, monkeypatch):
    from django.db import OperationalError

    def flaky(*, job):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr("northstar.core.tasks.sample_fail", flaky)
    job = Job.objects.create(title="Flaky", task="northstar.core.tasks.sample_fail", actor=cast.pm)
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.available_at > timezone.now()
    assert "deadlock detected" in job.message
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        Job.objects.filter(pk=job.pk).update(available_at=None)
        jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Failed 3 times" in job.error


def test_one_job_per_unique_key_at_a_time(cast):
    jobs.job_enqueue(task=COUNT, actor=cast.pm, title="Re-cluster", unique_key="themes")
    with pytest.raises(Conflict, match="Re-cluster is already queued or running"):
        jobs.job_enqueue(task=COUNT, actor=cast.pm, title="Re-cluster", unique_key="themes")
    Job.objects.filter(unique_key="themes").update(status=Job.Status.SUCCEEDED)
    jobs.job_enqueue(task=COUNT, actor=cast.pm, title="Re-cluster", unique_key="themes")  # free again


def test_a_cancel_that_arrives_after_the_task_finished_leaves_it_finished(cast):
    """Cancelled means the work stopped: a task that never saw the request ends as finished."""
    job = Job.objects.create(title="Count", task=COUNT, kwargs={"to": 1}, actor=cast.pm)
    original = jobs._end

    def cancel_then_end(job_row, **fields):
        Job.objects.filter(pk=job_row.pk).update(cancel_requested=True)  # the click lands here
        return original(job_row, **fields)

    with mock.patch.object(jobs, "_end", cancel_then_end):
        jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"counted": 1}


def test_cancel_never_redirects_off_site(cast, login):
    running = Job.objects.create(title="Plan", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING)
    client = login(cast.pm)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post(reverse("core:job_cancel", args=[running.pk]), {"next": target})
        assert response["Location"] == reverse("core:home"), target
    response = client.post(reverse("core:job_cancel", args=[running.pk]), {"next": "/roadmap/"})
    assert response["Location"] == "/roadmap/"
