"""The market section of a board pack: where the money is (segments by SAM and our share), how often we
win and against whom, and why we lose, as the records stood at the pack's cut-off.

Read by `northstar.reports.sections.pending.market` through `providers.area`; market knowledge is
company-wide, so a line review shows the same picture (said in the narrative)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from northstar.market import selectors
from northstar.market.models import Rating
from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table

ROWS = 8


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _rate_text(rate: Any) -> str:
    if rate.rate is None:
        return "no decided deals"
    return f"{_pct(rate.rate)} ({_pct(rate.low)}–{_pct(rate.high)}, {rate.won} won / {rate.lost} lost)"


def pack_section(context: Any) -> Section:
    cut_off = context.cut_off
    rows = [r for r in selectors.segment_rows(as_of=cut_off) if r.size is not None]
    wl = selectors.win_loss(since=cut_off - timedelta(days=365), until=cut_off)
    if not rows and wl.overall.decided == 0:
        return Section(
            key="market",
            title="Market",
            empty="No data yet: add segments with size estimates, or import deals, under Market.",
        )
    segments_source = Source("Market segments", reverse("market:index"))
    deals_source = Source(f"Deals closed in the year to {cut_off:%Y-%m-%d}", reverse("market:win_loss"))
    currency = rows[0].segment.currency if rows else wl.currency
    same = [r for r in rows if r.segment.currency == currency]
    sam = sum(r.size.sam.likely for r in same if r.size)
    ours = sum(float(r.revenue) for r in same)
    figures = [
        Figure(
            "market.win_rate",
            "Win rate, last 12 months",
            wl.overall.rate * 100 if wl.overall.rate is not None else None,
            _rate_text(wl.overall),
            deals_source,
            unit="%",
        ),
        Figure(
            "market.sam",
            f"Serviceable market ({currency} a year)",
            sam,
            f"{sam:,.0f} {currency}",
            segments_source,
        ),
        Figure(
            "market.share",
            "Our share of it",
            ours / sam * 100 if sam else None,
            f"{ours / sam:.1%}" if sam else "—",
            segments_source,
            unit="%",
        ),
    ]
    changed = Rating.objects.filter(rated_on__gt=cut_off - timedelta(days=90), rated_on__lte=cut_off).count()
    figures.append(
        Figure(
            "market.matrix_changes",
            "Capability ratings changed, last 90 days",
            changed,
            f"{changed:,}",
            Source(
                "What changed", reverse("market:changes") + f"?since={cut_off - timedelta(days=90):%Y-%m-%d}"
            ),
        )
    )
    charts = []
    if same:
        shown = sorted(same, key=lambda r: -(r.size.sam.likely if r.size else 0))[:ROWS]
        charts.append(
            Chart(
                key="market.segments",
                kind="column",
                title=f"Segments: SAM and our revenue ({currency} a year)",
                categories=tuple(r.segment.name for r in shown),
                series=(
                    Series("SAM", tuple(r.size.sam.likely if r.size else None for r in shown)),
                    Series("SOM", tuple(r.size.som.likely if r.size else None for r in shown)),
                    Series("Our revenue", tuple(float(r.revenue) for r in shown)),
                ),
                source=segments_source,
            )
        )
    tables = []
    if wl.by_competitor:
        tables.append(
            Table(
                "market.competitors",
                "Win rate by competitor",
                ("Competitor", "Win rate (90 % interval)"),
                tuple(
                    (
                        Cell(r.label, reverse("market:competitor_detail", args=[r.key]) if r.key else ""),
                        Cell(
                            _rate_text(r.rate),
                            tone="bad" if r.rate.high is not None and r.rate.high < 0.3 else "",
                        ),
                    )
                    for r in wl.by_competitor[:ROWS]
                ),
                more=max(0, len(wl.by_competitor) - ROWS),
            )
        )
    if wl.reasons:
        tables.append(
            Table(
                "market.reasons",
                "Top loss reasons",
                ("Reason", "Deals lost", f"Amount lost ({wl.currency})", "Evidence for"),
                tuple(
                    (
                        Cell(
                            r.reason.capitalize(), reverse("market:reason") + "?" + urlencode({"r": r.reason})
                        ),
                        Cell(f"{r.deals:,}"),
                        Cell(f"{r.amount:,.0f}"),
                        Cell(", ".join(lk.initiative.title for lk in r.links) or "no idea linked yet"),
                    )
                    for r in wl.reasons[:ROWS]
                ),
            )
        )
    trend = wl.quarter_trend
    narrative = ""
    if trend is not None:
        direction = "up" if trend.slope > 0.005 else "down" if trend.slope < -0.005 else "flat"
        narrative = f"The quarterly win rate is {direction} ({trend.slope * 100:+.1f} points a quarter)."
    if context.line is not None:
        narrative += " Market figures are company-wide."
    return Section(
        key="market",
        title="Market",
        narrative=narrative.strip(),
        figures=tuple(figures),
        charts=tuple(charts),
        tables=tuple(tables),
        sources=(segments_source, deals_source),
    )
