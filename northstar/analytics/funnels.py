"""Funnels and retention: who reached each step in order within the window, and who came back.

Both read a site's events as engine columns (`event_columns`); funnels may break down by a property.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone

from northstar.analytics.event_columns import Columns, columns, encode
from northstar.analytics.models import FrictionEvidence, Funnel, Site
from northstar.core.errors import ValidationFailed
from northstar.engines import friction as engine


def _pattern(match: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(match))


def step_masks(cols: Columns, steps: list[dict[str, str]]) -> list[np.ndarray]:
    """A boolean mask per step: page views of matching paths, or custom events of that name."""
    kinds = cols.events.kind
    masks = []
    for step in steps:
        if step["kind"] == "page":
            rx = _pattern(step["match"])
            pages = np.asarray([bool(rx.match(p)) for p in cols.pages] or [False])
            masks.append(
                (kinds == engine.PAGEVIEW) & pages[cols.events.page] if len(cols) else np.zeros(0, bool)
            )
        else:
            masks.append((kinds == engine.CUSTOM) & (cols.names == step["match"]))
    return masks


@dataclass
class FunnelStep:
    number: int
    label: str
    reached: int
    conversion: float
    step_conversion: float
    dropped: int
    evidence: list[FrictionEvidence] = field(default_factory=list)


@dataclass
class FunnelReport:
    funnel: Funnel
    days: int
    steps: list[FunnelStep]
    steepest: int | None
    truncated: bool
    breakdown: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    by: str = "identified"

    @property
    def by_label(self) -> str:
        return BREAKDOWNS.get(self.by) or f"property {self.by.removeprefix('prop:')}"

    @property
    def overall(self) -> float:
        return self.steps[-1].conversion if self.steps else 0.0


def step_label(step: dict[str, str]) -> str:
    return step["match"] if step["kind"] == "page" else f"event {step['match']}"


#: How a funnel's people can be split: built-in breakdowns, or `prop:NAME` for a property the
#: snippet's custom events carry (`northstar.track(name, {plan: "pro"})`).
BREAKDOWNS = {"identified": "Identified or anonymous", "account": "Account"}
PROPERTY_NAME = re.compile(r"[A-Za-z0-9_.$-]{1,60}")
#: Segments shown by size; the rest are added up in one "Other" row.
MAX_SEGMENTS = 10


def parse_breakdown(by: str) -> str | None:
    """The property a breakdown names (`prop:plan` -> "plan"), None for a built-in one; refuses others."""
    by = (by or "identified").strip()
    if by in BREAKDOWNS:
        return None
    name = by.removeprefix("prop:")
    if not by.startswith("prop:") or not PROPERTY_NAME.fullmatch(name):
        raise ValidationFailed(
            "Break down by “identified”, “account” or prop:NAME "
            "(a property name of letters, digits, _ . - $, up to 60)."
        )
    return name


def _person_values(cols: Columns, by: str) -> list[str]:
    """Each person's value of the breakdown: their account, whether they are identified, or the first
    value of the property they carried in the period (a person's property, not one event's)."""
    if by == "identified":
        return ["Identified accounts" if a else "Anonymous visitors" for a in cols.accounts]
    if by == "account":
        return [a or "(no account)" for a in cols.accounts]
    first: dict[int, str] = {}
    assert cols.prop is not None
    users = cols.events.user
    for i in np.flatnonzero(cols.prop != None).tolist():  # noqa: E711 - elementwise over objects
        first.setdefault(int(users[i]), str(cols.prop[i]))
    return [first.get(u, "(not set)") for u in range(len(cols.people))]


def funnel_report(
    funnel: Funnel, *, days: int = 30, now: datetime | None = None, by: str = "identified"
) -> FunnelReport:
    """Conversion per step over the last `days` days, broken down by a person's `by` (see
    `parse_breakdown`): each segment's people per step, the largest segments first."""
    prop = parse_breakdown(by)
    now = now or timezone.now()
    cols = columns(funnel.site, since=now - timedelta(days=days), until=now, prop=prop)
    masks = step_masks(cols, funnel.steps)
    segment = None
    book: list[str] = []
    if len(cols):
        codes, book = encode(tuple(_person_values(cols, by.strip() or "identified")))
        segment = codes[cols.events.user]
    result = engine.funnel(
        cols.events.user, cols.events.ts, masks, window=funnel.window_hours * 3600.0, segment=segment
    )
    evidence: dict[int, list[FrictionEvidence]] = {}
    for link in FrictionEvidence.objects.filter(funnel=funnel).select_related("initiative"):
        evidence.setdefault(link.step or 0, []).append(link)
    steps = [
        FunnelStep(
            number=i + 1,
            label=step_label(step),
            reached=result.reached[i],
            conversion=result.conversion[i],
            step_conversion=result.step_conversion[i],
            dropped=result.dropped[i],
            evidence=evidence.get(i + 1, []),
        )
        for i, step in enumerate(funnel.steps)
    ]
    segments = sorted(result.breakdown.items(), key=lambda kv: (-kv[1][0], book[kv[0]]))
    breakdown = [(book[code], counts) for code, counts in segments[:MAX_SEGMENTS]]
    rest = [counts for _, counts in segments[MAX_SEGMENTS:]]
    if rest:
        breakdown.append(
            (f"Other ({len(rest)} values)", tuple(int(sum(c[k] for c in rest)) for k in range(len(steps))))
        )
    steepest = result.steepest_drop()
    return FunnelReport(
        funnel=funnel,
        days=days,
        steps=steps,
        steepest=steepest + 1 if steepest is not None else None,
        truncated=cols.truncated,
        breakdown=breakdown,
        by=by.strip() or "identified",
    )


# Retention -----------------------------------------------------------------------------------------


@dataclass
class RetentionReport:
    weeks: int
    start: datetime
    cohorts: list[tuple[datetime, engine.Cohort]]


def retention_report(site: Site, *, weeks: int = 8, now: datetime | None = None) -> RetentionReport:
    """Weekly cohorts of people by the week they were first seen, over the last `weeks` weeks."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    cols = columns(site, since=start, until=now)
    cohorts = engine.retention(cols.events.user, cols.events.ts, origin=start.timestamp(), weeks=weeks)
    return RetentionReport(
        weeks=weeks, start=start, cohorts=[(start + timedelta(weeks=c.week), c) for c in cohorts]
    )
