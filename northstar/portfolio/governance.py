"""Governance use cases: stage gates, dependencies (with the cycle check) and the decision log.

Stage gates are data (an admin edits which requirements each stage has), requirements are code
(each is a check with a sentence a person understands). `initiative_move` asks `gate_missing` before
every move, so the web UI, the API and the CLI all enforce the same gates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import Conflict, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.org import access
from northstar.org.models import Person
from northstar.portfolio.models import (
    CriterionRating,
    Decision,
    DecisionKind,
    Dependency,
    Initiative,
    ReachSource,
    ScoringInput,
    Stage,
    StageGate,
)
from northstar.portfolio.permissions import require_initiative_edit


@dataclass(frozen=True)
class Requirement:
    """Something a stage can demand before an initiative enters it; `needs` completes 'It needs …'."""

    key: str
    needs: str
    check: Callable[[Initiative], bool]


def _scoring(initiative: Initiative) -> ScoringInput | None:
    return ScoringInput.objects.filter(pk=initiative.pk).first()


def _has_evidence(initiative: Initiative) -> bool:
    if initiative.evidence_notes.strip():
        return True
    # The feedback area links evidence to initiatives (reverse name `evidence`); count it when present.
    linked = getattr(initiative, "evidence", None)
    if linked is not None and hasattr(linked, "exists") and linked.exists():
        return True
    row = _scoring(initiative)
    return bool(row and row.reach_source == ReachSource.EVIDENCE and row.reach_evidence)


def _aligned(initiative: Initiative) -> bool:
    """Aligned to an objective: linked by the strategy area's alignments when that relation exists,
    or rated above the floor on a weighted-model criterion tied to an objective."""
    alignments = getattr(initiative, "alignments", None)  # strategy.Alignment, looked up at run time
    if alignments is not None and hasattr(alignments, "exists") and alignments.exists():
        return True
    return (
        CriterionRating.objects.filter(initiative=initiative, criterion__objective_id__isnull=False)
        .filter(
            Q(criterion__direction="benefit", value__gt=F("criterion__minimum"))
            | Q(criterion__direction="cost", value__lt=F("criterion__maximum"))
        )
        .exists()
    )


def _scored(initiative: Initiative) -> bool:
    from northstar.portfolio.scoring import active_framework_keys

    row = _scoring(initiative)
    return bool(row) and any(getattr(row, f"{k}_score") is not None for k in active_framework_keys())


def _has_confidence(initiative: Initiative) -> bool:
    row = _scoring(initiative)
    return bool(row and row.confidence is not None)


def _has_decision(initiative: Initiative) -> bool:
    return initiative.decisions.filter(kind=DecisionKind.DECISION).exists()


def _requirements_delivered(initiative: Initiative) -> bool:
    return not initiative.requirements.exclude(requires__stage__in=[Stage.LAUNCHED, Stage.MEASURED]).exists()


REQUIREMENTS: dict[str, Requirement] = {
    r.key: r
    for r in (
        Requirement("problem_statement", "a problem statement", lambda i: bool(i.problem_statement.strip())),
        Requirement("evidence", "evidence (notes, or reach from customer evidence)", _has_evidence),
        Requirement("owner", "an owner", lambda i: i.owner_id is not None),
        Requirement("product", "a product", lambda i: i.product_id is not None),
        Requirement("estimate", "an effort estimate (low / likely / high per skill)",
                    lambda i: i.estimate_lines.exists()),
        Requirement("confidence", "a confidence level", _has_confidence),
        Requirement("score", "a complete score in at least one active framework", _scored),
        Requirement("objective", "an aligned strategic objective", _aligned),
        Requirement("decision", "a recorded decision", _has_decision),
        Requirement("dependencies_delivered", "everything it requires launched first",
                    _requirements_delivered),
    )
}  # fmt: skip

#: A sensible starting point an admin can adopt in one click and then adjust.
SUGGESTED_GATES: dict[str, list[str]] = {
    Stage.DISCOVERY: ["problem_statement", "evidence"],
    Stage.PLANNED: ["estimate", "objective", "confidence"],
    Stage.IN_DELIVERY: ["owner", "score", "decision"],
    Stage.LAUNCHED: ["dependencies_delivered"],
}


def gate_rules() -> dict[str, list[str]]:
    """Each stage's requirements (stages without a gate map to an empty list)."""
    rules: dict[str, list[str]] = {s: [] for s in Stage.values}
    for stage, requirements in StageGate.objects.values_list("stage", "requirements"):
        rules[stage] = [r for r in requirements if r in REQUIREMENTS]
    return rules


