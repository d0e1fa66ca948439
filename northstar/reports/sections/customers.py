"""The customer themes with the most demand in the last 90 days before the cut-off."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse

from northstar.feedback.models import Customer, FeedbackItem, Theme
from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.reports.sections import Context
from northstar.reports.sections.common import CHART_ITEMS, TABLE_ROWS, cells, money

WINDOW_DAYS = 90


def themes(context: Context) -> Section:
    until = context.cut_off
    since = until - timedelta(days=WINDOW_DAYS)
    items = FeedbackItem.objects.filter(
        theme__isnull=False, theme__status=Theme.Status.ACTIVE, received_at__date__lte=until
    )
    if context.line is not None:
        items = items.filter(links__initiative__product__line=context.line)
    window = items.filter(received_at__date__gt=since)
    before = items.filter(
        received_at__date__gt=since - timedelta(days=WINDOW_DAYS), received_at__date__lte=since
    )
    counts = list(
        window.values_list("theme_id")
        .annotate(n=Count("id", distinct=True), c=Count("customer", distinct=True))
        .order_by("-n", "theme_id")[:TABLE_ROWS]
    )
    if not counts:
        return Section(key="themes", title="Customer themes", empty="No themed feedback in the last 90 days.")
    ids = [theme_id for theme_id, _n, _c in counts]
    names = dict(Theme.objects.filter(pk__in=ids).values_list("id", "name"))
    earlier = dict(before.filter(theme_id__in=ids).values_list("theme_id").annotate(n=Count("id")).order_by())
    revenue: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pairs = window.filter(theme_id__in=ids, customer__isnull=False).values_list("theme_id", "customer_id")
    customer_ids = {c for _t, c in pairs.distinct()}
    accounts = {
        pk: (float(amount), currency)
        for pk, amount, currency in Customer.objects.filter(pk__in=customer_ids).values_list(
            "id", "annual_revenue", "currency"
        )
    }
    for theme_id, customer_id in set(pairs):
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
    total = window.values("id").distinct().count()
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
