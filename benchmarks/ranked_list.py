"""Ranked list at load-test scale: query count and server time per request, per framework.

Loads the large demo (10,000 initiatives, each scored, estimated where planned, with decisions) into a
throw-away SQLite database (or the PostgreSQL at DATABASE_URL when given), then requests the ranked
list as a product leader and as a product manager: each framework's first page, a deep page, filters,
the HTMX fragment, an inline edit that re-ranks, and the full CSV export.

    .venv/bin/python benchmarks/ranked_list.py [--repeat 20] [--json FILE]
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
    from northstar.org.models import Person, ProductLine
    from northstar.portfolio.models import Initiative

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_demo(scale="large")
    load_seconds = time.perf_counter() - started
    leader, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    pm, _ = User.objects.get_or_create(username="bench-pm", defaults={"role": Role.PRODUCT_MANAGER})
    line = ProductLine.objects.get(name="Commerce")
    person = Person.objects.filter(teams__line=line, user__isnull=True).order_by("id").first()
    person.user = pm
    person.save()
    total = Initiative.objects.count()
    editable = Initiative.objects.filter(product__line=line).order_by("id").first()

    clients = {}
    for name, user in (("leader", leader), ("pm", pm)):
        clients[name] = Client(HTTP_HOST="127.0.0.1")
        clients[name].force_login(user)

    def get(who: str, url: str, params: dict, htmx: bool = False):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        return lambda: clients[who].get(url, params, **headers)

    reach = iter(range(10_000, 10_000_000, 7))

    def inline():
        return clients["pm"].post(
            f"/portfolio/{editable.pk}/scores/inline/",
            {"framework": "rice", "reach": str(next(reach))},
            HTTP_HX_REQUEST="true",
        )

    def export():
        response = clients["leader"].get("/portfolio/ranked.csv", {"framework": "rice"})
        b"".join(response.streaming_content)
        return response

    cases = [
        ("RICE page 1 (leader)", get("leader", "/portfolio/ranked/", {"framework": "rice"})),
        ("RICE page 1 (PM)", get("pm", "/portfolio/ranked/", {"framework": "rice"})),
        ("ICE page 1", get("leader", "/portfolio/ranked/", {"framework": "ice"})),
        ("WSJF page 1", get("leader", "/portfolio/ranked/", {"framework": "wsjf"})),
        ("Value/effort page 1", get("leader", "/portfolio/ranked/", {"framework": "value_effort"})),
        ("Kano page 1", get("leader", "/portfolio/ranked/", {"framework": "kano"})),
        ("Weighted page 1", get("leader", "/portfolio/ranked/", {"framework": "weighted"})),
        ("RICE page 150", get("leader", "/portfolio/ranked/", {"framework": "rice", "page": 150})),
        (
            "RICE line+stage filter",
            get("leader", "/portfolio/ranked/", {"framework": "rice", "line": line.pk, "stage": "planned"}),
        ),
        ("RICE HTMX page 2", get("leader", "/portfolio/ranked/", {"framework": "rice", "page": 2}, True)),
        ("inline edit + re-rank (PM)", inline),
        ("value/effort matrix", get("leader", "/portfolio/matrix/", {})),
        ("CSV export, all 10,000", export),
    ]
    rows = []
    for name, call in cases:
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code == 200, (name, response.status_code)
        query_count = len(queries)  # read now: the next request resets the connection's query log
        timings = []
        repeat = max(3, args.repeat // 4) if name.startswith("CSV") else args.repeat
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
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
        f"Ranked list, {total:,} initiatives on {vendor} (large demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case"
    )
    print(f"{'case':<28} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['case']:<28} {row['queries']:>7} {row['median_ms']:>10} {row['p95_ms']:>8}")
    default = "ranked_list.json" if vendor == "sqlite" else f"ranked_list_{vendor}.json"
    target = Path(args.json or ROOT / "benchmarks/results" / default)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {
                "database": vendor,
                "initiatives": total,
                "demo_load_seconds": round(load_seconds, 2),
                "cases": rows,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
