"""Factories of the market area: the smallest valid records, every field overridable by keyword."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from northstar.market.models import (
    Capability,
    Competitor,
    Deal,
    DealReason,
    ReasonLink,
    Segment,
    SizeEstimate,
)

_seq = itertools.count(1)


def make_segment(**kw: Any) -> Segment:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"Segment {n}", "dimension": Segment.Dimension.COMPANY_SIZE}
    defaults.update(kw)
    return Segment.objects.create(**defaults)


def make_estimate(segment: Segment, **kw: Any) -> SizeEstimate:
    defaults: dict[str, Any] = {
        "as_of": date(2026, 1, 1),
        "tam": Decimal("1000000"),
        "sam": Decimal("400000"),
        "som": Decimal("40000"),
        "spread": Decimal("0.2"),
        "source": "A study",
    }
    defaults.update(kw)
    return SizeEstimate.objects.create(segment=segment, **defaults)


def make_competitor(**kw: Any) -> Competitor:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"Rival {n}"}
    defaults.update(kw)
    return Competitor.objects.create(**defaults)


def make_capability(**kw: Any) -> Capability:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"Capability {n}"}
    defaults.update(kw)
    return Capability.objects.create(**defaults)


def make_deal(*, reasons: tuple[str, ...] = (), **kw: Any) -> Deal:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "external_id": f"D-{n}",
        "name": f"Deal {n}",
        "account": f"Account {n}",
        "amount": Decimal("1000"),
        "outcome": "lost",
        "closed_on": date(2026, 2, 1),
    }
    defaults.update(kw)
    deal = Deal.objects.create(**defaults)
    DealReason.objects.bulk_create(DealReason(deal=deal, reason=r) for r in reasons)
    return deal


def lost_reason(reason: str = "price") -> str:
    """A reason some lost deal gives (so it can be linked to an idea)."""
    make_deal(outcome="lost", reasons=(reason,))
    return reason


def reason_link(initiative: Any, reason: str = "price") -> ReasonLink:
    return ReasonLink.objects.create(reason=lost_reason(reason), initiative=initiative)
