"""Background jobs of the roadmap area."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext


def plan_run(*, job: JobContext, run_id: int) -> dict[str, Any]:
    """Optimise one scenario (see `plans.plan_run_execute`); the job shows its progress."""
    from northstar.planning.plans import plan_run_execute

    return plan_run_execute(run_id=run_id, job=job)
