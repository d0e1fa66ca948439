"""How many threads the numeric libraries may use inside an engine.

Numerical code here makes many small matrix products (k-means++ starts, silhouettes). With BLAS and
OpenMP starting a thread per core for each, on a server whose cores are already busy with web workers
and jobs the threads wait on each other far longer than they compute: re-clustering the demo's feedback
took 377 s that way where one thread took 58 s (same machine, same load, back to back).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

_P = ParamSpec("_P")
_R = TypeVar("_R")


@functools.cache
def _load_thread_pools() -> None:
    """A limit only reaches the thread pools already loaded: scikit-learn brings its OpenMP runtime
    in on first import, which the engines do lazily, so load it before limiting."""
    import sklearn.cluster  # noqa: F401


def single_threaded(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `function` with BLAS and OpenMP held to one thread for the length of the call."""

    @functools.wraps(function)
    def limited(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        _load_thread_pools()
        with threadpool_limits(limits=1):
            return function(*args, **kwargs)

    return limited
