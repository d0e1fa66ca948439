"""How jobs reach a worker: Dramatiq, over the database (embedded) or Redis (scaled out).

Dramatiq runs the workers: their threads, time limits, graceful shutdown and, on Redis, delivery
with acknowledgement (a message stays in the worker's ack set until the job returns, and messages
held by a worker whose heartbeat stops are given to another). The `Job` row stays the one truth
about a job, whatever the broker:

- `DatabaseBroker` (`NORTHSTAR_JOBS=thread`, the default) queues jobs in the `Job` table itself, so
  it needs no server: worker threads inside the web process (or a `northstar worker`) claim a job by
  taking a short lease on its row.
- Redis (`NORTHSTAR_JOBS=redis`): Dramatiq's `RedisBroker`; `northstar worker` processes scale out.

Either way a running job holds a lease (`Job.lease_until`) that its worker renews every few seconds
(`JobLeases`). A worker that is killed stops renewing; once the lease runs out the job is queued again
and the next worker retries it, up to `MAX_ATTEMPTS` times, after which it is failed with a reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import dramatiq
from django.conf import settings
from django.core.signals import setting_changed
from django.db import close_old_connections, connection
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from dramatiq.broker import Broker, Consumer, MessageProxy
from dramatiq.message import Message
from dramatiq.middleware import Middleware, ShutdownNotifications, SkipMessage, TimeLimit

from northstar.core.models import Job

logger = logging.getLogger(__name__)

QUEUE = "northstar-jobs"
ACTOR = "northstar.job_execute"
#: Longest a job may run before Dramatiq stops it (the planner keeps to its scenario's own limit).
TIME_LIMIT_MS = 2 * 60 * 60 * 1000


def lease_seconds() -> float:
    """How long a worker's claim on a job lasts without renewal; renewed every third of it."""
    return float(getattr(settings, "NORTHSTAR_JOB_LEASE_SECONDS", 30))


def lease_deadline() -> Any:
    return timezone.now() + timedelta(seconds=lease_seconds())


# Leases ------------------------------------------------------------------------------------------


class JobLeases(Middleware):
    """Renews the leases of the jobs this process holds, and re-queues jobs whose worker died.

    One daemon thread per process, started with the Dramatiq worker. Re-queuing a dead worker's job
    is what makes a killed worker lose nothing, on either broker.
    """

    def __init__(self) -> None:
        self.held: set[int] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def hold(self, job_id: int) -> None:
        with self.lock:
            self.held.add(job_id)

    def release(self, job_id: int) -> None:
        with self.lock:
            self.held.discard(job_id)

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        self.hold(int(message.args[0]))

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self.release(int(message.args[0]))

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        self.release(int(message.args[0]))

    def after_worker_boot(self, broker: Broker, worker: Any) -> None:
        self.stopping.clear()
        self.thread = threading.Thread(target=self._run, name="job-leases", daemon=True)
        self.thread.start()

    def before_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        self.stopping.set()

    def _run(self) -> None:
        while not self.stopping.wait(lease_seconds() / 3):
            try:
                close_old_connections()
                self.renew()
                jobs_requeue_abandoned()
            except Exception:  # a database hiccup must not kill the lease thread
                logger.exception("Renewing job leases failed; trying again shortly")
            finally:
                connection.close()

    def renew(self) -> int:
        with self.lock:
            held = list(self.held)
        if not held:
            return 0
        return Job.objects.filter(pk__in=held, status__in=Job.ACTIVE).update(lease_until=lease_deadline())


def jobs_requeue_abandoned() -> list[int]:
    """Queue again every running job whose worker stopped renewing its lease; returns their ids.

    The job keeps its attempt count, so a job that kills its worker every time is failed after
    `MAX_ATTEMPTS` tries instead of looping forever.
    """
    now = timezone.now()
    ids = list(
        Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=now).values_list("pk", flat=True)[:100]
    )
    requeued = []
    for job_id in ids:
        if Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, lease_until__lt=now).update(
            status=Job.Status.QUEUED, lease_until=None, message="Its worker stopped: queued to try again"
        ):
            requeued.append(job_id)
    if requeued:
        logger.warning("Re-queued %d job(s) whose worker stopped: %s", len(requeued), requeued)
        if not isinstance(broker(), DatabaseBroker):
            for job_id in requeued:
                send(job_id)
    return requeued


# The database broker -----------------------------------------------------------------------------


def _available() -> Q:
    now = timezone.now()
    return (
        Q(status=Job.Status.QUEUED)
        & (Q(available_at__isnull=True) | Q(available_at__lte=now))
        & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )


class DatabaseConsumer(Consumer):
    """Claims queued jobs from the `Job` table: a lease on the row is the claim, the job's end its ack."""

    def __init__(self, broker: DatabaseBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self.prefetch = max(1, prefetch)
        self.timeout = timeout / 1000
        self.claimed: set[int] = set()

    def __next__(self) -> MessageProxy | None:
        deadline = time.monotonic() + self.timeout
        while True:
            if len(self.claimed) < self.prefetch:
                job_id = self._claim()
                if job_id is not None:
                    self.claimed.add(job_id)
                    self.broker.leases.hold(job_id)
                    return MessageProxy(job_message(job_id))
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.broker.poll_seconds)

    def _claim(self) -> int | None:
        try:
            close_old_connections()
            for job_id in (
                Job.objects.filter(_available()).order_by("created_at", "id").values_list("pk", flat=True)[:5]
            ):
                if Job.objects.filter(_available(), pk=job_id).update(lease_until=lease_deadline()):
                    return job_id
        finally:
            connection.close()
        return None

    def _done(self, message: MessageProxy) -> None:
        job_id = int(message.args[0])
        self.claimed.discard(job_id)
        self.broker.leases.release(job_id)

    def ack(self, message: MessageProxy) -> None:
        self._done(message)

    def nack(self, message: MessageProxy) -> None:
        self._done(message)
        Job.objects.filter(pk=message.args[0], status__in=Job.ACTIVE).update(
            status=Job.Status.FAILED, error="The worker gave up on this job.", finished_at=timezone.now()
        )

    def requeue(self, messages: Iterable[MessageProxy]) -> None:
        """On shutdown, give back jobs claimed but not started, so another worker takes them at once."""
        ids = [int(m.args[0]) for m in messages]
        for job_id in ids:
            self.claimed.discard(job_id)
            self.broker.leases.release(job_id)
        Job.objects.filter(pk__in=ids, status=Job.Status.QUEUED).update(lease_until=None)


