"""Background jobs: one API, run by Dramatiq workers over the database or Redis.

    job = job_enqueue(task="northstar.feedback.tasks.themes_recluster", kwargs={...}, actor=user,
                      title="Re-cluster feedback themes")

A task is a plain function `fn(*, job: JobContext, **kwargs) -> dict | None` that reports progress with
`job.progress(fraction, message)` and stops early when `job.cancelled` is true. Its kwargs are ids and
small values (JSON), never model instances: the job may run in another process.

Backends (`NORTHSTAR_JOBS`, see `northstar.core.job_broker` for how delivery works):
- `thread` (default): jobs are queued in the database and run by worker threads inside the web
  process; nothing to install or start. A `northstar worker` may run beside it to add capacity.
- `redis`: jobs are delivered through Redis (`REDIS_URL`) to `northstar worker` processes, which
  acknowledge a job only when it has finished; run as many as you need.
- `immediate`: run as soon as the enqueuing transaction commits, in the same thread (tests).

Whatever the backend, the job's state lives in the `Job` row, so progress, result and cancel work the
same, and the row decides every race: a job is claimed, finished, cancelled or retried by a
conditional update of that row, never by reading it first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from northstar.core import job_broker
from northstar.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import Job, User

logger = logging.getLogger(__name__)

BACKENDS = ("thread", "redis", "immediate")
#: Starts of one job (first run, retries after a worker died or the database failed) before it fails.
MAX_ATTEMPTS = 3
#: Errors worth another try: the database went away, a lock timed out, a deadlock was broken.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class JobContext:
    """What a running task sees of its job: report progress, notice a cancel request."""

    #: Seconds between database checks of the cancel flag, so a tight loop stays cheap.
    CANCEL_CHECK_EVERY = 0.5

    def __init__(self, job_id: int, attempt: int | None = None) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self._checked_at = 0.0
        self._cancelled = False
        self.committed = False

    def _mine(self) -> Any:
        rows = Job.objects.filter(pk=self.job_id)
        return rows if self.attempt is None else rows.filter(attempts=self.attempt)

    def progress(self, fraction: float, message: str = "") -> None:
        fraction = max(0.0, min(1.0, float(fraction)))
        self._mine().update(progress=fraction, message=message[:300])

    @property
    def cancelled(self) -> bool:
        """True once someone asked this job to stop; the task should then return soon.

        A task that never sees it (because it finished first) ends as finished, not cancelled, so a
        job is only shown as cancelled when its work really stopped.
        """
        now = time.monotonic()
        if not self._cancelled and now - self._checked_at >= self.CANCEL_CHECK_EVERY:
            self._checked_at = now
            flag = Job.objects.filter(pk=self.job_id).values_list("cancel_requested", flat=True).first()
            self._cancelled = bool(flag)
        return self._cancelled

    @property
    def saw_cancel(self) -> bool:
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


def _claim(job_id: int) -> Job | None:
    """Take a queued job for this worker (one conditional update: two workers cannot both win)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=Coalesce(F("started_at"), now),
        attempts=F("attempts") + 1,
        lease_until=job_broker.lease_deadline(),
        available_at=None,
    )
    if not claimed:
        return None  # taken by another worker, cancelled, finished or gone
    return Job.objects.get(pk=job_id)


