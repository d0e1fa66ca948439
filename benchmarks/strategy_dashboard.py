"""Strategy dashboard with the demo company: server time and query count per request.

Loads the standard demo (25 KPIs with two years of weekly values, two quarters of OKRs, aligned work)
into a throw-away SQLite database (or the PostgreSQL at DATABASE_URL when given), then requests the
strategy pages as a product leader. The budget for the dashboard is 300 ms of server time.

    .venv/bin/python benchmarks/strategy_dashboard.py [--repeat 20] [--json FILE]
"""

from __future__ import annotations

import argparse

from _site import boot, load_site, measure, report, result_path, signed_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    boot()
    from django.db import connection

    from northstar.core.roles import Role
    from northstar.strategy.models import Metric, MetricValue

    load_seconds = load_site("standard")
    client = signed_in("bench-leader", Role.LEADER)
    metric = Metric.objects.get(key="api_latency_p95")
    pages = [
        ("dashboard", "/strategy/"),
        ("KPI list", "/strategy/kpis/"),
        ("KPI detail", f"/strategy/kpis/{metric.pk}/"),
        ("alignment", "/strategy/alignment/"),
        ("north-star tree", "/strategy/tree/"),
        ("API anomalies", "/api/v1/anomalies"),
    ]
    rows = [
        measure(name, lambda url=url: client.get(url), repeat=args.repeat, warm=True) for name, url in pages
    ]
    report(
        f"Strategy pages on {connection.vendor}: {Metric.objects.count()} KPIs, "
        f"{MetricValue.objects.count():,} values (demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case",
        rows,
        path=result_path(args.json, "strategy_dashboard"),
        extra={"demo_load_seconds": round(load_seconds, 2)},
    )


if __name__ == "__main__":
    main()
