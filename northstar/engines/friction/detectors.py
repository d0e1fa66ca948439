"""Friction detectors: rage, dead and error clicks, errors, slow pages, form abandonment; and the
ranking that groups occurrences into friction issues by page and element."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .events import (
    CLICK,
    ERROR,
    ERROR_WINDOW,
    RAGE_CLICKS,
    RAGE_RADIUS,
    RAGE_WINDOW,
    SESSION_GAP,
    Events,
    _order,
    sessionise,
)

# Friction ------------------------------------------------------------------------------------------


class Signal(StrEnum):
    RAGE_CLICK = "rage_click"
    DEAD_CLICK = "dead_click"
    ERROR_CLICK = "error_click"
    ERROR = "error"
    FORM_ABANDON = "form_abandon"


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


def form_abandonment(
    events: Events, sessions: np.ndarray, *, started: np.ndarray, submitted: np.ndarray
) -> list[Occurrence]:
    """Forms a person began and left: per session and form (the event's `target`), abandoned when the
    last thing that happened to the form was a start (`started`: the first focus on one of its fields
    on a page view) with no submit (`submitted`) after it. One occurrence at that last start.

    A submit at the same instant as a start counts as after it; a form started again after a submit
    and then left is abandoned (the second attempt failed).
    """
    started = np.asarray(started, dtype=bool)
    submitted = np.asarray(submitted, dtype=bool) & ~started
    relevant = np.flatnonzero((started | submitted) & (events.target >= 0))
    if relevant.size == 0:
        return []
    targets = events.target[relevant].astype(np.int64)
    group = sessions[relevant].astype(np.int64) * (int(targets.max()) + 1) + targets
    pos = _order(group, events.ts[relevant], submitted[relevant].astype(np.int8))
    order, g = relevant[pos], group[pos]
    last = np.r_[g[1:] != g[:-1], True]
    left = order[last & started[order]]
    return [_occurrence(Signal.FORM_ABANDON, events, sessions, int(i)) for i in np.sort(left)]


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


def detect(
    events: Events,
    *,
    gap: float = SESSION_GAP,
    form_started: np.ndarray | None = None,
    form_submitted: np.ndarray | None = None,
) -> tuple[np.ndarray, list[Occurrence]]:
    """Sessions and every friction occurrence (rage, dead and error clicks, errors, and form
    abandonment when the form masks are given) in one pass."""
    sessions = sessionise(events.user, events.ts, gap=gap)
    found = rage_clicks(events, sessions) + dead_clicks(events, sessions)
    found += error_clicks(events, sessions) + errors(events, sessions)
    if form_started is not None and form_submitted is not None:
        found += form_abandonment(events, sessions, started=form_started, submitted=form_submitted)
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
