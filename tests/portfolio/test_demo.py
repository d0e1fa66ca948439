"""Prioritisation demo data: realistic, consistent with the engine, acyclic, deterministic, idempotent."""

from __future__ import annotations

import pytest

from northstar.demo import load_demo
from northstar.portfolio import governance, scoring
from northstar.portfolio.models import (
    CriterionRating,
    Decision,
    DecisionKind,
    Dependency,
    EstimateLine,
    Initiative,
    ScoringInput,
    Stage,
)


def _fingerprint() -> list[tuple]:
    return list(
        ScoringInput.objects.order_by("initiative__title", "initiative_id").values_list(
            "initiative__title", "reach", "confidence", "rice_score", "weighted_score", "estimated_effort"
        )
    )


@pytest.mark.django_db
def test_demo_scores_estimates_dependencies_and_decisions():
    added = load_demo()
    assert added["scored initiatives"] == Initiative.objects.count() == 150
    assert governance.gate_rules()[Stage.DISCOVERY] == ["problem_statement", "evidence"]
    # Stored scores are exactly what the engine says.
    model = scoring.weighted_model()
    for row in ScoringInput.objects.all()[:40]:
        ratings = scoring.ratings_of([row.pk])[row.pk]
        fresh = scoring.ScoringInput(
            **{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
        )
        scoring.apply_scores(fresh, ratings, model)
        assert (fresh.rice_score, fresh.weighted_score) == (row.rice_score, row.weighted_score)
    planned = Initiative.objects.filter(stage=Stage.PLANNED)
    assert (
        EstimateLine.objects.filter(initiative__in=planned).values("initiative").distinct().count()
        == planned.count()
    )
    assert ScoringInput.objects.filter(reach_source="evidence").exists()
    assert CriterionRating.objects.count() == 150 * 4
    # Every item past idea has the stage changes that brought it there; go/stop calls carry options.
    moved = Initiative.objects.exclude(stage=Stage.IDEA)
    assert (
        Decision.objects.filter(kind=DecisionKind.STAGE_CHANGE).values("initiative").distinct().count()
        == moved.count()
    )
    assert Decision.objects.filter(kind=DecisionKind.DECISION).exclude(options="").exists()
    # Dependencies form a DAG: the service's own cycle search finds no way back along any edge.
    edges: dict[int, list[int]] = {}
    for a, b in Dependency.objects.values_list("initiative_id", "requires_id"):
        edges.setdefault(a, []).append(b)
    assert len(edges) >= 20
    assert all(governance._find_path(edges, b, a) is None for a, bs in edges.items() for b in bs)


@pytest.mark.django_db
def test_demo_is_idempotent_and_deterministic():
    load_demo()
    first = _fingerprint()
    counts = (Decision.objects.count(), Dependency.objects.count(), EstimateLine.objects.count())
    again = load_demo()
    assert not any(again.values())
    assert (Decision.objects.count(), Dependency.objects.count(), EstimateLine.objects.count()) == counts
    ScoringInput.objects.all().delete()
    for model in (Decision, Dependency, EstimateLine, CriterionRating):
        model.objects.all().delete()
    load_demo()
    assert _fingerprint() == first
