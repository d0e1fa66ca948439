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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

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


# Friction ------------------------------------------------------------------------------------------


class Signal(StrEnum):
    RAGE_CLICK = "rage_click"
    DEAD_CLICK = "dead_click"
    ERROR_CLICK = "error_click"
    ERROR = "error"


@dataclass(frozen=True)
class Occurrence:
    """One friction moment: which kind, whose session, where, when (the first click of a burst)."""

    signal: Signal
    index: int  # the event (in the input's order) that starts it
    user: int
    session: int
    page: int
    target: int
    ts: float
    clicks: int = 1


def _clicks_by_element(events: Events, sessions: np.ndarray) -> np.ndarray:
    """Positions of clicks, sorted by (session, element, time)."""
    clicks = np.flatnonzero(events.kind == CLICK)
    targets = events.target[clicks].astype(np.int64)
    pair = sessions[clicks].astype(np.int64) * (int(targets.max(initial=0)) + 2) + targets + 1
    return clicks[_order(pair, events.ts[clicks])]


def rage_clicks(
    events: Events,
    sessions: np.ndarray,
    *,
    clicks: int = RAGE_CLICKS,
    window: float = RAGE_WINDOW,
    radius: float = RAGE_RADIUS,
) -> list[Occurrence]:
    """Bursts of `clicks` or more clicks on one element within `window` seconds, each within `radius`
    pixels of the burst's first click. A longer burst is one occurrence with its click count."""
    idx = _clicks_by_element(events, sessions)
    n = idx.size
    span = clicks - 1
    if n < clicks:
        return []
    s, g, t = sessions[idx], events.target[idx], events.ts[idx]
    x, y = events.x[idx].astype(np.float64), events.y[idx].astype(np.float64)
    same = (s[span:] == s[:-span]) & (g[span:] == g[:-span]) & (g[span:] >= 0)
    fast = t[span:] - t[:-span] <= window
    close = np.ones(n - span, bool)
    for j in range(1, span + 1):
        end = n - span + j
        close &= np.hypot(x[j:end] - x[: n - span], y[j:end] - y[: n - span]) <= radius
    window_starts = np.flatnonzero(same & fast & close)
    in_burst = np.zeros(n, bool)
    for j in range(span + 1):
        in_burst[window_starts + j] = True
    # Bursts are runs of flagged clicks on one element in one session with no gap over the window.
    begins = in_burst.copy()
    begins[1:] &= ~(in_burst[:-1] & (s[1:] == s[:-1]) & (g[1:] == g[:-1]) & (t[1:] - t[:-1] <= window))
    flagged = np.flatnonzero(in_burst)
    starts = np.flatnonzero(begins)
    run_id = np.cumsum(begins)[flagged] - 1
    sizes = np.bincount(run_id, minlength=starts.size)
    out = []
    for start, size in zip(starts.tolist(), sizes.tolist(), strict=True):
        i = int(idx[start])
        out.append(_occurrence(Signal.RAGE_CLICK, events, sessions, i, clicks=int(size)))
    return out


def dead_clicks(events: Events, sessions: np.ndarray) -> list[Occurrence]:
    """Clicks the snippet saw nothing follow (no DOM change, navigation or request within a second)."""
    found = np.flatnonzero((events.kind == CLICK) & events.dead)
    return [_occurrence(Signal.DEAD_CLICK, events, sessions, int(i)) for i in found]


def error_clicks(events: Events, sessions: np.ndarray, *, window: float = ERROR_WINDOW) -> list[Occurrence]:
    """Clicks followed by a JavaScript error in the same session within `window` seconds."""
    relevant = np.flatnonzero((events.kind == CLICK) | (events.kind == ERROR))
    order = relevant[_order(sessions[relevant], events.ts[relevant], events.kind[relevant])]
    is_error = events.kind[order] == ERROR
    error_pos = np.flatnonzero(is_error)
    click_pos = np.flatnonzero(~is_error)
    if error_pos.size == 0 or click_pos.size == 0:
        return []
    nxt = np.searchsorted(error_pos, click_pos, side="right")
    ok = nxt < error_pos.size
    click_pos, nxt = click_pos[ok], nxt[ok]
    c, e = order[click_pos], order[error_pos[nxt]]
    hit = (sessions[c] == sessions[e]) & (events.ts[e] - events.ts[c] <= window)
    return [_occurrence(Signal.ERROR_CLICK, events, sessions, int(i)) for i in c[hit]]


def errors(events: Events, sessions: np.ndarray) -> list[Occurrence]:
    """Every JavaScript error, grouped later by page and (as `target`) error message code."""
    found = np.flatnonzero(events.kind == ERROR)
    return [_occurrence(Signal.ERROR, events, sessions, int(i)) for i in found]


