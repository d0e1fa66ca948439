"""Small helpers the section builders share: how numbers read, and how long tables may get."""

from __future__ import annotations

from decimal import Decimal

from northstar.rendering.spec import Cell

#: Rows a pack table shows; the rest are counted ("and 40 more") and stay one click away.
TABLE_ROWS = 12
CHART_ITEMS = 10
TONE = {"on_track": "good", "at_risk": "warn", "off_track": "bad"}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def pct_value(value: float | None) -> float | None:
    """A 0-1 share as a percentage with one decimal (what charts and stored figures hold)."""
    return None if value is None else round(value * 100, 1)


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{text} {unit}".strip()


def money(amounts: dict[str, float] | dict[str, Decimal] | dict[str, object]) -> str:
    if not amounts:
        return "—"
    return ", ".join(f"{float(str(v)):,.0f} {currency}" for currency, v in sorted(amounts.items()))


def cells(*values: str | Cell) -> tuple[Cell, ...]:
    return tuple(v if isinstance(v, Cell) else Cell(str(v)) for v in values)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
