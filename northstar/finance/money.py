"""Money in the company currency: the setting, the rates table and conversion at a month's rate."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from northstar.finance.models import ExchangeRate

CENT = Decimal("0.01")


def company_currency() -> str:
    """Every total in Northstar is in this currency (`NORTHSTAR_CURRENCY`, EUR by default)."""
    return str(settings.NORTHSTAR_CURRENCY)


def company_discount_rate() -> Decimal:
    """The company's discount rate a year, the default of every new business case."""
    return Decimal(settings.NORTHSTAR_DISCOUNT_RATE) / 100


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    """An amount with its currency; arithmetic across currencies goes through a `RateTable`."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


class RateTable:
    """All stored rates, loaded once: the rate for a currency on a day is the latest one valid then.

    The company currency converts at 1. A currency with no rate valid on the day is unknown on that
    day, and `rate` returns None so callers can refuse the row that needs it.
    """

    def __init__(self) -> None:
        self.home = company_currency()
        table: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for currency, valid_from, rate in ExchangeRate.objects.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "rate"
        ):
            table[currency].append((valid_from, rate))
        self._days = {c: [d for d, _ in rows] for c, rows in table.items()}
        self._rates = {c: [r for _, r in rows] for c, rows in table.items()}

    def knows(self, currency: str) -> bool:
        return currency == self.home or currency in self._rates

    def rate(self, currency: str, day: date) -> Decimal | None:
        if currency == self.home:
            return Decimal("1")
        days = self._days.get(currency)
        if not days:
            return None
        at = bisect.bisect_right(days, day) - 1
        return self._rates[currency][at] if at >= 0 else None

    def convert(self, amount: Decimal, currency: str, day: date) -> Decimal | None:
        """The amount in the company currency at the rate valid on `day`, to the cent; None if unknown."""
        rate = self.rate(currency, day)
        return None if rate is None else cents(amount * rate)

    def earliest(self, currency: str) -> date | None:
        days = self._days.get(currency)
        return days[0] if days else None
