"""Background jobs: the same progress, result, failure and cancel behaviour on every backend."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from northstar.core import jobs
from northstar.core.errors import PermissionDenied, ValidationFailed
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
@override_settings(NORTHSTAR_JOBS="thread")
def test_the_default_backend_runs_jobs_in_a_background_thread(cast):
    job = jobs.job_enqueue(task=COUNT, kwargs={"to": 3}, actor=cast.leader, title="Threaded")
    assert _wait_for(job).result == {"counted": 3}


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
        jobs.redis_client().delete(jobs.QUEUE_KEY)
        job = jobs.job_enqueue(task=COUNT, kwargs={"to": 2}, actor=cast.leader, title="Via Redis")
        job.refresh_from_db()
        assert job.status == Job.Status.QUEUED  # waits for a worker
        assert jobs.worker_run(max_jobs=1, wait_seconds=2) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"counted": 2}


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


def test_a_restart_closes_jobs_it_interrupted(cast):
    running = Job.objects.create(title="Plan", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING)
    queued = Job.objects.create(title="Queued", task=COUNT, actor=cast.pm)
    done = Job.objects.create(title="Done", task=COUNT, actor=cast.pm, status=Job.Status.SUCCEEDED)
    assert jobs.jobs_interrupted_fail() == 2
    for job in (running, queued):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and "restarted" in job.error
    done.refresh_from_db()
    assert done.status == Job.Status.SUCCEEDED


def test_cancel_never_redirects_off_site(cast, login):
    running = Job.objects.create(title="Plan", task=COUNT, actor=cast.pm, status=Job.Status.RUNNING)
    client = login(cast.pm)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post(reverse("core:job_cancel", args=[running.pk]), {"next": target})
        assert response["Location"] == reverse("core:home"), target
    response = client.post(reverse("core:job_cancel", args=[running.pk]), {"next": "/roadmap/"})
    assert response["Location"] == "/roadmap/"
