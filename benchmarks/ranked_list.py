"""Ranked list at load-test scale: query count and server time per request, per framework.

Loads the large demo (10,000 initiatives, each scored, estimated where planned, with decisions) into a
throw-away SQLite database (or the PostgreSQL at DATABASE_URL when given), then requests the ranked
list as a product leader and as a product manager: each framework's first page, a deep page, filters,
the HTMX fragment, an inline edit that re-ranks, and the full CSV export.

    .venv/bin/python benchmarks/ranked_list.py [--repeat 20] [--json FILE]
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

    from northstar.core.models import User
    from northstar.core.roles import Role
    from northstar.org.models import Person, ProductLine
    from northstar.portfolio.models import Initiative

    load_seconds = load_site("large")
    clients = {
        "leader": signed_in("bench-leader", Role.LEADER),
        "pm": signed_in("bench-pm", Role.PRODUCT_MANAGER),
    }
    line = ProductLine.objects.get(name="Commerce")
    person = Person.objects.filter(teams__line=line, user__isnull=True).order_by("id").first()
    person.user = User.objects.get(username="bench-pm")  # the PM belongs to Commerce
    person.save()
    total = Initiative.objects.count()
    editable = Initiative.objects.filter(product__line=line).order_by("id").first()

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
    rows = [
        measure(name, call, repeat=max(3, args.repeat // 4) if name.startswith("CSV") else args.repeat)
        for name, call in cases
    ]
    report(
        f"Ranked list, {total:,} initiatives on {connection.vendor} (large demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case",
        rows,
        path=result_path(args.json, "ranked_list"),
        extra={"initiatives": total, "demo_load_seconds": round(load_seconds, 2)},
    )


if __name__ == "__main__":
    main()
