"""Finance engine: discounted cash flow (NPV, IRR, payback, ROI), business cases with Monte Carlo NPV
and a tornado of what matters most, and run-rate projection with variance flags.

Pure Python + numpy/scipy; plain dataclasses in and out, amounts as floats in one currency (the finance
app converts Decimal money in the company currency on the way in and out).
"""

from northstar.engines.finance.cases import (
    Benefit,
    Case,
    Distribution,
    Figures,
    Swing,
    ThreePoint,
    evaluate,
    pert_samples,
    simulate,
    tornado,
)
from northstar.engines.finance.cashflow import irr, npv, payback_period, period_rate, roi
from northstar.engines.finance.runrate import Flag, Projection, run_rate_project, variance, variance_flag

__all__ = [
    "Benefit",
    "Case",
    "Distribution",
    "Figures",
    "Flag",
    "Projection",
    "Swing",
    "ThreePoint",
    "evaluate",
    "irr",
    "npv",
    "payback_period",
    "period_rate",
    "pert_samples",
    "roi",
    "run_rate_project",
    "simulate",
    "tornado",
    "variance",
    "variance_flag",
]
