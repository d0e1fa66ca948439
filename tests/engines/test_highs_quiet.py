"""HiGHS's banner stays out of `make demo`, the CLI and worker logs."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def test_making_solvers_prints_nothing_unless_asked():
    quiet = _run(
        "from northstar.engines.planner.highs import new_highs\nnew_highs(); new_highs(); print('only this')"
    )
    assert quiet == "only this\n"


def test_a_verbose_solver_still_talks():
    assert "HiGHS" in _run("from northstar.engines.planner.highs import new_highs\nnew_highs(verbose=True)")
