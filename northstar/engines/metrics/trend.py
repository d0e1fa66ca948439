"""How a KPI is moving: the latest level against a year ago (seasonality cancels) or a quarter ago."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Trend:
    """Change of the recent level against a reference level some points back."""

    latest: float  # mean of the last `smooth` points
    reference: float  # mean of the same number of points `lag` points earlier
    lag: int  # how far back the reference is (52 = a year of weeks)
    change: float  # latest - reference
    relative: float | None  # change / |reference|, None when the reference is 0

    @property
    def direction(self) -> str:
        """'up', 'down' or 'flat' (under 1% either way)."""
        if self.relative is not None and abs(self.relative) < 0.01:
            return "flat"
        if self.change == 0:
            return "flat"
        return "up" if self.change > 0 else "down"


def trend(
    values: Sequence[float], *, season: int = 52, fallback_lag: int = 13, smooth: int = 4
) -> Trend | None:
    """Year-over-year when a full season plus `smooth` points exist, else against `fallback_lag` back.

    Averaging `smooth` points at both ends keeps one noisy week from deciding the arrow.
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    for lag in (season, fallback_lag):
        if lag > 0 and n >= lag + smooth:
            latest = float(x[n - smooth :].mean())
            reference = float(x[n - lag - smooth : n - lag].mean())
            change = latest - reference
            return Trend(
                latest=latest,
                reference=reference,
                lag=lag,
                change=change,
                relative=change / abs(reference) if reference else None,
            )
    return None
