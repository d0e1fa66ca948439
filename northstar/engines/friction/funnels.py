"""Funnels and weekly retention cohorts over columnar events (see `events`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .events import WEEK

# Funnels -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelResult:
    """How many users reached each step, in order, within the window after entering step one.

    `breakdown` maps a segment code (the segment of the event that entered the funnel) to its own
    counts per step, when a segment column was given.
    """

    reached: tuple[int, ...]
    breakdown: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def conversion(self) -> tuple[float, ...]:
        """Share of the users who entered that reached each step (1.0 for step one; 0 when nobody entered)."""
        first = self.reached[0] if self.reached else 0
        return tuple(r / first if first else 0.0 for r in self.reached)

    @property
    def step_conversion(self) -> tuple[float, ...]:
        """Share of the previous step's users that reached each step (1.0 for step one)."""
        out = []
        for i, r in enumerate(self.reached):
            before = self.reached[i - 1] if i else r
            out.append(r / before if before else 0.0)
        return tuple(out)

    @property
    def dropped(self) -> tuple[int, ...]:
        """Users lost between the previous step and each step (0 for step one)."""
        return tuple(0 if i == 0 else self.reached[i - 1] - r for i, r in enumerate(self.reached))

    def steepest_drop(self) -> int | None:
        """The step (index) with the lowest step conversion after step one, or None with one step."""
        if len(self.reached) < 2 or not self.reached[0]:
            return None
        rates = self.step_conversion[1:]
        return 1 + int(np.argmin(rates))


def funnel(
    user: np.ndarray,
    ts: np.ndarray,
    steps: Sequence[np.ndarray],
    *,
    window: float,
    segment: np.ndarray | None = None,
) -> FunnelResult:
    """Ordered funnel: a user enters at their first event matching step one; each later step counts
    when a matching event comes after the event that reached the step before (strictly later in time
    order, so one event never satisfies two steps) and no later than `window` seconds after entering.

    `steps` are boolean masks over the events, one per step.
    """
    if not steps:
        return FunnelResult(reached=())
    # Only events matching some step matter: order those by time (input order on ties).
    masks = [np.asarray(mask, dtype=bool) for mask in steps]
    order = np.flatnonzero(np.logical_or.reduce(masks))
    times = ts[order]
    by_time = np.argsort(times)  # quicksort; a stable sort only when some times tie (input order then)
    if np.any(times[by_time][1:] == times[by_time][:-1]):
        by_time = np.argsort(times, kind="stable")
    order = order[by_time]
    n = order.size
    u = user[order]
    t = ts[order]
    size = int(user.max()) + 1 if len(user) else 0
    position = np.arange(n)
    reached: list[int] = []
    seg_sorted = segment[order] if segment is not None else None
    entry_segment = np.full(size, -1, np.int64)
    start = np.full(size, np.inf)
    at = np.full(size, -1, np.int64)  # sorted position of the event that reached the last step
    members: list[np.ndarray] = []
    for k, mask in enumerate(masks):
        m = mask[order]
        if k == 0:
            candidates = np.flatnonzero(m)
        else:
            candidates = np.flatnonzero(m)
            cu = u[candidates]
            keep = (at[cu] >= 0) & (position[candidates] > at[cu]) & (t[candidates] <= start[cu] + window)
            candidates = candidates[keep]
        who, first = np.unique(u[candidates], return_index=True)
        hit = candidates[first]
        new_at = np.full(size, -1, np.int64)
        new_at[who] = hit
        if k == 0:
            start[who] = t[hit]
            if seg_sorted is not None:
                entry_segment[who] = seg_sorted[hit]
        at = new_at
        reached.append(int(who.size))
        members.append(who)
    breakdown: dict[int, tuple[int, ...]] = {}
    if segment is not None:
        codes = np.unique(entry_segment[members[0]])
        per_step = [
            np.bincount(np.searchsorted(codes, entry_segment[w]), minlength=codes.size) for w in members
        ]
        for i, code in enumerate(codes.tolist()):
            breakdown[int(code)] = tuple(int(counts[i]) for counts in per_step)
    return FunnelResult(reached=tuple(reached), breakdown=breakdown)


# Retention -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """Users first seen in week `week` (0 = the week starting at the origin) and the share of them
    active in each week since (index 0 is the first week, always 1.0)."""

    week: int
    size: int
    active: tuple[float, ...]


def retention(user: np.ndarray, ts: np.ndarray, *, origin: float, weeks: int) -> tuple[Cohort, ...]:
    """Weekly retention cohorts over `weeks` weeks from `origin`; events outside are ignored."""
    week = np.floor((ts - origin) / WEEK).astype(np.int64)
    keep = (week >= 0) & (week < weeks)
    u, w = user[keep].astype(np.int64), week[keep]
    if u.size == 0:
        return ()
    size = int(u.max()) + 1
    first = np.full(size, weeks, np.int64)
    np.minimum.at(first, u, w)
    pairs = np.unique(u * weeks + w)
    pu, pw = pairs // weeks, pairs % weeks
    offset = pw - first[pu]
    grid = np.zeros((weeks, weeks), np.int64)
    np.add.at(grid, (first[pu], offset), 1)
    cohorts = []
    for c in range(weeks):
        n = int(grid[c, 0])
        if n:
            cohorts.append(Cohort(week=c, size=n, active=tuple(float(v) / n for v in grid[c, : weeks - c])))
    return tuple(cohorts)
