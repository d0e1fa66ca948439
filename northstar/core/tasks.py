"""Core background tasks. `sample_count` exists so the job machinery can be exercised end to end."""

from __future__ import annotations

import time

from northstar.core.jobs import JobContext


def sample_count(*, job: JobContext, to: int = 3, pause: float = 0.0) -> dict[str, int]:
    """Count to `to`, reporting progress at each step and stopping early when cancelled.

    `pause` (seconds per step, at most 5) makes it long enough to kill its worker half-way in tests.
    """
    done = 0
    for step in range(1, to + 1):
        if job.cancelled:
            break
        time.sleep(min(max(pause, 0.0), 5.0))
        done = step
        job.progress(step / to, f"Step {step} of {to}")
    return {"counted": done}


def sample_fail(*, job: JobContext) -> None:
    """Fail on purpose, to show that a failure is recorded on the job."""
    raise RuntimeError("the planning data is inconsistent")
