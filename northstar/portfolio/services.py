"""Every change to initiatives: permission, validation, stage rules and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from northstar.core import archive, audit
from northstar.core.errors import ApplicationError, NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.services import ancestor_ids, label_ids, m2m_labels, record_delete, record_save
from northstar.core.validation import assign
from northstar.portfolio import approvals, governance
from northstar.portfolio.models import STAGE_PATH, ApprovalRequest, Initiative, Stage, Tag
from northstar.portfolio.permissions import can_edit_initiative, require_edit  # noqa: F401 (re-exported)

INITIATIVE_FIELDS = {
    "title",
    "kind",
    "parent_id",
    "product_id",
    "owner_id",
    "description",
    "problem_statement",
    "evidence_notes",
}


def allowed_stage_moves(stage: str) -> list[str]:
    """Where an initiative may go next: forward along the path, one step back, or set aside."""
    if stage == Stage.KILLED:
        return [Stage.IDEA]
    if stage == Stage.PARKED:
        return [*STAGE_PATH, Stage.KILLED]
    index = STAGE_PATH.index(Stage(stage))
    moves = list(STAGE_PATH[index + 1 :])
    if index > 0:
        moves.insert(0, STAGE_PATH[index - 1])
    return [*moves, Stage.PARKED, Stage.KILLED]


def stages_passed_over(from_stage: str, to_stage: str) -> list[str]:
    """The stages a move steps over on its way forward, whose gates it must pass as well as the target's.

    Work coming back from parked or killed re-enters the path from the start, as a new record would.
    """
    if to_stage not in STAGE_PATH:
        return []
    start = STAGE_PATH.index(Stage(from_stage)) if from_stage in STAGE_PATH else 0
    return [s.value for s in STAGE_PATH[start + 1 : STAGE_PATH.index(Stage(to_stage))]]


def _require_edit(actor: User, product_id: int | None, owner_id: int | None) -> None:
    require_edit(actor, product_id, owner_id)


def _check_parent(initiative: Initiative) -> None:
    """The parent must exist and must not be the initiative itself or one of its descendants."""
    if initiative.parent_id is None:
        return
    chain = ancestor_ids(Initiative, initiative.parent_id, parent_field="parent_id")
    if initiative.pk is not None and initiative.pk in chain:
        raise ValidationFailed("An initiative cannot sit inside itself or one of its own children.")
    if not chain:
        raise ValidationFailed(f"Unknown parent id {initiative.parent_id}.")


@transaction.atomic
def initiative_create(
    *, actor: User, tags: Iterable[str] = (), stage: str = Stage.IDEA, **data: Any
) -> Initiative:
    _require_edit(actor, data.get("product_id"), data.get("owner_id"))
    if stage not in Stage.values:
        raise ValidationFailed(f"Unknown stage {stage!r}: choose one of {', '.join(Stage.values)}.")
    initiative = Initiative(stage=stage)
    assign(initiative, data, allowed=INITIATIVE_FIELDS)
    _check_parent(initiative)
    saved = record_save(
        actor=actor, instance=initiative, before=None, m2m={"tags": label_ids(Tag, tags, what="Tag")}
    )
    if stage != Stage.IDEA:
        # Creating straight into a later stage must pass that stage's gate and every gate on the
        # path to it; the check runs on the saved record (gates look at its relations) and a
        # refusal rolls the whole creation back.
        governance.gate_check(saved, stage, passing=stages_passed_over(Stage.IDEA, stage))
        governance.log_stage_change(
            actor=actor,
            initiative=saved,
            from_stage=Stage.IDEA,
            to_stage=stage,
            rationale=f"Created directly in {Stage(stage).label}.",
        )
    return saved


@transaction.atomic
def initiative_update(
    *, actor: User, initiative: Initiative, tags: Iterable[str] | None = None, **data: Any
) -> Initiative:
    _require_edit(actor, initiative.product_id, initiative.owner_id)
    if "product_id" in data and data["product_id"] != initiative.product_id:
        _require_edit(actor, data["product_id"], data.get("owner_id", initiative.owner_id))
    m2m = {"tags": label_ids(Tag, tags, what="Tag")} if tags is not None else {}
    before = audit.snapshot(initiative, many=m2m_labels(initiative, m2m))
    assign(initiative, data, allowed=INITIATIVE_FIELDS)
    _check_parent(initiative)
    return record_save(actor=actor, instance=initiative, before=before, m2m=m2m)


@transaction.atomic
def initiative_move(
    *,
    actor: User,
    initiative: Initiative,
    stage: str,
    rationale: str = "",
    approval: ApprovalRequest | None = None,
) -> Initiative:
    """Move to another stage: along the allowed paths, through the target stage's gate, into the log.

    Refuses moves that skip backwards or revive killed work directly, and moves that miss a gate
    requirement of the target stage or of any stage the move jumps over (listing all of them). A move
    that needs an approval the actor cannot give is refused with `ApprovalRequired` (`stage_move` asks
    for it instead); `approval` is the approved request when an approver runs the move.
    Every move writes a stage-change entry to the decision log.
    """
    _require_edit(actor, initiative.product_id, initiative.owner_id)
    if stage not in Stage.values:
        raise ValidationFailed(f"Unknown stage {stage!r}: choose one of {', '.join(Stage.values)}.")
    if stage == initiative.stage:
        return initiative
    if initiative.is_archived:
        raise ValidationFailed(f"“{initiative.title}” is archived: restore it before moving it.")
    allowed = allowed_stage_moves(initiative.stage)
    if stage not in allowed:
        names = ", ".join(Stage(s).label for s in allowed)
        raise ValidationFailed(
            f"An initiative in {Stage(initiative.stage).label} can move to {names}; "
            f"not to {Stage(stage).label}.",
            detail={"allowed": allowed},
        )
    passing = stages_passed_over(initiative.stage, stage)
    governance.gate_check(initiative, stage, passing=passing)
    needed = approvals.approval_needed(initiative, [*passing, stage])
    if needed is not None and approval is None:
        if not approvals.may_approve(actor, needed.approver, needed.person):
            raise approvals.ApprovalRequired(
                f"Moving “{initiative.title}” to {Stage(stage).label} needs approval: {needed.why}.",
                needed=needed,
            )
        rationale = f"{rationale} (approved by {actor.username} on moving: {needed.why})".strip()
    before = audit.snapshot(initiative)
    from_stage = initiative.stage
    initiative.stage = stage
    saved = record_save(actor=actor, instance=initiative, before=before)
    from northstar.feedback import portal_subscriptions  # the portal follows ideas, not the reverse

    portal_subscriptions.initiative_stage_changed(
        initiative_id=initiative.pk, from_stage=from_stage, to_stage=stage
    )
    governance.log_stage_change(
        actor=actor, initiative=initiative, from_stage=from_stage, to_stage=stage, rationale=rationale
    )
    approvals.pending_close(actor=actor, initiative=initiative, keep=approval)
    return saved


@transaction.atomic
def initiative_delete(*, actor: User, initiative: Initiative) -> None:
    _require_edit(actor, initiative.product_id, initiative.owner_id)
    record_delete(actor=actor, instance=initiative, blocked_by="it is still referenced")


# Many at once --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestageResult:
    """What re-staging did to one initiative: moved, waiting for approval, or refused (and why)."""

    initiative: Initiative
    outcome: str  # "moved", "waiting" or "refused"
    message: str


def initiatives_restage(
    *, actor: User, ids: Iterable[Any], stage: str, rationale: str = ""
) -> list[RestageResult]:
    """Move many initiatives to one stage, each through its own gates and approvals.

    Each initiative succeeds or fails on its own (their gates differ); a refusal leaves that one where
    it was and says why. At most `archive.BULK_LIMIT` at a time.
    """
    if stage not in Stage.values:
        raise ValidationFailed(f"Unknown stage {stage!r}: choose one of {', '.join(Stage.values)}.")
    wanted = list(dict.fromkeys(int(i) for i in ids if str(i).isdigit()))
    if not wanted:
        raise ValidationFailed("Choose the initiatives to move.")
    if len(wanted) > archive.BULK_LIMIT:
        raise ValidationFailed(f"At most {archive.BULK_LIMIT} initiatives at a time: choose fewer.")
    found = Initiative.all_objects.select_related("product").in_bulk(wanted)
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"No initiative with id {', '.join(missing[:10])}.", detail={"missing": missing})
    results = []
    for pk in wanted:
        initiative = found[pk]
        try:
            with transaction.atomic():
                outcome = approvals.stage_move(
                    actor=actor, initiative=initiative, stage=stage, rationale=rationale
                )
        except ApplicationError as exc:
            initiative.refresh_from_db(fields=["stage"])
            results.append(RestageResult(initiative, "refused", exc.message))
            continue
        state = "moved" if outcome.moved else "waiting"
        results.append(RestageResult(outcome.initiative, state, outcome.message))
    return results
