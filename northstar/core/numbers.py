"""Numbers people type, parsed once: every amount, capacity, estimate or rating goes through here, so a
value too large for its column (1e300 budget cells, a reach of 1e308) is a clear refusal, never a
crash when it is rounded, stored or multiplied.

* `decimal_in(raw, what=..., max_digits=..., decimal_places=...)` for money, weeks and weights
  (the limits of the model's DecimalField: `decimal_limits(Model, "field")`);
* `float_in(raw, what=..., limit=...)` for inputs of calculations (reach, impact, KPI values);
* `MAX_INT` is the largest whole number any of our databases stores; `RejectOutOfRangeNumbersMiddleware`
  in `core.middleware` refuses larger ones in addresses, query strings and JSON bodies.

And numbers as people read them, shown once: `money_text` ("€120,000", cents only when there are
some), `count_text` ("12", never "12.0"), `number_text` (at most two decimals, no trailing zeros) and
`percent_text` (whole percents, a decimal only where a whole one would mislead). Templates use them
as the `money`, `count`, `number` and `percent` filters (`{% load northstar %}`); the audit log and
history show changed values with them, knowing money by its field (`MoneyField`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypedDict

from django.conf import settings
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


# Numbers as people read them ----------------------------------------------------------------------

#: Currencies written with their symbol in front; any other shows its code after the amount.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "CN¥"}
#: What a missing or unreadable number shows as.
NO_NUMBER = "—"


class MoneyField(models.DecimalField):
    """An amount of money: a DecimalField that history and the audit log show as money. Its currency
    is the record's `currency` column when it has one, else the company currency. (Stored, and
    migrated, exactly as a DecimalField.)"""

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def _decimal(value: Any) -> Decimal | None:
    """Any number (or its text, as the audit log keeps Decimals) as a finite Decimal, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _rounded(number: Decimal, places: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money_text(amount: Any, currency: str = "", *, cents: bool | None = None) -> str:
    """120000 EUR -> "€120,000"; 1234.5 -> "€1,234.50"; 99 CHF -> "99 CHF"; None -> "—".

    Cents show when the amount has some (or always / never with `cents`); `currency` defaults to
    the company's (NORTHSTAR_CURRENCY)."""
    number = _decimal(amount)
    if number is None:
        return NO_NUMBER
    code = (currency or settings.NORTHSTAR_CURRENCY).upper()
    if cents is None:
        cents = _rounded(number, 2) != number.to_integral_value()
    shown = _rounded(abs(number), 2 if cents else 0)
    sign = "-" if number < 0 and shown else ""
    digits = f"{shown:,.{2 if cents else 0}f}"
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {code}"


def count_text(value: Any) -> str:
    """12.0 -> "12"; 12000 -> "12,000"; None -> "—". Counts are whole: a fraction is rounded."""
    number = _decimal(value)
    return NO_NUMBER if number is None else f"{_rounded(number, 0):,.0f}"


def number_text(value: Any, places: int = 2) -> str:
    """1234.5 -> "1,234.5"; "12.0" -> "12"; 0.30000000000000004 -> "0.3": at most `places` decimals,
    no trailing zeros, thousands separated."""
    number = _decimal(value)
    if number is None:
        return NO_NUMBER
    text = f"{_rounded(number, places):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent_text(fraction: Any, digits: int | None = None) -> str:
    """A 0-1 share as a percentage: 0.623 -> "62%", 0.0123 -> "1.2%", 0.999 -> "99.9%", 0.0001 ->
    "<0.1%"; None -> "—".

    Whole percents, except under 10% (where a decimal still matters) and where rounding would say
    0% or 100% of something that is neither; `digits` fixes the decimals instead."""
    number = _decimal(fraction)
    if number is None:
        return NO_NUMBER
    share = number * 100
    if digits is None:
        digits = 0 if abs(share) >= 10 or share == share.to_integral_value() else 1
        if digits == 0 and _rounded(abs(share), 0) == 100 and abs(share) != 100:
            digits = 1
    shown = _rounded(share, digits)
    if not shown and share:
        return f"{'>-' if share < 0 else '<'}{Decimal(1).scaleb(-max(digits, 1))}%"
    return f"{shown:,.{digits}f}%"
