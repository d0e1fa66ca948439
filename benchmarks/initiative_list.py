"""Initiative list at load-test scale: query count and server time per request.

Loads the large demo (10,000 initiatives, 400 people) into a throw-away SQLite database (or the
PostgreSQL at DATABASE_URL when given), then requests the list page as a product leader: page 1, a
deep page, a search, filters, and the HTMX results fragment.

    .venv/bin/python benchmarks/initiative_list.py [--repeat 20] [--json FILE]
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
    parser.add_argument("--json", default=str(ROOT / "benchmarks/results/initiative_list.json"))
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
    from northstar.org.models import ProductLine
    from northstar.portfolio.models import Initiative

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_demo(scale="large")
    load_seconds = time.perf_counter() - started
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    line = ProductLine.objects.order_by("id").first()
    total = Initiative.objects.count()

    cases = [
        ("page 1", "/portfolio/", {}),
        ("page 150", "/portfolio/", {"page": 150}),
        ("search 'checkout'", "/portfolio/", {"search": "checkout"}),
        ("line + stage filter", "/portfolio/", {"line": line.pk, "stage": "planned"}),
        ("HTMX results, page 2", "/portfolio/", {"page": 2, "_htmx": 1}),
    ]
    rows = []
    for name, url, params in cases:
        headers = {"HTTP_HX_REQUEST": "true"} if params.pop("_htmx", None) else {}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params, **headers)
        assert response.status_code == 200, (name, response.status_code)
        query_count = len(queries)  # read now: the next request resets the connection's query log
        timings = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            client.get(url, params, **headers)
            timings.append((time.perf_counter() - t0) * 1000)
        rows.append(
            {
                "case": name,
                "queries": query_count,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 1),
            }
        )

    vendor = connection.vendor
    print(
        f"Initiative list, {total:,} initiatives on {vendor} (demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case"
    )
    print(f"{'case':<24} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['case']:<24} {row['queries']:>7} {row['median_ms']:>10} {row['p95_ms']:>8}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "database": vendor,
                "initiatives": total,
                "demo_load_seconds": round(load_seconds, 2),
                "cases": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