def _end(job: Job, **fields: Any) -> int:
    """Record a job's end, unless another attempt took it over after this one's lease ran out."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
        finished_at=timezone.now(), lease_until=None, **fields
    )


def job_run(job_id: int) -> bool:
    """Run one queued job to its end, recording the outcome; safe to call from any backend.

    Returns whether this call took the job: a broker may deliver a message twice (Redis re-delivers
    a dead worker's messages; a re-queued job is sent again), and only one delivery runs it.
    """
    job = _claim(job_id)
    if job is None:
        return False
    _attempt(job)
    return True


def _attempt(job: Job) -> None:
    if job.attempts > MAX_ATTEMPTS:
        _end(
            job,
            status=Job.Status.FAILED,
            error=f"Stopped: the worker running it stopped or failed {MAX_ATTEMPTS} times. Start it again.",
        )
        return
    job_id = job.pk
    context = JobContext(job_id, attempt=job.attempts)
    try:
        result = _resolve(job.task)(job=context, **job.kwargs)
    except TRANSIENT_ERRORS as exc:
        _retry_later(job, exc)
        return
    except ApplicationError as exc:  # a refusal (a bad file, a rule): the person reads why; no traceback
        logger.info("Job %s (%s) refused: %s", job_id, job.task, exc.message)
        _end(job, status=Job.Status.FAILED, error=exc.message[:5000])
        return
    except Exception as exc:  # a task's failure is recorded on the job, never lost
        logger.exception("Job %s (%s) failed", job_id, job.task)
        _end(job, status=Job.Status.FAILED, error=unexpected_error(exc)[:5000])
        return
    stored = result if isinstance(result, dict) else None
    if context.committed:  # the task already marked the job finished with its own final write
        Job.objects.filter(pk=job.pk, status=Job.Status.SUCCEEDED, attempts=job.attempts).update(
            result=stored, finished_at=timezone.now()
        )
    elif context.saw_cancel:
        _end(job, status=Job.Status.CANCELLED, result=stored)
    else:
        _end(job, status=Job.Status.SUCCEEDED, progress=1.0, result=stored)


def _retry_later(job: Job, exc: BaseException) -> None:
    """A passing database error: queue the job again with a growing pause, or fail it when out of tries."""
    error = f"{exc.__class__.__name__}: {exc}"[:5000]
    if job.attempts >= MAX_ATTEMPTS:
        logger.error("Job %s failed %d times; giving up: %s", job.pk, job.attempts, error)
        _end(job, status=Job.Status.FAILED, error=f"Failed {job.attempts} times; last error: {error}")
        return
    delay = 2**job.attempts
    logger.warning("Job %s hit %s; trying again in %ss", job.pk, error, delay)
    requeued = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
        status=Job.Status.QUEUED,
        lease_until=None,
        available_at=timezone.now() + timedelta(seconds=delay),
        message=f"Trying again after: {error[:200]}",
    )
    if requeued and settings.NORTHSTAR_JOBS == "redis":
        job_broker.send(job.pk, delay_ms=delay * 1000)


# Dispatch ----------------------------------------------------------------------------------------

_embedded: Any = None
_embedded_lock = threading.Lock()


def embedded_worker_start() -> None:
    """Start this process's job threads (the default backend), once; the web server calls it."""
    global _embedded
    if settings.NORTHSTAR_JOBS != "thread":
        return
    with _embedded_lock:
        if _embedded is None:
            _embedded = job_broker.worker_start(threads=settings.NORTHSTAR_JOB_THREADS)


def embedded_worker_stop() -> None:
    """Stop this process's job threads, letting running jobs finish (tests, shutdown)."""
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.stop(timeout=30_000)
            _embedded = None


def _dispatch(job_id: int) -> None:
    backend = settings.NORTHSTAR_JOBS
    if backend == "immediate":
        job_run(job_id)
    elif backend == "redis":
        job_broker.send(job_id)
    # thread: the row is the message; the web process's job threads (or a worker) claim it.


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


# Use cases ---------------------------------------------------------------------------------------


def job_enqueue(
    *,
    task: str,
    kwargs: dict[str, Any] | None = None,
    actor: User | None,
    title: str,
    unique_key: str = "",
) -> Job:
    """Record a job and hand it to the backend once the surrounding transaction commits.

    With `unique_key`, the database refuses a second queued or running job with the same key
    (a `Conflict`), so work that must not overlap (one re-clustering at a time) never does.
    """
    _resolve(task)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                title=title[:200], task=task, kwargs=kwargs or {}, actor=actor, unique_key=unique_key[:100]
            )
    except IntegrityError:
        running = Job.objects.filter(unique_key=unique_key, status__in=Job.ACTIVE).first()
        raise Conflict(
            f"{running.title if running else title} is already queued or running: wait for it or cancel it."
        ) from None
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
    """Cancel a queued job at once; ask a running one to stop at its next check.

    Both are conditional updates, so a cancel racing a worker's claim or a job's end has one outcome:
    a job that finished first stays finished, and one the cancel caught never stores its result.
    """
    _require_access(job, actor)
    Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now(), lease_until=None
    )
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return job


def job_commit_unless_cancelled(job: JobContext | None) -> bool:
    """Inside the task's final write transaction: lock the job row and say whether to store.

    A task that stores its outcome under this check cannot store it as done after a cancel got in:
    `job_cancel` either came first (we return False and the task stores "cancelled"), or waits for
    this transaction and then finds the job no longer running.
    """
    if job is None:
        return True
    row = (
        Job.objects.select_for_update()
        .filter(pk=job.job_id)
        .values("cancel_requested", "status", "attempts")
        .first()
    )
    if row is None or row["cancel_requested"] or row["status"] != Job.Status.RUNNING:
        job._cancelled = True
        return False
    if job.attempt is not None and row["attempts"] != job.attempt:
        job._cancelled = True  # a retry took this job over: let it store instead
        return False
    Job.objects.filter(pk=job.job_id).update(status=Job.Status.SUCCEEDED, progress=1.0, lease_until=None)
    job.committed = True
    return True


def worker_run(*, max_jobs: int | None = None, wait_seconds: int = 5, threads: int = 2) -> int:
    """Run jobs from the configured broker in this process until stopped (or `max_jobs` ran).

    Returns how many jobs this worker finished. With `max_jobs` it returns once that many ran, or when
    nothing arrived for `wait_seconds`.
    """
    done = {"n": 0}
    lock = threading.Lock()
    finished = threading.Event()

    from dramatiq.middleware import Middleware

    class Count(Middleware):
        def after_process_message(self, broker: Any, message: Any, **_: Any) -> None:
            with lock:
                done["n"] += 1
                if max_jobs is not None and done["n"] >= max_jobs:
                    finished.set()

    counter = Count()
    broker = job_broker.broker()
    broker.add_middleware(counter)
    leases = job_broker.leases()
    worker = job_broker.worker_start(threads=threads)
    try:
        idle_since = time.monotonic()
        while not finished.wait(0.2):
            if max_jobs is None:
                continue
            if leases.held:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > wait_seconds:
                break
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop(timeout=30_000)
        broker.middleware.remove(counter)
    return done["n"]
