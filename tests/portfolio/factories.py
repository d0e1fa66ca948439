"""Prioritisation factories: scored initiatives and weighted-model criteria."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from northstar.core.models import User
from northstar.portfolio import scoring
from northstar.portfolio.models import Initiative, ScoringCriterion


def rice(actor: User, initiative: Initiative, reach: float, **more: Any) -> Initiative:
    """Give an initiative a RICE score equal to its reach (impact 1, confidence 100%, effort 1)."""
    inputs = {"reach": reach, "impact": 1.0, "confidence": 100, "effort": 1.0, **more}
    scoring.scoring_update(actor=actor, initiative=initiative, **inputs)
    return initiative


def make_criterion(**kw: Any) -> ScoringCriterion:
    defaults: dict[str, Any] = {"key": "growth", "label": "Growth", "weight": Decimal("1")}
    defaults.update(kw)
    return ScoringCriterion.objects.create(**defaults)