def _occurrence(
    signal: Signal, events: Events, sessions: np.ndarray, i: int, *, clicks: int = 1
) -> Occurrence:
    return Occurrence(
        signal=signal,
        index=i,
        user=int(events.user[i]),
        session=int(sessions[i]),
        page=int(events.page[i]),
        target=int(events.target[i]),
        ts=float(events.ts[i]),
        clicks=clicks,
    )


#: Core Web Vitals in the order of their codes, with the "good" limits web.dev sets (ms, ms, unitless):
#: a page is slow when the 75th percentile of its measurements is over the limit.
VITALS = ("LCP", "INP", "CLS")
VITAL_LIMITS = (2500.0, 200.0, 0.1)


@dataclass(frozen=True)
class SlowPage:
    """A page whose 75th-percentile vital is over its limit, and the users who had a poor value there."""

    page: int
    vital: str
    p75: float
    limit: float
    samples: int
    users: int


def slow_pages(
    page: np.ndarray, user: np.ndarray, vital: np.ndarray, value: np.ndarray, *, min_samples: int = 5
) -> list[SlowPage]:
    """Slow pages from vital measurements: `vital` is each event's vital code (an index into VITALS,
    -1 for other events) and `value` its measurement. Pages with fewer than `min_samples` measurements
    of a vital are not judged. Sorted by users affected."""
    found = []
    measured = np.flatnonzero(vital >= 0)
    if measured.size == 0:
        return []
    groups = page[measured].astype(np.int64) * len(VITALS) + vital[measured]
    order = measured[np.argsort(groups, kind="stable")]
    keys = page[order].astype(np.int64) * len(VITALS) + vital[order]
    bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if hi - lo < min_samples:
            continue
        rows = order[lo:hi]
        code = int(vital[rows[0]])
        limit = VITAL_LIMITS[code]
        p75 = float(np.percentile(value[rows], 75))
        if p75 > limit:
            poor = np.unique(user[rows][value[rows] > limit]).size
            found.append(SlowPage(int(page[rows[0]]), VITALS[code], p75, limit, int(hi - lo), int(poor)))
    found.sort(key=lambda s: (-s.users, -s.p75 / s.limit, s.page, s.vital))
    return found


def detect(events: Events, *, gap: float = SESSION_GAP) -> tuple[np.ndarray, list[Occurrence]]:
    """Sessions and every friction occurrence (rage, dead and error clicks, errors) in one pass."""
    sessions = sessionise(events.user, events.ts, gap=gap)
    found = rage_clicks(events, sessions) + dead_clicks(events, sessions)
    found += error_clicks(events, sessions) + errors(events, sessions)
    return sessions, found


@dataclass(frozen=True)
class FrictionIssue:
    """Occurrences of one signal on one page and element, with who they hurt and how it moved."""

    signal: Signal
    page: int
    target: int
    occurrences: int
    users: int
    sessions: int
    revenue: float
    previous_users: int
    examples: tuple[int, ...]  # session numbers, first seen first

    @property
    def trend(self) -> float | None:
        """Relative change in users affected against the previous period (None when it had none)."""
        if not self.previous_users:
            return None
        return (self.users - self.previous_users) / self.previous_users


def rank_friction(
    current: Sequence[Occurrence],
    *,
    previous: Sequence[Occurrence] = (),
    account_of: Mapping[int, int] | None = None,
    revenue_of: Mapping[int, float] | None = None,
    examples: int = 3,
) -> list[FrictionIssue]:
    """Group occurrences by (signal, page, element) and rank by users affected, then by the revenue of
    the accounts those users belong to (`account_of` user -> account, `revenue_of` account -> yearly
    revenue; each account counted once however many of its users hit the issue), then by occurrences.
    `previous` is the same detection over the period before, for the trend."""
    account_of = account_of or {}
    revenue_of = revenue_of or {}
    before: dict[tuple[Signal, int, int], set[int]] = {}
    for o in previous:
        before.setdefault((o.signal, o.page, o.target), set()).add(o.user)
    groups: dict[tuple[Signal, int, int], list[Occurrence]] = {}
    for o in current:
        groups.setdefault((o.signal, o.page, o.target), []).append(o)
    issues = []
    for (signal, page, target), found in groups.items():
        users = {o.user for o in found}
        first_seen: dict[int, float] = {}
        for o in found:
            if o.ts < first_seen.get(o.session, np.inf):
                first_seen[o.session] = o.ts
        seen = sorted(first_seen, key=lambda session: (first_seen[session], session))
        issues.append(
            FrictionIssue(
                signal=signal,
                page=page,
                target=target,
                occurrences=len(found),
                users=len(users),
                sessions=len(first_seen),
                revenue=float(
                    sum(revenue_of.get(a, 0.0) for a in {account_of[u] for u in users if u in account_of})
                ),
                previous_users=len(before.get((signal, page, target), ())),
                examples=tuple(seen[:examples]),
            )
        )
    issues.sort(key=lambda i: (-i.users, -i.revenue, -i.occurrences, i.signal, i.page, i.target))
    return issues
