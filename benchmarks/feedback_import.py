"""Feedback import at scale: a 1,000,000-row CSV imported all-or-nothing, then again (adds nothing),
then a copy with one bad row near the end (refused, nothing stored).

Generates a Zendesk-style export (ticket id, subject, description, requester, email, organisation,
date) into a temporary folder and imports it through the same service the import job runs, into a
throw-away SQLite database (or the PostgreSQL at DATABASE_URL when given).

    .venv/bin/python benchmarks/feedback_import.py [--rows 1000000] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBJECTS = ["Exports", "Payouts", "SSO", "Checkout", "Invoices", "Webhooks", "Refunds", "Dark mode"]
SAYINGS = [
    "Please add Apple Pay to the checkout page",
    "Payouts take too long to reach our bank",
    "We need SAML single sign-on for our finance team",
    "Invoices need our customer's VAT number",
    "Webhooks are sometimes never delivered",
    "We cannot issue a partial refund from the dashboard",
    "The app needs a dark mode",
    "Export all transactions to CSV for the accountants",
]


def write_csv(path: Path, rows: int, *, bad_row: int | None = None) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["Id", "Subject", "Description", "Requester", "Requester email", "Organization", "Created at"]
        )
        for n in range(rows):
            org = rng.randrange(2000)
            date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if bad_row is not None and n == bad_row:
                date = "the 31st of Smarch"
            out.writerow(
                [
                    100000 + n,
                    rng.choice(SUBJECTS),
                    f"{rng.choice(SAYINGS)} (ticket {n})",
                    f"Person {org}",
                    f"person{org}@org{org}.example",
                    f"Org {org}",
                    date,
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", default=str(ROOT / "benchmarks/results/feedback_import.json"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="northstar-import-bench-"))
    os.environ.setdefault("NORTHSTAR_DATA_DIR", str(work))
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "northstar.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from northstar.core.errors import ValidationFailed
    from northstar.feedback import imports
    from northstar.feedback.models import Customer, FeedbackItem

    call_command("migrate", verbosity=0)
    good, bad = work / "tickets.csv", work / "tickets-bad.csv"
    write_csv(good, args.rows)
    write_csv(bad, args.rows, bad_row=args.rows - 10)
    mapping = imports.preset_mapping("zendesk", imports.csv_preview(good)[0])
    marks: list[tuple[float, str]] = []

    def progress(fraction: float, message: str) -> None:
        marks.append((fraction, message))

    records = []

    def run(name: str, path: Path) -> None:
        marks.clear()
        started = time.perf_counter()
        error = ""
        added = 0
        try:
            batch = imports.feedback_import_csv(
                actor=None, path=path, mapping=mapping, preset="zendesk", progress=progress
            )
            added = batch.added
        except ValidationFailed as exc:
            error = exc.message[:160]
        seconds = time.perf_counter() - started
        records.append(
            {
                "case": name,
                "database": connection.vendor,
                "rows": args.rows,
                "added": added,
                "stored_after": FeedbackItem.objects.count(),
                "customers_after": Customer.objects.count(),
                "seconds": round(seconds, 1),
                "rows_per_s": round(args.rows / seconds),
                "progress_updates": len(marks),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "refusal": error,
            }
        )
        print(json.dumps(records[-1]), flush=True)

    run("bad file (one bad row near the end)", bad)
    run("first import", good)
    run("same file again", good)
    heads = [
        "case",
        "database",
        "rows",
        "added",
        "stored_after",
        "seconds",
        "rows_per_s",
        "progress_updates",
        "peak_mb",
    ]
    print("| " + " | ".join(heads) + " |")
    print("|" + "|".join(" --- " for _ in heads) + "|")
    for r in records:
        print("| " + " | ".join(str(r[h]) for h in heads) + " |")
    print("refusal:", records[0]["refusal"])
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    main()