def gate_missing(initiative: Initiative, stage: str) -> list[Requirement]:
    """What the initiative still lacks to enter `stage`, in the gate's order."""
    gate = StageGate.objects.filter(stage=stage).values_list("requirements", flat=True).first() or []
    return [REQUIREMENTS[k] for k in gate if k in REQUIREMENTS and not REQUIREMENTS[k].check(initiative)]


def gate_check(initiative: Initiative, stage: str, *, passing: Iterable[str] = ()) -> None:
    """Refuse entry to a stage whose gate is not met, listing everything that is missing at once.

    `passing` names further stages whose gates must hold too (creating straight into a late stage
    passes every gate on the way there, so it cannot be used to step around them).
    """
    missing: list[Requirement] = []
    for each in [*passing, stage]:
        missing += [r for r in gate_missing(initiative, each) if r not in missing]
    if not missing:
        return
    headline = f"“{initiative.title}” cannot enter {Stage(stage).label} yet."
    needs = "; ".join(r.needs for r in missing)
    raise ValidationFailed(
        f"{headline} It needs: {needs}.",
        detail={
            "missing": [r.key for r in missing],
            "needs": [r.needs for r in missing],
            "headline": headline,
        },
    )


@transaction.atomic
def gate_update(*, actor: User, stage: str, requirements: Iterable[str]) -> StageGate:
    """Set what a stage requires (admins only); an empty list removes the gate's requirements."""
    access.require_admin(actor)
    if stage not in Stage.values:
        raise ValidationFailed(f"Unknown stage {stage!r}: choose one of {', '.join(Stage.values)}.")
    wanted = list(dict.fromkeys(requirements))
    unknown = [r for r in wanted if r not in REQUIREMENTS]
    if unknown:
        raise ValidationFailed(
            f"Unknown requirement(s) {', '.join(unknown)}: choose from {', '.join(REQUIREMENTS)}.",
            detail={"unknown": unknown},
        )
    gate = StageGate.objects.filter(stage=stage).first()
    before = audit.snapshot(gate) if gate else None
    gate = gate or StageGate(stage=stage)
    gate.requirements = wanted
    return record_save(actor=actor, instance=gate, before=before)


@transaction.atomic
def gates_set(*, actor: User, rules: dict[str, Iterable[str]]) -> dict[str, list[str]]:
    """Set several stages' gates at once: all land or none does."""
    access.require_admin(actor)
    for stage, requirements in rules.items():
        gate_update(actor=actor, stage=stage, requirements=requirements)
    return gate_rules()


@transaction.atomic
def gates_adopt_suggested(*, actor: User) -> dict[str, list[str]]:
    access.require_admin(actor)
    for stage, requirements in SUGGESTED_GATES.items():
        gate_update(actor=actor, stage=stage, requirements=requirements)
    return gate_rules()


# Dependencies -------------------------------------------------------------------------------------


