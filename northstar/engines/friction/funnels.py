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
    masks = [np.asarray(mask, dtype=bool) for mask in steps]
    # Only events matching some step matter. Each step's match as one bit of a small code, so the
    # big masks are read once, in index order.
    sub = np.flatnonzero(np.logical_or.reduce(masks))
    code = np.zeros(sub.size, np.uint16)
    for k, mask in enumerate(masks):
        code |= mask[sub].astype(np.uint16) << k
    t = ts[sub]
    u = np.asarray(user[sub])
    if u.dtype != np.int32 and (u.size == 0 or int(u.max()) < 2**31):
        u = u.astype(np.int32)  # person codes sort faster as 32-bit integers
    # One arrangement for every step: by person, and by time within a person (input order on ties),
    # so a person's events are contiguous and the first qualifying event of each person is where the
    # person changes, with no sort per step. Comparing positions within a person is comparing times.
    if t.size < 2 or bool(np.all(t[1:] >= t[:-1])):  # events read in time order need no time sort
        order = np.argsort(u, kind="stable")
    else:
        by_time = np.argsort(t)  # quicksort; a stable sort only when some times tie (input order then)
        t_sorted = t[by_time]
        if np.any(t_sorted[1:] == t_sorted[:-1]):
            by_time = np.argsort(t, kind="stable")
        order = by_time[np.argsort(u[by_time], kind="stable")]
    u, t, code = u[order], t[order], code[order]
    size = int(u.max()) + 1 if u.size else 0
    seg_sorted = segment[sub][order] if segment is not None else None
    entry_segment = np.full(size, -1, np.int64)
    start = np.full(size, np.inf)
    at = np.full(size, -1, np.int64)  # position of the event that reached the last step
    reached: list[int] = []
    members: list[np.ndarray] = []
    for k in range(len(masks)):
        candidates = np.flatnonzero(code & (1 << k))
        cu = u[candidates]
        if k:
            keep = (at[cu] >= 0) & (candidates > at[cu]) & (t[candidates] <= start[cu] + window)
            candidates, cu = candidates[keep], cu[keep]
        first = np.ones(cu.size, bool)
        first[1:] = cu[1:] != cu[:-1]  # each person's earliest qualifying event
        hit, who = candidates[first], cu[first]
        if k == 0:
            start[who] = t[hit]
            if seg_sorted is not None:
                entry_segment[who] = seg_sorted[hit]
        at = np.full(size, -1, np.int64)
        at[who] = hit
        reached.append(int(who.size))
        members.append(who)
    breakdown: dict[int, tuple[int, ...]] = {}
    if segment is not None:
        codes = np.unique(entry_segment[members[0]])
        per_step = [
            np.bincount(np.searchsorted(codes, entry_segment[w]), minlength=codes.size) for w in members
        ]
        for i, segment_code in enumerate(codes.tolist()):
            breakdown[int(segment_code)] = tuple(int(counts[i]) for counts in per_step)
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
