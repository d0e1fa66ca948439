"""Where RICE's reach comes from: a number someone typed, or the customers who asked for it.

Frameworks only see an `InputSource`, so the feedback app can hand over an `EvidenceReach` built from
its feedback items (or its own source type) without any framework changing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast, runtime_checkable

from .base import ScoringError, as_number, fmt


@runtime_checkable
class ReachSource(Protocol):
    """Supplies RICE reach: people or accounts affected per period. None means 'not known yet'."""

    def resolve(self) -> float | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class ManualReach:
    """Reach as estimated by a person, with an optional note on where the number came from."""

    value: float
    note: str = ""

    def __post_init__(self) -> None:
        value = as_number(self.value, "reach", "at least 0", "reach")
        if value < 0:
            raise ScoringError(f"reach must be at least 0; got {fmt(value)}", field="reach")
        object.__setattr__(self, "value", value)

    def resolve(self) -> float | None:
        return self.value

    def describe(self) -> str:
        return f"estimated: {self.note}" if self.note else "estimated by hand"


@dataclass(frozen=True)
class CustomerRequest:
    """One customer asking for the initiative, with the revenue that customer brings (any currency)."""

    customer_id: str
    revenue: Decimal | float = 0


@dataclass(frozen=True)
class EvidenceReach:
    """Reach from evidence: the customers asking, optionally weighted by their revenue.

    Each distinct customer counts once however often they asked (their highest stated revenue is used).
    With `revenue_weighting` w in [0, 1] a customer counts (1 - w) + w × revenue / reference_revenue:
    w = 0 is a plain head-count, w = 1 counts a customer at the reference revenue (say, average revenue
    per account) as one and a customer at twice that as two. More customers or more revenue never
    lowers reach.
    """

    requests: Sequence[CustomerRequest | tuple[str, Decimal | float]]
    revenue_weighting: float = 0.0
    reference_revenue: Decimal | float | None = None

    def __post_init__(self) -> None:
        weighting = as_number(
            self.revenue_weighting, "revenue_weighting", "between 0 and 1", "revenue_weighting"
        )
        if not 0.0 <= weighting <= 1.0:
            raise ScoringError(
                f"revenue_weighting must be between 0 and 1; got {fmt(weighting)}", field="revenue_weighting"
            )
        object.__setattr__(self, "revenue_weighting", weighting)
        if weighting > 0:
            if self.reference_revenue is None:
                raise ScoringError(
                    "reference_revenue is required when revenue_weighting is above 0",
                    field="reference_revenue",
                )
            ref = as_number(
                self.reference_revenue, "reference_revenue", "greater than 0", "reference_revenue"
            )
            if ref <= 0:
                raise ScoringError(
                    f"reference_revenue must be greater than 0; got {fmt(ref)}", field="reference_revenue"
                )
        object.__setattr__(self, "requests", tuple(self._normalise(r) for r in self.requests))

    @staticmethod
    def _normalise(request: object) -> CustomerRequest:
        if not isinstance(request, CustomerRequest):
            try:
                customer_id, revenue = cast(tuple[Any, Any], request)
            except (TypeError, ValueError) as exc:
                raise ScoringError(
                    f"each request must be (customer_id, revenue); got {request!r}", field="requests"
                ) from exc
            request = CustomerRequest(customer_id, revenue)
        if not isinstance(request.customer_id, str) or not request.customer_id:
            raise ScoringError(
                f"customer_id must be non-empty text; got {request.customer_id!r}", field="requests"
            )
        revenue = as_number(request.revenue, "revenue", "at least 0", "requests")
        if revenue < 0:
            raise ScoringError(
                f"revenue of customer {request.customer_id!r} must be at least 0; got {fmt(revenue)}",
                field="requests",
            )
        return request

    def customers(self) -> dict[str, float]:
        """Distinct customers asking, with the highest revenue each stated."""
        best: dict[str, float] = {}
        for r in cast(tuple[CustomerRequest, ...], self.requests):  # normalised in __post_init__
            best[r.customer_id] = max(best.get(r.customer_id, 0.0), float(r.revenue))
        return best

    def resolve(self) -> float | None:
        customers = self.customers()
        w = float(self.revenue_weighting)
        if w == 0:
            return float(len(customers))
        ref = float(self.reference_revenue)  # type: ignore[arg-type]
        return math.fsum((1.0 - w) + w * revenue / ref for revenue in sorted(customers.values()))

    def describe(self) -> str:
        n = len(self.customers())
        asking = f"{n} customer{'s' if n != 1 else ''} asking"
        if self.revenue_weighting == 0:
            return asking
        return f"{asking}, {fmt_share(float(self.revenue_weighting))} weighted by revenue"


def fmt_share(w: float) -> str:
    return f"{fmt(w * 100)}%"
