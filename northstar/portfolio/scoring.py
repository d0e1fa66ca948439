"""Scoring use cases: editing inputs, estimates and the weighted model, and keeping stored scores current.

The translation between the database and the engine lives here: `framework_inputs` turns a stored
row into what a framework reads, and `apply_scores` writes the engine's verdicts back. Every write
that can change a score re-scores the rows it touched in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from northstar.core import audit, concurrency, numbers
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.core.validation import assign
from northstar.engines import scoring as engine
from northstar.org import access
from northstar.org.models import Skill, Team
from northstar.portfolio.models import (
    FRAMEWORK_KEYS,
    CriterionRating,
    EstimateLine,
    FrameworkSetting,
    Initiative,
    KanoCategoryChoice,
    ReachSource,
    ScoringCriterion,
    ScoringInput,
)
from northstar.portfolio.permissions import require_initiative_edit

#: Inputs a person may set directly (the stored scores and derived effort are written here only).
INPUT_FIELDS = (
    "reach",
    "reach_source",
    "impact",
    "confidence",
    "ice_impact",
    "ease",
    "value",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
    "effort",
    "kano",
)

#: Which stored inputs each built-in framework reads, in the order a form or a table shows them.
FRAMEWORK_FIELDS: Mapping[str, tuple[str, ...]] = {
    "rice": ("reach", "impact", "confidence", "effort"),
    "ice": ("ice_impact", "confidence", "ease"),
    "wsjf": ("business_value", "time_criticality", "risk_reduction", "job_size"),
    "value_effort": ("value", "effort"),
    "kano": ("kano",),
}

#: One answer pair per Kano category: the engine classifies each pair back into its category, so a
#: stored tally of categories scores exactly like the questionnaire answers it came from.
KANO_PAIRS = {
    "must-be": ("neutral", "dislike"),
    "one-dimensional": ("like", "dislike"),
    "attractive": ("like", "neutral"),
    "indifferent": ("neutral", "neutral"),
    "reverse": ("dislike", "like"),
}


@dataclass(frozen=True)
class Stored:
    """A value that came from somewhere other than a typed number (an estimate, evidence)."""

    value: float | None
    note: str

    def resolve(self) -> float | None:
        return self.value

    def describe(self) -> str:
        return self.note


# Frameworks ---------------------------------------------------------------------------------------


def criteria() -> list[ScoringCriterion]:
    return list(ScoringCriterion.objects.order_by("position", "id"))


def weighted_model(rows: Iterable[ScoringCriterion] | None = None) -> engine.Weighted | None:
    """The organisation's weighted model, or None while no criterion carries weight."""
    rows = list(rows) if rows is not None else criteria()
    if not any(c.weight > 0 for c in rows):
        return None
    return engine.weighted(
        [
            engine.Criterion(
                key=c.key,
                label=c.label,
                weight=float(c.weight),
                direction=c.direction,  # type: ignore[arg-type]
                minimum=float(c.minimum),
                maximum=float(c.maximum),
                objective_id=str(c.objective_id) if c.objective_id else None,
            )
            for c in rows
        ],
        label="Weighted score",
    )


def active_framework_keys() -> list[str]:
    """Frameworks switched on by an admin (all, unless switched off); weighted only once it has criteria."""
    off = set(FrameworkSetting.objects.filter(active=False).values_list("key", flat=True))
    keys = [k for k in FRAMEWORK_KEYS if k not in off]
    if "weighted" in keys and not ScoringCriterion.objects.filter(weight__gt=0).exists():
        keys.remove("weighted")
    return keys


def framework(key: str, model: engine.Weighted | None = None) -> engine.Framework:
    """The engine framework for a key; the weighted one is built from the stored criteria."""
    if key == "weighted":
        model = model or weighted_model()
        if model is None:
            raise ValidationFailed("The weighted model has no criteria yet: an admin defines them first.")
        return model
    if key not in engine.FRAMEWORKS:
        raise ValidationFailed(f"Unknown framework {key!r}: choose one of {', '.join(FRAMEWORK_KEYS)}.")
    return engine.FRAMEWORKS[key]


