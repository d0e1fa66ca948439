"""Numbers people type, parsed once: every amount, capacity, estimate or rating goes through here, so a
value too large for its column (1e300 budget cells, a reach of 1e308) is a clear refusal, never a
crash when it is rounded, stored or multiplied.

* `decimal_in(raw, what=..., max_digits=..., decimal_places=...)` for money, weeks and weights
  (the limits of the model's DecimalField: `decimal_limits(Model, "field")`);
* `float_in(raw, what=..., limit=...)` for inputs of calculations (reach, impact, KPI values);
* `MAX_INT` is the largest whole number any of our databases stores; `RejectOutOfRangeNumbersMiddleware`
  in `core.middleware` refuses larger ones in addresses, query strings and JSON bodies.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.db import models

from northstar.core.errors import ValidationFailed

#: The largest whole number SQLite and PostgreSQL (bigint) store.
MAX_INT = 2**63 - 1
#: Inputs of calculations (reach, impact, values of a KPI) stay below this, so products of a few of
#: them stay finite and readable.
FLOAT_LIMIT = 1e15


class DecimalLimits(TypedDict):
    max_digits: int
    decimal_places: int


def decimal_limits(model: type[models.Model], field: str) -> DecimalLimits:
    """The `max_digits` and `decimal_places` of a model's DecimalField, for `decimal_in`."""
    column = model._meta.get_field(field)
    return {"max_digits": column.max_digits, "decimal_places": column.decimal_places}  # type: ignore[union-attr]


def decimal_in(
    raw: Any,
    *,
    what: str,
    max_digits: int,
    decimal_places: int,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    exact: bool = False,
) -> Decimal:
    """A typed number as a Decimal that fits its column, rounded to its places; refused with words if not.

    Accepts numbers and text ("1,200.50" too); refuses empty text, infinities, NaN and anything whose
    whole part has more digits than the column holds. With `exact`, more decimal places than the
    column keeps are refused instead of rounded.
    """
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            f"{what} must be a number; got {str(raw)[:40]!r}.", detail=_field(what)
        ) from None
    if not value.is_finite():
        raise ValidationFailed(f"{what} must be a finite number; got {text[:40]!r}.", detail=_field(what))
    if minimum is not None and value < minimum:
        raise ValidationFailed(f"{what} cannot be below {minimum}.", detail=_field(what))
    if maximum is not None and value > maximum:
        raise ValidationFailed(f"{what} cannot be above {maximum}.", detail=_field(what))
    whole_digits = max_digits - decimal_places
    largest = Decimal(10) ** whole_digits - Decimal(1).scaleb(-decimal_places)
    if abs(value) > largest:
        raise ValidationFailed(
            f"{what} must be at most {largest:,} (got {_short(value)}).", detail=_field(what)
        )
    rounded = value.quantize(Decimal(1).scaleb(-decimal_places))
    if exact and rounded != value:
        raise ValidationFailed(
            f"{what} can have at most {decimal_places} decimal places; got {text}.", detail=_field(what)
        )
    return rounded


def float_in(raw: Any, *, what: str, limit: float = FLOAT_LIMIT) -> float:
    """A typed number as a finite float of at most `limit` in size; refused with words if not."""
    try:
        value = float(str(raw).strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(
            f"{what} must be a number; got {str(raw)[:40]!r}.", detail=_field(what)
        ) from None
    if not math.isfinite(value):
        raise ValidationFailed(f"{what} must be a finite number.", detail=_field(what))
    if abs(value) > limit:
        raise ValidationFailed(
            f"{what} must be at most {limit:,.0f} (got {_short(value)}).", detail=_field(what)
        )
    return value


def _short(value: Decimal | float) -> str:
    return f"{value:.3g}" if abs(float(value)) >= 1e9 else str(value)


def _field(what: str) -> dict[str, str]:
    return {"field": what}
