"""The customer themes with the most demand in the last 90 days before the cut-off."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from northstar.feedback.models import Customer, FeedbackItem, Theme
from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.reports.sections import Context
from northstar.reports.sections.common import CHART_ITEMS, TABLE_ROWS, cells, money

WINDOW_DAYS = 90


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def themes(context: Context) -> Section:
    until = context.cut_off
    since = until - timedelta(days=WINDOW_DAYS)
    # One read of the 180 days (this window and the one before), bounded by times rather than by
    # `received_at__date`: a date lookup wraps every row in a function, so each of the five queries
    # this took scanned the whole feedback table (over 1 s each on the large demo); a range uses the
    # index on received_at.
    items = FeedbackItem.objects.filter(
        theme__isnull=False,
        theme__status=Theme.Status.ACTIVE,
        received_at__gte=_day_start(since - timedelta(days=WINDOW_DAYS - 1)),
        received_at__lt=_day_start(until + timedelta(days=1)),
    )
    if context.line is not None:
        items = items.filter(links__initiative__product__line=context.line)
    opens = _day_start(since + timedelta(days=1))
    window: dict[int, tuple[int, int | None]] = {}  # item -> (theme, customer), each item once
    before: dict[int, int] = {}
    for item_id, theme_id, customer_id, received_at in items.values_list(
        "id", "theme_id", "customer_id", "received_at"
    ).order_by():
        if received_at >= opens:
            window[item_id] = (theme_id, customer_id)
        else:
            before[item_id] = theme_id
    per_theme: dict[int, int] = defaultdict(int)
    customers_of: dict[int, set[int]] = defaultdict(set)
    for theme_id, customer_id in window.values():
        per_theme[theme_id] += 1
        if customer_id is not None:
            customers_of[theme_id].add(customer_id)
    counts = sorted(
        ((t, n, len(customers_of[t])) for t, n in per_theme.items()), key=lambda row: (-row[1], row[0])
    )[:TABLE_ROWS]
    if not counts:
        return Section(key="themes", title="Customer themes", empty="No themed feedback in the last 90 days.")
    ids = [theme_id for theme_id, _n, _c in counts]
    names = dict(Theme.objects.filter(pk__in=ids).values_list("id", "name"))
    earlier: dict[int, int] = defaultdict(int)
    for theme_id in before.values():
        earlier[theme_id] += 1
    revenue: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    customer_ids = set().union(*(customers_of[t] for t in ids))
    accounts = {
        pk: (float(amount), currency)
        for pk, amount, currency in Customer.objects.filter(pk__in=customer_ids).values_list(
            "id", "annual_revenue", "currency"
        )
    }
    for theme_id in ids:
        for customer_id in customers_of[theme_id]:
            amount, currency = accounts[customer_id]
            revenue[theme_id][currency] += amount
    source = Source("Feedback themes", reverse("feedback:themes"))
    shown = counts[:CHART_ITEMS]
    chart = Chart(
        key="themes.items",
        kind="bar",
        title=f"Feedback items per theme, last {WINDOW_DAYS} days",
        categories=tuple(names.get(t, f"Theme {t}") for t, _n, _c in shown),
        series=(Series("Items", tuple(float(n) for _t, n, _c in shown)),),
        source=source,
    )
    rows = []
    for theme_id, n, c in counts:
        was = earlier.get(theme_id, 0)
        change = "new" if not was else f"{(n - was) / was:+.0%}"
        rows.append(
            cells(
                Cell(
                    names.get(theme_id, f"Theme {theme_id}"),
                    reverse("feedback:theme_detail", args=[theme_id]),
                ),
                f"{n:,}",
                f"{c:,}",
                money(dict(revenue[theme_id])),
                Cell(change, tone="warn" if was and n > was * 1.25 else ""),
            )
        )
    total = len(window)
    figures = (
        Figure(
            "themes.items", f"Themed feedback items, last {WINDOW_DAYS} days", total, f"{total:,}", source
        ),
        Figure("themes.top", "Top theme", counts[0][1], names.get(counts[0][0], ""), source),
    )
    return Section(
        key="themes",
        title="Customer themes",
        figures=figures,
        charts=(chart,),
        tables=(
            Table(
                "themes",
                "Top themes",
                ("Theme", "Items", "Customers", "Revenue behind it", "Change vs the 90 days before"),
                tuple(rows),
            ),
        ),
        sources=(source, Source("Demand", reverse("feedback:demand"))),
    )
