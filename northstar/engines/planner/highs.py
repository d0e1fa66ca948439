"""The one way the planner makes a HiGHS solver: silent unless asked to talk.

HiGHS prints a copyright banner on the process's standard output the first time a solver is made in
a process, before any option can turn its output off; it landed in `make demo`, the CLI and worker
logs. The first solver is therefore made with standard output pointed at the null device for that
instant (once per process, under a lock); every solver starts with its output off unless `verbose`.
"""

from __future__ import annotations

import os
import sys
import threading

import highspy

_first = threading.Lock()
_banner_shown = False


def _make_silently() -> highspy.Highs:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(*, verbose: bool = False) -> highspy.Highs:
    """A fresh solver; with `verbose` its log (and, first in a process, the banner) goes to stdout."""
    global _banner_shown
    if _banner_shown:
        solver = highspy.Highs()
    else:
        with _first:
            solver = highspy.Highs() if (_banner_shown or verbose) else _make_silently()
            _banner_shown = True
    solver.setOptionValue("output_flag", bool(verbose))
    return solver