def _find_path(edges: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """A path start → … → goal along `requires` edges (breadth-first, so the shortest), or None."""
    previous: dict[int, int | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in edges.get(node, ()):
                if nxt in previous:
                    continue
                previous[nxt] = node
                if nxt == goal:
                    path = [goal]
                    while previous[path[-1]] is not None:
                        path.append(previous[path[-1]])  # type: ignore[arg-type]
                    return path[::-1]
                following.append(nxt)
        frontier = following
    return None


@transaction.atomic
def dependency_add(
    *, actor: User, initiative: Initiative, other_id: int, kind: str = "requires", note: str = ""
) -> Dependency:
    """Record that `initiative` requires (or blocks) another; a cycle is refused and named."""
    require_initiative_edit(actor, initiative)
    if kind not in ("requires", "blocks"):
        raise ValidationFailed("A dependency either requires or blocks another initiative.")
    other = Initiative.objects.filter(pk=other_id).first()
    if other is None:
        raise ValidationFailed(f"Unknown initiative id {other_id}.")
    if other.pk == initiative.pk:
        raise ValidationFailed("An initiative cannot depend on itself.")
    needer, needed = (initiative, other) if kind == "requires" else (other, initiative)
    # "blocks" writes a requirement onto the other initiative: the actor must be able to change it.
    require_initiative_edit(actor, needer)
    if Dependency.objects.filter(initiative=needer, requires=needed).exists():
        raise Conflict(f"“{needer.title}” already requires “{needed.title}”.")
    edges: dict[int, list[int]] = {}
    for a, b in Dependency.objects.values_list("initiative_id", "requires_id"):
        edges.setdefault(a, []).append(b)
    path = _find_path(edges, needed.pk, needer.pk)
    if path is not None:
        cycle = [needer.pk, *path]
        titles = dict(Initiative.objects.filter(pk__in=cycle).values_list("pk", "title"))
        named = " → ".join(f"“{titles[pk]}”" for pk in cycle)
        raise Conflict(
            f"That would make a dependency cycle: {named} (each requires the next).",
            detail={"cycle": cycle},
        )
    dependency = Dependency(initiative=needer, requires=needed, note=note[:200])
    return record_save(actor=actor, instance=dependency, before=None)


@transaction.atomic
def dependency_remove(*, actor: User, dependency: Dependency, initiative: Initiative) -> None:
    """Remove a dependency from either end's page; the actor must be able to change that end and
    the initiative whose requirement goes away (the one that requires the other)."""
    if initiative.pk not in (dependency.initiative_id, dependency.requires_id):
        raise ValidationFailed("That dependency does not involve this initiative.")
    require_initiative_edit(actor, initiative)
    if dependency.initiative_id != initiative.pk:
        require_initiative_edit(actor, dependency.initiative)
    record_delete(actor=actor, instance=dependency, blocked_by="it is referenced")


# Decisions ----------------------------------------------------------------------------------------


def _person_of(user: User) -> Person | None:
    return Person.objects.filter(user=user).first() if user.is_authenticated else None


@transaction.atomic
def decision_record(
    *,
    actor: User,
    initiative: Initiative,
    title: str,
    decision: str,
    options: str = "",
    rationale: str = "",
    decided_by_id: int | None = None,
    decided_on: datetime.date | None = None,
) -> Decision:
    """Log an explicit decision about an initiative. The log is append-only."""
    require_initiative_edit(actor, initiative)
    if not title.strip() or not decision.strip():
        raise ValidationFailed("A decision needs a title and what was decided.")
    if decided_by_id is not None and not Person.objects.filter(pk=decided_by_id).exists():
        raise ValidationFailed(f"Unknown person id {decided_by_id}.")
    today = timezone.localdate()
    if decided_on and decided_on > today:
        raise ValidationFailed("A decision cannot be dated in the future; record it when it is made.")
    entry = Decision(
        initiative=initiative,
        kind=DecisionKind.DECISION,
        title=title.strip()[:200],
        decision=decision.strip(),
        options=options.strip(),
        rationale=rationale.strip(),
        decided_by_id=decided_by_id if decided_by_id is not None else getattr(_person_of(actor), "pk", None),
        decided_on=decided_on or today,
        recorded_by=actor,
    )
    return record_save(actor=actor, instance=entry, before=None)


def log_stage_change(
    *, actor: User | None, initiative: Initiative, from_stage: str, to_stage: str, rationale: str = ""
) -> Decision:
    """The decision-log entry every stage move writes (called inside the move's transaction)."""
    if actor is not None:
        require_initiative_edit(actor, initiative)
    return Decision.objects.create(
        initiative=initiative,
        kind=DecisionKind.STAGE_CHANGE,
        title=f"Moved to {Stage(to_stage).label}",
        decision=f"{Stage(from_stage).label} → {Stage(to_stage).label}",
        rationale=rationale.strip(),
        from_stage=from_stage,
        to_stage=to_stage,
        decided_by=_person_of(actor) if actor else None,
        decided_on=timezone.localdate(),
        recorded_by=actor,
    )
