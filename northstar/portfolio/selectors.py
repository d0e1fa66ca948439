"""Reads of the portfolio. One filter definition serves the web list and the API list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from northstar.portfolio.models import Initiative, ScoringInput


@dataclass(frozen=True)
class InitiativeFilters:
    """What a user can narrow the initiative list by; empty values mean 'any'."""

    search: str = ""
    line: int | None = None
    product: int | None = None
    stage: str = ""
    owner: int | None = None
    kind: str = ""
    tag: str = ""
    parent: int | None = None


def initiative_list(filters: InitiativeFilters = InitiativeFilters()) -> QuerySet[Initiative]:
    """Initiatives with everything a list row shows, in a fixed number of queries."""
    qs = Initiative.objects.select_related("product__line", "owner").prefetch_related("tags")
    if filters.search:
        qs = qs.filter(Q(title__icontains=filters.search) | Q(description__icontains=filters.search))
    if filters.line:
        qs = qs.filter(product__line_id=filters.line)
    if filters.product:
        qs = qs.filter(product_id=filters.product)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag.lower())
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    return qs.order_by("-updated_at", "-id")


def initiative_detail_queryset() -> QuerySet[Initiative]:
    return Initiative.all_objects.select_related("product__line", "owner", "parent").prefetch_related(
        "tags", "children"
    )


def stage_counts() -> dict[str, int]:
    from django.db.models import Count

    return dict(Initiative.objects.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))


def effort_by_initiative(initiative_ids: Iterable[int]) -> dict[int, float]:
    """Team-weeks per initiative: the PERT expectation of its estimate, else its rough effort.

    Initiatives with neither are left out, so callers decide how to count unknown effort.
    """
    rows = ScoringInput.objects.filter(initiative_id__in=list(initiative_ids)).values_list(
        "initiative_id", "estimated_effort", "effort"
    )
    efforts = {pk: est if est is not None else rough for pk, est, rough in rows}
    return {pk: float(effort) for pk, effort in efforts.items() if effort is not None}
