"""Forecast engine: Monte Carlo delivery forecasts from each team's weekly throughput history.

Pure Python + numpy; plain dataclasses in and out. The delivery app turns its work items, teams and the
published roadmap into `TeamHistory` and `Work`, and the answer's weeks back into dates.
"""

from northstar.engines.forecast.simulate import (
    PERCENTILES,
    Cone,
    Forecast,
    Percentiles,
    TeamHistory,
    Work,
    WorkForecast,
    cone,
    forecast,
    percentile_weeks,
    team_finishes,
)

__all__ = [
    "PERCENTILES",
    "Cone",
    "Forecast",
    "Percentiles",
    "TeamHistory",
    "Work",
    "WorkForecast",
    "cone",
    "forecast",
    "percentile_weeks",
    "team_finishes",
]
