"""Product analytics and UX friction over captured events, as columns (see `events`).

`events` holds the column layout and sessions, `funnels` funnels and retention, `detectors` the
friction signals and their ranking, `reach` how linked friction feeds an initiative's reach. Everything
is importable from here (`from northstar.engines import friction as engine`). No Django, no database.
"""

from .detectors import (
    VITAL_LIMITS,
    VITALS,
    FrictionIssue,
    Occurrence,
    Signal,
    SlowPage,
    dead_clicks,
    detect,
    error_clicks,
    errors,
    form_abandonment,
    rage_clicks,
    rank_friction,
    slow_pages,
)
from .events import (
    CLICK,
    CUSTOM,
    ERROR,
    ERROR_WINDOW,
    PAGEVIEW,
    RAGE_CLICKS,
    RAGE_RADIUS,
    RAGE_WINDOW,
    SESSION_GAP,
    VITAL,
    WEEK,
    Events,
    sessionise,
)
from .funnels import Cohort, FunnelResult, funnel, retention
from .reach import FrictionReach

__all__ = [
    "CLICK",
    "CUSTOM",
    "ERROR",
    "ERROR_WINDOW",
    "PAGEVIEW",
    "RAGE_CLICKS",
    "RAGE_RADIUS",
    "RAGE_WINDOW",
    "SESSION_GAP",
    "VITAL",
    "VITALS",
    "VITAL_LIMITS",
    "WEEK",
    "Cohort",
    "Events",
    "FrictionIssue",
    "FrictionReach",
    "FunnelResult",
    "Occurrence",
    "Signal",
    "SlowPage",
    "dead_clicks",
    "detect",
    "error_clicks",
    "errors",
    "form_abandonment",
    "funnel",
    "rage_clicks",
    "rank_friction",
    "retention",
    "sessionise",
    "slow_pages",
]