def framework_label(key: str) -> str:
    return "Weighted score" if key == "weighted" else engine.FRAMEWORKS[key].label


# From rows to engine inputs -----------------------------------------------------------------------


def scoring_of(initiative: Initiative) -> ScoringInput:
    """The initiative's stored inputs, or an empty unsaved row when nothing was scored yet."""
    try:
        return initiative.scoring
    except ScoringInput.DoesNotExist:
        return ScoringInput(initiative=initiative)


def inputs_version(initiative_id: int) -> int:
    """The stored version of an initiative's scoring inputs (and estimate), read fresh; 1 before any."""
    version = ScoringInput.objects.filter(pk=initiative_id).values_list("version", flat=True).first()
    return version or 1


def kano_pairs(tally: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for category, pair in KANO_PAIRS.items():
        pairs.extend([pair] * int(tally.get(category) or 0))
    return pairs


def framework_inputs(
    row: ScoringInput, key: str, ratings: Mapping[str, float] | None = None, *, explain: bool = False
) -> dict[str, object]:
    """What framework `key` reads for this row. With `explain`, derived values carry their source."""
    if key == "weighted":
        return dict(ratings or {})
    effort: object = row.effective_effort
    reach: object = row.effective_reach
    if explain:
        if row.estimated_effort is not None:
            effort = Stored(
                row.estimated_effort,
                f"PERT expected from the estimate, ± {engine.base.fmt(row.estimated_effort_sd or 0)}",
            )
        if row.reach_source == ReachSource.EVIDENCE:
            reach = Stored(row.reach_evidence, row.reach_evidence_note or "from evidence, none recorded yet")
    values: dict[str, object] = {
        "reach": reach,
        "impact": row.impact,
        "confidence": row.confidence / 100 if row.confidence is not None else None,
        "effort": effort,
        "ice_impact": row.ice_impact,
        "ease": row.ease,
        "value": row.value,
        "business_value": row.business_value,
        "time_criticality": row.time_criticality,
        "risk_reduction": row.risk_reduction,
        "job_size": row.job_size,
    }
    if key == "kano":
        return {"kano_responses": kano_pairs(row.kano or {})}
    return values


def apply_scores(
    row: ScoringInput, ratings: Mapping[str, float], model: engine.Weighted | None
) -> dict[str, engine.Score]:
    """Score the row with every framework and store each value (None while inputs are missing)."""
    scores: dict[str, engine.Score] = {}
    for key in FRAMEWORK_KEYS:
        if key == "weighted" and model is None:
            row.weighted_score = None
            continue
        fw = model if key == "weighted" else engine.FRAMEWORKS[key]
        try:
            score = fw.score(framework_inputs(row, key, ratings))  # type: ignore[union-attr]
        except engine.ScoringError as exc:
            raise ValidationFailed(f"{framework_label(key)}: {exc}", detail={"field": exc.field}) from None
        scores[key] = score
        setattr(row, f"{key}_score", score.value)
    row.quadrant = scores["value_effort"].category or ""
    row.kano_category = (scores["kano"].category or "") if scores["kano"].scored else ""
    return scores


def ratings_of(initiative_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """Weighted-model ratings by initiative id, in one query."""
    result: dict[int, dict[str, float]] = {}
    for initiative_id, key, value in CriterionRating.objects.filter(
        initiative_id__in=list(initiative_ids)
    ).values_list("initiative_id", "criterion__key", "value"):
        result.setdefault(initiative_id, {})[key] = value
    return result


SCORE_FIELDS = [f"{k}_score" for k in FRAMEWORK_KEYS] + ["quadrant", "kano_category"]


def rescore(initiative_ids: Iterable[int] | None = None, *, batch: int = 2000) -> int:
    """Recompute stored scores (all rows, or the given initiatives'), e.g. after the model changed."""
    model = weighted_model()
    qs = ScoringInput.objects.order_by("pk")
    if initiative_ids is not None:
        qs = qs.filter(pk__in=list(initiative_ids))
    count = 0
    rows = list(qs)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        ratings = ratings_of([r.pk for r in chunk])
        for row in chunk:
            apply_scores(row, ratings.get(row.pk, {}), model)
        ScoringInput.objects.bulk_update(chunk, SCORE_FIELDS, batch_size=500)
        count += len(chunk)
    return count


# Editing inputs -----------------------------------------------------------------------------------


def _clean_kano(raw: object) -> dict[str, int]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed("Kano answers must map a category to a number of respondents.")
    tally: dict[str, int] = {}
    for category, count in raw.items():
        if category not in KANO_PAIRS:
            raise ValidationFailed(
                f"Unknown Kano category {category!r}: choose {', '.join(KanoCategoryChoice.values)}."
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationFailed(f"Kano {category} respondents must be a whole number of at least 0.")
        if count:
            tally[category] = count
    return tally


def _check_ratings(ratings: Mapping[str, Any], known: dict[str, ScoringCriterion]) -> None:
    model = weighted_model(known.values())
    for key, value in ratings.items():
        if key not in known:
            raise ValidationFailed(f"Unknown criterion {key!r}: choose {', '.join(known) or 'none defined'}.")
        if value is None or model is None:
            continue
        spec = next(s for s in model.inputs if s.key == key)
        try:
            spec.check(value, known[key].label)
        except engine.ScoringError as exc:
            raise ValidationFailed(str(exc), detail={"field": key}) from None


@transaction.atomic
def scoring_update(
    *,
    actor: User,
    initiative: Initiative,
    ratings: Mapping[str, float | None] | None = None,
    version: int | None = None,
    **inputs: Any,
) -> ScoringInput:
    """Change some scoring inputs (None clears one) and re-score; bad values are refused by the engine.

    `version` is the inputs' version the editor started from, if they said (see core.concurrency).
    """
    require_initiative_edit(actor, initiative)
    row = ScoringInput.objects.select_for_update().filter(pk=initiative.pk).first()
    if row is not None:
        concurrency.expect_version(row, version)
    before = audit.snapshot(row) if row else None
    row = row or ScoringInput(initiative=initiative)
    if "kano" in inputs:
        inputs["kano"] = _clean_kano(inputs["kano"])
    if inputs.get("reach_source") not in (None, *ReachSource.values):
        raise ValidationFailed(f"Reach comes from {' or '.join(ReachSource.values)}.")
    if "reach_source" in inputs and inputs["reach_source"] is None:
        inputs.pop("reach_source")
    for name, value in inputs.items():
        if name not in ("kano", "reach_source") and value is not None and name in INPUT_FIELDS:
            inputs[name] = numbers.float_in(value, what=name.replace("_", " ").capitalize())
    assign(row, inputs, allowed=INPUT_FIELDS)
    known = {c.key: c for c in criteria()}
    current = ratings_of([initiative.pk]).get(initiative.pk, {})
    if ratings:
        _check_ratings(ratings, known)
        for key, value in ratings.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = numbers.float_in(value, what=known[key].label)
    # Validate through the engine first (clear, field-named errors), then the model's own checks.
    apply_scores(row, current, weighted_model(known.values()))
    saved = record_save(actor=actor, instance=row, before=before)
    if ratings:
        CriterionRating.objects.filter(initiative=initiative, criterion__key__in=list(ratings)).delete()
        CriterionRating.objects.bulk_create(
            CriterionRating(initiative=initiative, criterion=known[k], value=v)
            for k, v in current.items()
            if k in ratings and k in known
        )
    return saved


@transaction.atomic
def reach_evidence_set(*, initiative_id: int, source: engine.InputSource | None) -> ScoringInput:
    """Store reach computed from evidence (the feedback area calls this) and re-score.

    `source` is any engine input source, typically `EvidenceReach` built from the customers asking;
    None clears it. The initiative's reach follows it once its reach source is set to evidence.
    """
    initiative = Initiative.objects.get(pk=initiative_id)
    row = ScoringInput.objects.select_for_update().filter(pk=initiative_id).first()
    row = row or ScoringInput(initiative=initiative)
    row.reach_evidence = source.resolve() if source is not None else None
    row.reach_evidence_note = source.describe()[:200] if source is not None else ""
    apply_scores(row, ratings_of([initiative_id]).get(initiative_id, {}), weighted_model())
    row.save()
    return row


# Estimates ----------------------------------------------------------------------------------------


def _estimate_text(lines: Iterable[EstimateLine]) -> str:
    return "; ".join(f"{e.skill.name} {e.low:g}/{e.likely:g}/{e.high:g}" for e in lines)


def engine_estimate(lines: Iterable[EstimateLine]) -> engine.Estimate:
    return engine.Estimate(
        {e.skill.name: engine.ThreePoint(float(e.low), float(e.likely), float(e.high)) for e in lines}
    )


def _decimal(value: Any, skill: str, field: str) -> Decimal:
    """One estimate value, refused unless it fits its column: bulk_create skips model validation,
    and a value the column cannot hold would be stored anyway and break every page showing it."""
    if value is None:
        raise ValidationFailed(f"{skill} {field} must be a number of team-weeks.", detail={"skill": skill})
    limits = numbers.decimal_limits(EstimateLine, field)
    try:
        return numbers.decimal_in(value, what=f"{skill} {field}", exact=True, **limits)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, detail={"skill": skill, "field": field}) from None


@transaction.atomic
def estimate_set(
    *,
    actor: User,
    initiative: Initiative,
    lines: Iterable[Mapping[str, Any]],
    version: int | None = None,
) -> list[EstimateLine]:
    """Replace the per-skill estimate: each line is {skill, low, likely, high} in team-weeks.

    The whole estimate is checked (0 ≤ low ≤ likely ≤ high, known skills, each skill once) before
    anything is written, then effort-based scores are recomputed from its PERT expectation. The
    estimate shares the scoring inputs' version: with `version`, a newer stored one is refused.
    """
    require_initiative_edit(actor, initiative)
    row = ScoringInput.objects.select_for_update().filter(pk=initiative.pk).first()
    if row is not None and version is not None and row.version != version:
        raise concurrency.stale(row, row, your_version=version)
    skills = {s.name: s for s in Skill.objects.all()}
    new: list[EstimateLine] = []
    seen: set[str] = set()
    for line in lines:
        name = str(line.get("skill", "")).strip().lower()
        if name not in skills:
            raise ValidationFailed(
                f"Unknown skill {name!r}: choose {', '.join(sorted(skills)) or 'a skill defined on a team'}."
            )
        if name in seen:
            raise ValidationFailed(f"{name} is estimated twice; give each skill one low / likely / high.")
        seen.add(name)
        values = {k: _decimal(line.get(k), name, k) for k in ("low", "likely", "high")}
        new.append(EstimateLine(initiative=initiative, skill=skills[name], **values))
    try:
        estimate = engine_estimate(new)
    except engine.ScoringError as exc:
        raise ValidationFailed(f"Estimate: {exc}", detail={"field": "effort"}) from None
    old = list(initiative.estimate_lines.select_related("skill"))
    initiative.estimate_lines.all().delete()
    EstimateLine.objects.bulk_create(new)
    if row is None:
        row = ScoringInput(initiative=initiative)
    else:
        row.version += 1
    row.estimated_effort = estimate.resolve()
    row.estimated_effort_sd = estimate.std_dev if new else None
    apply_scores(row, ratings_of([initiative.pk]).get(initiative.pk, {}), weighted_model())
    row.save()
    audit.audit_update(
        actor=actor,
        instance=initiative,
        before={"estimate": _estimate_text(old)},
        after={"estimate": _estimate_text(new)},
    )
    return new


def skill_rates(line_id: int | None) -> tuple[dict[str, Decimal], str]:
    """Team-week cost per skill: the average rate of the line's teams with that skill, else the org's.

    Returns the rates and their currency (the most common currency among the teams used).
    """
    per_line: dict[str, list[Decimal]] = {}
    per_org: dict[str, list[Decimal]] = {}
    currencies: dict[str, int] = {}
    for team_line, rate, currency, skill in Team.objects.values_list(
        "line_id", "cost_rate", "currency", "skills__name"
    ):
        if skill is None:
            continue
        per_org.setdefault(skill, []).append(rate)
        if team_line == line_id:
            per_line.setdefault(skill, []).append(rate)
        currencies[currency] = currencies.get(currency, 0) + 1
    rates: dict[str, Decimal] = {}
    for skill, values in per_org.items():
        chosen = per_line.get(skill) or values
        rates[skill] = (sum(chosen, Decimal(0)) / len(chosen)).quantize(Decimal("0.01"))
    currency = max(currencies, key=lambda c: currencies[c]) if currencies else ""
    return rates, currency


def estimate_cost(initiative: Initiative, lines: list[EstimateLine]) -> engine.CostRange | None:
    """What the estimate costs at the team rates; None when not estimated or a skill has no team."""
    if not lines:
        return None
    rates, currency = skill_rates(initiative.product.line_id if initiative.product else None)
    try:
        return engine.estimate_cost(engine_estimate(lines), rates, currency=currency)
    except engine.ScoringError:
        return None


# The weighted model and active frameworks (admins) ------------------------------------------------

CRITERION_FIELDS = {"key", "label", "weight", "direction", "minimum", "maximum", "objective_id", "position"}


def _check_criterion(criterion: ScoringCriterion) -> None:
    try:
        engine.Criterion(
            key=criterion.key or "x",
            label=criterion.label,
            weight=float(criterion.weight if criterion.weight is not None else 0),
            direction=criterion.direction,  # type: ignore[arg-type]
            minimum=float(criterion.minimum),
            maximum=float(criterion.maximum),
        )
    except (engine.ScoringError, TypeError, ValueError) as exc:
        raise ValidationFailed(f"Criterion: {exc}") from None


@transaction.atomic
def criterion_create(*, actor: User, **data: Any) -> ScoringCriterion:
    """Add a criterion to the weighted model; every stored weighted score is recomputed."""
    access.require_admin(actor)
    data.setdefault("key", slugify(data.get("label", ""))[:40].replace("-", "_"))
    criterion = ScoringCriterion()
    assign(criterion, data, allowed=CRITERION_FIELDS)
    _check_criterion(criterion)
    saved = record_save(actor=actor, instance=criterion, before=None)
    rescore()
    return saved


@transaction.atomic
def criterion_update(*, actor: User, criterion: ScoringCriterion, **data: Any) -> ScoringCriterion:
    access.require_admin(actor)
    before = audit.snapshot(criterion)
    assign(criterion, data, allowed=CRITERION_FIELDS)
    _check_criterion(criterion)
    saved = record_save(actor=actor, instance=criterion, before=before)
    rescore()
    return saved


@transaction.atomic
def criterion_delete(*, actor: User, criterion: ScoringCriterion) -> None:
    access.require_admin(actor)
    record_delete(actor=actor, instance=criterion, blocked_by="it is in use")
    rescore()


@transaction.atomic
def frameworks_activate(*, actor: User, active: Iterable[str]) -> list[str]:
    """Choose which frameworks the organisation ranks by; at least one stays on."""
    access.require_admin(actor)
    active = set(active)
    unknown = sorted(active - set(FRAMEWORK_KEYS))
    if unknown:
        raise ValidationFailed(f"Unknown framework(s): {', '.join(unknown)}.")
    if not active:
        raise ValidationFailed("Keep at least one framework active, or nothing can be ranked.")
    for key in FRAMEWORK_KEYS:
        FrameworkSetting.objects.update_or_create(key=key, defaults={"active": key in active})
    return [k for k in FRAMEWORK_KEYS if k in active]
