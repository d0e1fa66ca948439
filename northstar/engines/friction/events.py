"""Product analytics over captured events: sessions, funnels, retention cohorts and UX friction.

Events arrive as columns (numpy arrays of equal length), not objects, because a month of a busy app is
millions of rows and every computation here is a sort plus a few vectorised passes:

* `user` - who acted, as dense integer codes 0..U-1 (an anonymous visitor id or an identified user),
  int32 like `page` and `target`, so ten million events fit in about 300 MB,
* `ts` - when, in seconds (any epoch; only differences and week boundaries matter),
* `kind` - PAGEVIEW, CLICK, ERROR, CUSTOM or VITAL,
* `page` - the page's code, `target` - the clicked element's code (-1 when not a click),
* `x`, `y` - where a click landed (page pixels), `dead` - the snippet saw no reaction to the click.

The caller (the analytics app) keeps the code books that turn codes back into paths and selectors.
Nothing here knows about Django or the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PAGEVIEW, CLICK, ERROR, CUSTOM, VITAL = 0, 1, 2, 3, 4
WEEK = 7 * 24 * 3600

#: Defaults from the issue: three clicks on one element within a second, close together, is a rage
#: click; an error within a second after a click is an error click; 30 idle minutes end a session.
RAGE_CLICKS = 3
RAGE_WINDOW = 1.0
RAGE_RADIUS = 30.0
ERROR_WINDOW = 1.0
SESSION_GAP = 30 * 60


@dataclass(frozen=True)
class Events:
    """Columnar events (see the module docstring). Build with `Events.of(...)` to get checked arrays."""

    user: np.ndarray
    ts: np.ndarray
    kind: np.ndarray
    page: np.ndarray
    target: np.ndarray
    x: np.ndarray
    y: np.ndarray
    dead: np.ndarray

    @classmethod
    def of(
        cls,
        *,
        user: Sequence[int] | np.ndarray,
        ts: Sequence[float] | np.ndarray,
        kind: Sequence[int] | np.ndarray,
        page: Sequence[int] | np.ndarray | None = None,
        target: Sequence[int] | np.ndarray | None = None,
        x: Sequence[float] | np.ndarray | None = None,
        y: Sequence[float] | np.ndarray | None = None,
        dead: Sequence[bool] | np.ndarray | None = None,
    ) -> Events:
        n = len(ts)
        columns: dict[str, np.ndarray] = {
            "user": np.asarray(user, dtype=np.int32),
            "ts": np.asarray(ts, dtype=np.float64),
            "kind": np.asarray(kind, dtype=np.int8),
            "page": np.zeros(n, np.int32) if page is None else np.asarray(page, dtype=np.int32),
            "target": np.full(n, -1, np.int32) if target is None else np.asarray(target, dtype=np.int32),
            "x": np.zeros(n, np.float32) if x is None else np.asarray(x, dtype=np.float32),
            "y": np.zeros(n, np.float32) if y is None else np.asarray(y, dtype=np.float32),
            "dead": np.zeros(n, bool) if dead is None else np.asarray(dead, dtype=bool),
        }
        for name, column in columns.items():
            if column.shape != (n,):
                raise ValueError(f"{name} has {column.shape} values where {n} were expected")
        return cls(**columns)

    def __len__(self) -> int:
        return int(self.ts.shape[0])


# Sessions ------------------------------------------------------------------------------------------


def _order(group: np.ndarray, ts: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Positions sorted by (group, time[, tiebreak]), remaining ties in input order (a stable sort).

    Callers fold several grouping keys into one integer `group` first: each key `lexsort` takes costs
    about as much as a whole sort on millions of rows.
    """
    keys = (ts, group) if tiebreak is None else (tiebreak, ts, group)
    return np.lexsort(keys)


def sessionise(user: np.ndarray, ts: np.ndarray, *, gap: float = SESSION_GAP) -> np.ndarray:
    """A session number per event (in the input's order): a user's events belong to one session until
    they are idle for more than `gap` seconds. Numbers are dense, 0..S-1, in (user, time) order."""
    n = len(ts)
    if n == 0:
        return np.zeros(0, np.int64)
    order = _order(user, ts)
    u, t = user[order], ts[order]
    starts = np.ones(n, bool)
    starts[1:] = (u[1:] != u[:-1]) | (t[1:] - t[:-1] > gap)
    sessions = np.empty(n, np.int64)
    sessions[order] = np.cumsum(starts) - 1
    return sessions
