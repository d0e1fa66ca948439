"""Initiative list at load-test scale: query count and server time per request.

Loads the large demo (10,000 initiatives, 400 people) into a throw-away SQLite database (or the
PostgreSQL at DATABASE_URL when given), then requests the list page as a product leader: page 1, a
deep page, a search, filters, and the HTMX results fragment.

    .venv/bin/python benchmarks/initiative_list.py [--repeat 20] [--json FILE]
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
    from northstar.org.models import ProductLine
    from northstar.portfolio.models import Initiative

    load_seconds = load_site("large")
    client = signed_in("bench-leader", Role.LEADER)
    line = ProductLine.objects.order_by("id").first()
    htmx = {"HTTP_HX_REQUEST": "true"}
    cases = [
        ("page 1", lambda: client.get("/portfolio/")),
        ("page 150", lambda: client.get("/portfolio/", {"page": 150})),
        ("search 'checkout'", lambda: client.get("/portfolio/", {"search": "checkout"})),
        ("line + stage filter", lambda: client.get("/portfolio/", {"line": line.pk, "stage": "planned"})),
        ("HTMX results, page 2", lambda: client.get("/portfolio/", {"page": 2}, **htmx)),
    ]
    rows = [measure(name, call, repeat=args.repeat) for name, call in cases]
    total = Initiative.objects.count()
    report(
        f"Initiative list, {total:,} initiatives on {connection.vendor} (demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case",
        rows,
        path=result_path(args.json, "initiative_list"),
        extra={"initiatives": total, "demo_load_seconds": round(load_seconds, 2)},
    )


if __name__ == "__main__":
    main()
