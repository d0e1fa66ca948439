"""People pages at the large demo's size (400 people): server time and query count per request.

Builds the large demo's org (400 people, `northstar demo --scale large`) and the people demo on it
(the full framework, a finished and an in-progress review cycle for everyone on a ladder, 1:1s, growth
plans, requisitions) in a throw-away SQLite database (or the PostgreSQL at DATABASE_URL). The other
areas' demos (10,000 initiatives, feedback, themes...) are left out with `--people-only` (the default):
no people page reads them. Budget: 300 ms of server time for the calibration view, a person's page
and the pipeline, with a query count that does not grow with the organisation.

    .venv/bin/python benchmarks/people_views.py [--repeat 20] [--full-demo] [--json FILE]
"""

from __future__ import annotations

import argparse
import time

from _site import boot, load_site, measure, report, result_path, signed_in


def _load_people_only() -> float:
    from django.core.management import call_command

    from northstar.demo import SCALES, _load_org
    from northstar.people import demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    _load_org(SCALES["large"], 7)
    demo.load(scale="large", seed=7)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--full-demo", action="store_true", help="load every area's large demo first")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    boot()
    from django.db import connection

    from northstar.core.roles import Role
    from northstar.org.models import Person
    from northstar.people.demo import IN_PROGRESS
    from northstar.people.models import Feedback, Requisition, Review, ReviewCycle

    load_seconds = load_site("large") if args.full_demo else _load_people_only()
    client = signed_in("bench-leader", Role.LEADER)
    cycle = ReviewCycle.objects.get(name=IN_PROGRESS)
    review = Review.objects.filter(cycle=cycle).order_by("pk")[len(Review.objects.filter(cycle=cycle)) // 2]
    requisition = Requisition.objects.filter(status="open").order_by("pk").first()
    pages = [
        ("calibration view", f"/people/cycles/{cycle.pk}/"),
        ("person's page", f"/people/directory/{review.person_id}/"),
        ("person's review", f"/people/reviews/{review.pk}/"),
        ("person's growth", f"/people/directory/{review.person_id}/growth/"),
        ("pipeline", f"/people/hiring/{requisition.pk}/"),
        ("hiring and metrics", "/people/hiring/"),
        ("people directory", "/people/directory/"),
        ("career framework", "/people/framework/"),
        ("API calibration", f"/api/v1/reviews/cycles/{cycle.pk}/calibration"),
    ]
    rows = [
        measure(name, lambda url=url: client.get(url), repeat=args.repeat, warm=True) for name, url in pages
    ]
    report(
        f"People pages on {connection.vendor}: {Person.objects.count()} people, "
        f"{cycle.reviews.count()} reviews in the cycle, {Feedback.objects.count():,} assessments "
        f"({'full' if args.full_demo else 'org and people'} demo load {load_seconds:.1f} s), "
        f"{args.repeat} requests per case",
        rows,
        path=result_path(args.json, "people_views"),
        extra={
            "demo": "full large demo" if args.full_demo else "large org + people demo",
            "people": Person.objects.count(),
            "reviews_in_cycle": cycle.reviews.count(),
            "demo_load_seconds": round(load_seconds, 2),
        },
    )


if __name__ == "__main__":
    main()
