"""Strategy dashboard with the demo company: server time and query count per request.

Loads the standard demo (25 KPIs with two years of weekly values, two quarters of OKRs, aligned work)
into a throw-away SQLite database (or the PostgreSQL at DATABASE_URL when given), then requests the
strategy pages as a product leader. The budget for the dashboard is 300 ms of server time.

    .venv/bin/python benchmarks/strategy_dashboard.py [--repeat 20] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    os.environ.setdefault("NORTHSTAR_DATA_DIR", tempfile.mkdtemp(prefix="northstar-bench-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "northstar.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.core.models import User
    from northstar.core.roles import Role
    from northstar.demo import load_demo
    from northstar.strategy.models import Metric, MetricValue

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_demo(scale="standard")
    load_seconds = time.perf_counter() - started
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    metric = Metric.objects.get(key="api_latency_p95")

    cases = [
        ("dashboard", "/strategy/"),
        ("KPI list", "/strategy/kpis/"),
        ("KPI detail", f"/strategy/kpis/{metric.pk}/"),
        ("alignment", "/strategy/alignment/"),
        ("north-star tree", "/strategy/tree/"),
        ("API anomalies", "/api/v1/anomalies"),
    ]
    rows = []
    for name, url in cases:
        client.get(url)  # warm caches and imports once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        query_count = len(queries)
        timings = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
        rows.append(
            {
                "case": name,
                "queries": query_count,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 1),
                "kb": round(len(response.content) / 1024, 1),
            }
        )

    vendor = connection.vendor
    print(
        f"Strategy pages on {vendor}: {Metric.objects.count()} KPIs, {MetricValue.objects.count():,} values "
        f"(demo load {load_seconds:.1f} s), {args.repeat} requests per case"
    )
    print(f"{'case':<18} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'KB':>7}")
    for row in rows:
        print(
            f"{row['case']:<18} {row['queries']:>7} {row['median_ms']:>10} {row['p95_ms']:>8} {row['kb']:>7}"
        )
    path = Path(
        args.json
        or ROOT / f"benchmarks/results/strategy_dashboard{'_postgres' if vendor == 'postgresql' else ''}.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"database": vendor, "demo_load_seconds": round(load_seconds, 2), "cases": rows}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
