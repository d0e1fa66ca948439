"""Optimiser runs under concurrency: one run per scenario at a time, and cancel and finish never both win."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from northstar.core import jobs
from northstar.core.errors import Conflict
from northstar.core.models import Job
from northstar.planning import plans
from northstar.planning.models import PlanRun
from tests.planning.factories import make_world


@pytest.mark.django_db(transaction=True)
def test_ten_people_pressing_optimise_at_once_start_one_run(cast):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database locks whole tables across threads; the embedded "
            "default (a WAL file, IMMEDIATE transactions) lets one writer in at a time, and the "
            "constraint itself is checked on SQLite below"
        )
    world = make_world(cast)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def press() -> None:
        try:
            barrier.wait(timeout=20)
            plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
            outcome = "started"
        except Conflict:
            outcome = "refused"
        except Exception as exc:  # anything else is a failure the assertion below shows
            outcome = f"{exc.__class__.__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=press) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * 9 + ["started"]
    assert PlanRun.objects.filter(scenario=world.scenario).count() == 1
    assert Job.objects.count() == 1


def test_the_database_refuses_a_second_active_run_of_a_scenario(cast):
    world = make_world(cast)
    plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    with pytest.raises(Conflict, match="already being worked out"):
        plans.plan_run_start(actor=cast.leader, scenario=world.scenario)


def test_the_constraint_holds_even_without_the_check_in_front(cast):
    world = make_world(cast)
    PlanRun.objects.create(scenario=world.scenario, status=PlanRun.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanRun.objects.create(scenario=world.scenario, status=PlanRun.Status.QUEUED)
    PlanRun.objects.create(scenario=world.scenario, status=PlanRun.Status.DONE)  # finished ones are free


def test_a_run_whose_job_died_does_not_block_the_next_start(cast):
    world = make_world(cast)
    run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.FAILED, error="Stopped: the worker died")
    again = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.FAILED and "worker died" in run.error
    assert again.status == PlanRun.Status.QUEUED


def _solve_then(action):
    real = plans.solve

    def solve(problem, options):
        plan = real(problem, options)
        action()  # lands after the engine's last look at the cancel flag
        return plan

    return solve


@pytest.mark.parametrize("cancel_lands", ["before the plan is stored", "after the plan is stored"])
def test_cancel_and_finish_have_one_outcome(cast, monkeypatch, cancel_lands):
    world = make_world(cast)
    run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    monkeypatch.setattr(jobs.JobContext, "CANCEL_CHECK_EVERY", 3600)  # the task's last look said "go on"

    def cancel() -> None:
        jobs.job_cancel(job=Job.objects.get(pk=run.job_id), actor=cast.leader)

    if cancel_lands == "before the plan is stored":
        monkeypatch.setattr(plans, "solve", _solve_then(cancel))
    else:
        from northstar.planning import tasks

        real_task = tasks.plan_run

        def task_then_cancel(**kwargs):
            outcome = real_task(**kwargs)
            cancel()  # the plan and its job are already committed as finished
            return outcome

        monkeypatch.setattr(tasks, "plan_run", task_then_cancel)
    jobs.job_run(run.job_id)
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    if cancel_lands == "before the plan is stored":
        assert job.status == Job.Status.CANCELLED
        assert run.status == PlanRun.Status.CANCELLED and not run.assignments.exists()
    else:
        assert job.status == Job.Status.SUCCEEDED and job.result["status"] == "done"
        assert run.status == PlanRun.Status.DONE and run.assignments.exists()
