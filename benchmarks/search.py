"""Global search and the home cockpit at load-test scale: query count and server time per request.

Loads the large demo (10,000 initiatives, 400 people, its feedback and themes) into a throw-away
SQLite database (or the PostgreSQL at DATABASE_URL when given), then times searches (a common
prefix, a word, two words, a typo that is corrected, one kind only, the API) and home for each role.
The issue's bar: search under 100 ms and home under 300 ms of server time.

    .venv/bin/python benchmarks/search.py [--repeat 20] [--json FILE]
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
    from northstar.home.models import SearchEntry
    from northstar.org.models import Level, Person

    load_seconds = load_site("large")
    leader = signed_in("bench-leader", Role.LEADER)
    pm = signed_in("bench-pm", Role.PRODUCT_MANAGER)
    from northstar.core.models import User

    pm_user = User.objects.get(username="bench-pm")
    person = Person.objects.filter(level=Level.PM, user__isnull=True, teams__isnull=False).first()
    if person is not None and not Person.objects.filter(user=pm_user).exists():  # a rerun keeps its PM
        person.user = pm_user
        person.save(update_fields=["user"])
    stakeholder = signed_in("bench-stakeholder", Role.STAKEHOLDER)
    htmx = {"HTTP_HX_REQUEST": "true"}
    cases = [
        ("search 'ch' (common prefix)", lambda: leader.get("/home/search/", {"q": "ch"})),
        ("search 'checkout'", lambda: leader.get("/home/search/", {"q": "checkout"})),
        ("search 'apple pay'", lambda: leader.get("/home/search/", {"q": "apple pay"})),
        ("search 'chekout' (typo)", lambda: leader.get("/home/search/", {"q": "chekout"})),
        (
            "search 'invoice', feedback only",
            lambda: leader.get("/home/search/", {"q": "invoice", "kind": "feedback"}),
        ),
        ("search fragment 'onboard'", lambda: leader.get("/home/search/", {"q": "onboard"}, **htmx)),
        ("API search 'payouts'", lambda: leader.get("/api/v1/search", {"q": "payouts"})),
        ("home, leader", lambda: leader.get("/")),
        ("home, product manager", lambda: pm.get("/")),
        ("home, stakeholder", lambda: stakeholder.get("/")),
    ]
    rows = [measure(name, call, repeat=args.repeat, warm=True) for name, call in cases]
    entries = SearchEntry.objects.count()
    report(
        f"Search and home, {entries:,} search entries on {connection.vendor} "
        f"(demo load {load_seconds:.1f} s), {args.repeat} requests per case",
        rows,
        path=result_path(args.json, "search"),
        extra={"search_entries": entries, "demo_load_seconds": round(load_seconds, 2)},
    )


if __name__ == "__main__":
    main()
