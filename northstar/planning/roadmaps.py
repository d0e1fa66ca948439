"""Roadmaps: publish a plan as the roadmap (frozen entries), and work out what changed since the
last published roadmap, each change with the reason we can tell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.org import access
from northstar.planning.models import ChangeKind, PlanRun, Roadmap, RoadmapChange, RoadmapEntry
from northstar.planning.plans import recheck
from northstar.portfolio.models import Initiative, Stage
from northstar.strategy.models import Alignment, PlanningPeriod

DONE_STAGES = {Stage.LAUNCHED.value, Stage.MEASURED.value}

# ---------------------------------------------------------------------------------------------------
# What changed


@dataclass(frozen=True)
class Row:
    initiative_id: int | None
    title: str
    start: PlanningPeriod
    end: PlanningPeriod
    team: str = ""
    pinned: bool = False


@dataclass(frozen=True)
class Change:
    kind: str
    initiative_id: int | None
    title: str
    before: str
    after: str
    shift: int
    reason: str

    @property
    def label(self) -> str:
        return ChangeKind(self.kind).label


def span_label(start: PlanningPeriod, end: PlanningPeriod) -> str:
    return start.name if start.pk == end.pk else f"{start.name} → {end.name}"


def period_order(kind: str) -> dict[int, int]:
    return {
        pk: k
        for k, pk in enumerate(
            PlanningPeriod.objects.filter(kind=kind).order_by("start").values_list("id", flat=True)
        )
    }


def diff(
    before: list[Row],
    after: list[Row],
    *,
    run: PlanRun | None = None,
    stages: dict[int, str] | None = None,
) -> list[Change]:
    """Added, dropped, slipped (by how many periods) and pulled in, each with the reason we can tell.

    Work that was delivered since (launched or measured) is not "dropped". Slips compare end periods:
    what stakeholders hear is when it ships.
    """
    if not before and not after:
        return []
    kind = (after or before)[0].start.kind
    order = period_order(kind)
    stages = stages or {}
    old = {r.initiative_id: r for r in before if r.initiative_id is not None}
    new = {r.initiative_id: r for r in after if r.initiative_id is not None}
    exclusions = run.exclusions if run else {}
    horizon_start = run.scenario.first_period.start if run else None
    binding = run.binding if run else []
    out: list[Change] = []
    for key, r in new.items():
        if key not in old:
            reason = "pinned by hand" if r.pinned else "chosen by the optimiser for this plan"
            out.append(Change(ChangeKind.ADDED, key, r.title, "", span_label(r.start, r.end), 0, reason))
    for key, r in old.items():
        if key in new:
            continue
        if stages.get(key) in DONE_STAGES:
            continue
        reason = exclusions.get(str(key)) or (
            f"no longer a candidate (now {Stage(stages[key]).label.lower()})"
            if key in stages
            else "no longer in the portfolio"
        )
        out.append(Change(ChangeKind.DROPPED, key, r.title, span_label(r.start, r.end), "", 0, reason))
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        shift = order.get(b.end.pk, 0) - order.get(a.end.pk, 0)
        if shift == 0:
            continue
        if b.pinned:
            reason = f"moved by hand to {b.start.name}"
        elif horizon_start is not None and a.end.start < horizon_start:
            reason = f"not delivered in {a.end.name} as planned: carried over"
        else:
            cue = next((s for s in binding if a.start.name in s and (not a.team or a.team in s)), None)
            reason = (
                f"re-sequenced by the optimiser: {cue}"
                if cue
                else "re-sequenced by the optimiser for more total value"
            )
        out.append(
            Change(
                ChangeKind.SLIPPED if shift > 0 else ChangeKind.PULLED_IN,
                key,
                b.title,
                span_label(a.start, a.end),
                span_label(b.start, b.end),
                shift,
                reason,
            )
        )
    rank: dict[str, int] = {
        ChangeKind.SLIPPED: 0,
        ChangeKind.DROPPED: 1,
        ChangeKind.ADDED: 2,
        ChangeKind.PULLED_IN: 3,
    }
    return sorted(out, key=lambda c: (rank[c.kind], -abs(c.shift), c.title))


def run_rows(run: PlanRun) -> list[Row]:
    return [
        Row(a.initiative_id, a.initiative.title, a.start, a.end, a.team.name if a.team else "", a.pinned)
        for a in run.assignments.select_related("initiative", "start", "end", "team")
    ]


def roadmap_rows(roadmap: Roadmap) -> list[Row]:
    return [
        Row(e.initiative_id, e.title, e.start, e.end, e.team_name)
        for e in roadmap.entries.select_related("start", "end")
    ]


def stages_of(rows: Iterable[Row]) -> dict[int, str]:
    ids = [r.initiative_id for r in rows if r.initiative_id]
    return dict(Initiative.objects.filter(pk__in=ids).values_list("id", "stage"))


# ---------------------------------------------------------------------------------------------------
# Publishing


def _objectives(ids: list[int]) -> dict[int, str]:
    """The objective each initiative serves most (highest alignment weight), by title."""
    best: dict[int, tuple[float, str]] = {}
    for initiative_id, title, weight in Alignment.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id", "objective__title", "weight"
    ):
        if initiative_id not in best or float(weight) > best[initiative_id][0]:
            best[initiative_id] = (float(weight), title)
    return {k: v[1] for k, v in best.items()}


def freeze_entries(roadmap: Roadmap, run: PlanRun) -> None:
    """Copy a plan's assignments into a roadmap's frozen entries (titles, lines, teams, objectives)."""
    assignments = list(run.assignments.select_related("initiative", "line", "team").order_by("start__start"))
    objectives = _objectives([a.initiative_id for a in assignments])
    RoadmapEntry.objects.bulk_create(
        [
            RoadmapEntry(
                roadmap=roadmap,
                initiative_id=a.initiative_id,
                title=a.initiative.title,
                line_id=a.line_id,
                line_name=a.line.name if a.line else "",
                team_name=a.team.name if a.team else "",
                stage=a.initiative.stage,
                objective=objectives.get(a.initiative_id, "")[:200],
                start_id=a.start_id,
                end_id=a.end_id,
            )
            for a in assignments
        ],
        batch_size=1000,
    )


@transaction.atomic
def roadmap_publish(
    *, actor: User, run: PlanRun, title: str, note: str = "", published_on: Any = None
) -> Roadmap:
    """Freeze a valid plan as the roadmap, and record what changed since the last published one."""
    access.require_leading(actor, "the published roadmap")
    if not run.has_plan:
        raise ValidationFailed("Only a finished plan can be published.")
    recheck(run)
    if run.violations:
        raise ValidationFailed(
            f"This plan breaks {len(run.violations)} rule(s) (e.g. {run.violations[0]['message']}): "
            "fix it or re-optimise around your pins before publishing."
        )
    title = title.strip()
    if not title:
        raise ValidationFailed("Give the roadmap a title, e.g. 'Roadmap, 2026-Q3 review'.")
    previous = Roadmap.objects.order_by("-published_on", "-id").first()
    roadmap = Roadmap(
        title=title[:200],
        note=note.strip(),
        published_on=published_on or timezone.localdate(),
        published_by=actor,
        run=run,
        scenario_name=run.scenario.name,
        value=run.value,
        previous=previous,
    )
    record_save(actor=actor, instance=roadmap, before=None)
    freeze_entries(roadmap, run)
    if previous is not None:
        before, after = roadmap_rows(previous), run_rows(run)
        changes = diff(before, after, run=run, stages=stages_of(before))
        RoadmapChange.objects.bulk_create(
            [
                RoadmapChange(
                    roadmap=roadmap,
                    initiative_id=c.initiative_id,
                    title=c.title[:200],
                    kind=c.kind,
                    before=c.before,
                    after=c.after,
                    shift=c.shift,
                    reason=c.reason[:300],
                )
                for c in changes
            ]
        )
    return roadmap


@transaction.atomic
def change_reason_set(*, actor: User, change: RoadmapChange, reason: str) -> RoadmapChange:
    """Replace the recorded reason of a change with the one the leader tells the board."""
    access.require_leading(actor, "the reasons of roadmap changes")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why it changed: stakeholders read this.")
    before = audit.snapshot(change)
    change.reason = reason[:300]
    return record_save(actor=actor, instance=change, before=before)
