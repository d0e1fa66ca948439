"""Background jobs: one API, three ways to run them.

    job = job_enqueue(task="northstar.feedback.tasks.themes_recluster", kwargs={...}, actor=user,
                      title="Re-cluster feedback themes")

A task is a plain function `fn(*, job: JobContext, **kwargs) -> dict | None` that reports progress with
`job.progress(fraction, message)` and stops early when `job.cancelled` is true. Its kwargs are ids and
small values (JSON), never model instances: the job may run in another process.

Backends (`NORTHSTAR_JOBS`):
- `thread` (default): a small thread pool inside the web process; nothing to install or start.
- `redis`: job ids are pushed to a Redis list (`REDIS_URL`); `northstar worker` processes run them.
- `immediate`: run as soon as the enqueuing transaction commits, in the same thread (tests).
Whatever the backend, the job's state lives in the `Job` row, so progress and cancel work the same.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from northstar.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from northstar.core.models import Job, User

logger = logging.getLogger(__name__)

QUEUE_KEY = "northstar:jobs"
BACKENDS = ("thread", "redis", "immediate")


class JobContext:
    """What a running task sees of its job: report progress, notice a cancel request."""

    #: Seconds between database checks of the cancel flag, so a tight loop stays cheap.
    CANCEL_CHECK_EVERY = 0.5

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._checked_at = 0.0
        self._cancelled = False

    def progress(self, fraction: float, message: str = "") -> None:
        fraction = max(0.0, min(1.0, float(fraction)))
        Job.objects.filter(pk=self.job_id).update(progress=fraction, message=message[:300])

    @property
    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._checked_at >= self.CANCEL_CHECK_EVERY:
            self._checked_at = now
            flag = Job.objects.filter(pk=self.job_id).values_list("cancel_requested", flat=True).first()
            self._cancelled = bool(flag)
        return self._cancelled


def _resolve(task: str) -> Callable[..., Any]:
    if not task.startswith("northstar."):
        raise ValidationFailed(f"Unknown task {task!r}: tasks live in the northstar package.")
    try:
        return import_string(task)
    except ImportError:
        raise ValidationFailed(f"Unknown task {task!r}.") from None


def unexpected_error(exc: BaseException) -> str:
    """What a person reads when a job crashed: what happened, not the exception's class name."""
    return f"Northstar hit an unexpected error and stopped ({exc}). The server log has the details."


def _fail(job_id: int, error: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def job_run(job_id: int) -> None:
    """Run one queued job to its end, recording the outcome; safe to call from any backend."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already taken by another worker, cancelled, or gone
    job = Job.objects.get(pk=job_id)
    context = JobContext(job_id)
    try:
        result = _resolve(job.task)(job=context, **job.kwargs)
    except ApplicationError as exc:  # a refusal (a bad file, a rule): the person reads why; no traceback
        logger.info("Job %s (%s) refused: %s", job_id, job.task, exc.message)
        _fail(job_id, exc.message)
        return
    except Exception as exc:  # a task's failure is recorded on the job, never lost
        logger.exception("Job %s (%s) failed", job_id, job.task)
        _fail(job_id, unexpected_error(exc))
        return
    cancelled = Job.objects.filter(pk=job_id, cancel_requested=True).exists()
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.CANCELLED if cancelled else Job.Status.SUCCEEDED,
        progress=1.0 if not cancelled else job.progress,
        result=result if isinstance(result, dict) else None,
        finished_at=timezone.now(),
    )


# Backends ----------------------------------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _run_in_thread(job_id: int) -> None:
    try:
        job_run(job_id)
    finally:
        connection.close()


def _thread_submit(job_id: int) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.NORTHSTAR_JOB_THREADS, thread_name_prefix="job")
    _pool.submit(_run_in_thread, job_id)


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _dispatch(job_id: int) -> None:
    backend = settings.NORTHSTAR_JOBS
    if backend == "immediate":
        job_run(job_id)
    elif backend == "redis":
        redis_client().lpush(QUEUE_KEY, job_id)
    else:
        _thread_submit(job_id)


# Use cases ---------------------------------------------------------------------------------------


def job_enqueue(*, task: str, kwargs: dict[str, Any] | None = None, actor: User | None, title: str) -> Job:
    """Record a job and hand it to the backend once the surrounding transaction commits."""
    _resolve(task)
    job = Job.objects.create(title=title[:200], task=task, kwargs=kwargs or {}, actor=actor)
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _require_access(job: Job, user: User) -> None:
    if not user.is_authenticated or (job.actor_id != user.pk and not user.is_leading):
        raise PermissionDenied("Only the person who started this job, or a product leader, can see it.")


def job_get(*, job_id: int, user: User) -> Job:
    from northstar.core.services import get_or_404

    job = get_or_404(Job, job_id)
    _require_access(job, user)
    return job


def job_cancel(*, job: Job, actor: User) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next check."""
    _require_access(job, actor)
    if not job.is_active:
        return job
    Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    )
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return job


def jobs_interrupted_fail(*, statuses: tuple[str, ...] = (Job.Status.QUEUED, Job.Status.RUNNING)) -> int:
    """Close jobs a restart killed, so their panels stop polling and their work can be started again.

    Called when the web server starts with the in-process backend: no thread of the new process can
    be running them, so they would otherwise show "running" forever.
    """
    return Job.objects.filter(status__in=statuses).update(
        status=Job.Status.FAILED,
        error="Interrupted: Northstar restarted before this job finished. Start it again.",
        finished_at=timezone.now(),
    )


def worker_run(*, max_jobs: int | None = None, wait_seconds: int = 5) -> int:
    """Run jobs from Redis until stopped (or `max_jobs` ran); returns how many ran."""
    client = redis_client()
    ran = 0
    while max_jobs is None or ran < max_jobs:
        item = client.brpop(QUEUE_KEY, timeout=wait_seconds)
        if item is None:
            if max_jobs is not None:
                break
            continue
        close_old_connections()
        job_run(int(item[1]))
        ran += 1
    return ran