class DatabaseBroker(Broker):
    """A Dramatiq broker whose queue is the `Job` table: nothing to install, survives restarts."""

    def __init__(self, *, middleware: list[Middleware] | None = None, poll_seconds: float = 0.5) -> None:
        super().__init__(middleware=middleware)
        self.queues: set[str] = set()
        self.poll_seconds = poll_seconds
        self.leases: JobLeases = next(m for m in self.middleware if isinstance(m, JobLeases))

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 30000) -> Consumer:
        return DatabaseConsumer(self, queue_name, prefetch, timeout)

    def declare_queue(self, queue_name: str) -> None:
        if queue_name not in self.queues:
            self.emit_before("declare_queue", queue_name)
            self.queues.add(queue_name)
            self.emit_after("declare_queue", queue_name)

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        """The row is the message: make the job claimable (after `delay` milliseconds)."""
        self.emit_before("enqueue", message, delay)
        available = timezone.now() + timedelta(milliseconds=delay) if delay else None
        Job.objects.filter(pk=message.args[0], status=Job.Status.QUEUED).update(available_at=available)
        self.emit_after("enqueue", message, delay)
        return message

    def get_declared_queues(self) -> set[str]:
        return set(self.queues)

    def get_declared_delay_queues(self) -> set[str]:
        return set()

    def flush(self, queue_name: str) -> None:
        """Nothing to drop: queued jobs are records people can see and cancel."""

    def flush_all(self) -> None:
        """Nothing to drop: queued jobs are records people can see and cancel."""


# Wiring ------------------------------------------------------------------------------------------

_broker: Broker | None = None
_broker_lock = threading.Lock()


def _middleware() -> list[Middleware]:
    # No Dramatiq Retries: a retry is counted in the Job row (`attempts`), so a crashed worker and a
    # passing database error use the same budget and the same record.
    return [TimeLimit(time_limit=TIME_LIMIT_MS), ShutdownNotifications(), JobLeases()]


def broker() -> Broker:
    """The process's broker for the configured backend, with the one job actor declared on it."""
    global _broker
    with _broker_lock:
        if _broker is None:
            _broker = _build()
        return _broker


def _build() -> Broker:
    if settings.NORTHSTAR_JOBS == "redis":
        from dramatiq.brokers.redis import RedisBroker

        built: Broker = RedisBroker(
            url=settings.REDIS_URL,
            middleware=_middleware(),
            namespace="northstar",
            heartbeat_timeout=int(lease_seconds() * 1000),
            maintenance_chance=10_000,  # re-deliver a dead worker's messages within a few minutes
        )
    else:
        built = DatabaseBroker(middleware=_middleware())
    from northstar.core.jobs import job_run

    dramatiq.Actor(
        _execute(job_run),
        broker=built,
        actor_name=ACTOR,
        queue_name=QUEUE,
        priority=0,
        options={"max_retries": 0},
    )
    return built


def _execute(job_run: Any) -> Any:
    def job_execute(job_id: int) -> None:
        close_old_connections()
        try:
            if not job_run(job_id):
                # A second delivery (Redis re-delivers a dead worker's messages; a re-queued job is
                # sent again): skipped, so it counts as no job run (`northstar worker --max-jobs`).
                raise SkipMessage(f"job {job_id} is not queued: another delivery took it")
        finally:
            connection.close()

    return job_execute


def broker_reset() -> None:
    """Forget the broker, so the next use builds it for the backend configured now."""
    global _broker
    with _broker_lock:
        if _broker is not None:
            _broker.close()
        _broker = None


@receiver(setting_changed)
def _backend_changed(*, setting: str, **_: Any) -> None:
    """Tests switch backends with override_settings: stop this process's workers and rebuild."""
    if setting in {"NORTHSTAR_JOBS", "REDIS_URL"}:
        from northstar.core.jobs import embedded_worker_stop

        embedded_worker_stop()
        broker_reset()


def leases() -> JobLeases:
    """This process's lease keeper (what its workers hold right now)."""
    return next(m for m in broker().middleware if isinstance(m, JobLeases))


def job_message(job_id: int) -> Message:
    return Message(queue_name=QUEUE, actor_name=ACTOR, args=(job_id,), kwargs={}, options={})


def send(job_id: int, *, delay_ms: int | None = None) -> None:
    """Hand a job to the broker (Redis: push a message; database: the row is already queued)."""
    broker().enqueue(job_message(job_id), delay=delay_ms)


def worker_start(*, threads: int) -> dramatiq.Worker:
    """Start Dramatiq worker threads in this process; they run until `worker.stop()`."""
    worker = dramatiq.Worker(broker(), worker_threads=threads, worker_timeout=1000)
    worker.start()
    return worker
