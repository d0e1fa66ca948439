"""The demo's feedback re-clustered with MiniLM: how long, how many themes, and the top five by demand.

    .venv/bin/python benchmarks/themes_demo.py

Loads the standard demo into a throw-away data directory (or the database at DATABASE_URL), then
re-clusters twice: the first run embeds every item, the second reuses the stored vectors. Prints the
five themes ranked first by demand with their most central distinct quotes, and writes
benchmarks/results/themes_demo.json with the load average and CPU seconds of each run.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

from _common import RESULTS, write_json
from _site import boot, load_site


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> dict[str, Any]:
    boot()
    demo_seconds = load_site("standard")
    from northstar.feedback import selectors, theme_services
    from northstar.feedback.models import FeedbackItem

    runs = []
    for label in ("first: embeds every item", "second: reuses the stored vectors"):
        load, cpu, start = os.getloadavg()[0], _cpu(), time.perf_counter()
        run = theme_services.themes_recluster(actor=None)
        runs.append(
            {
                "run": label,
                "themes": run.themes,
                "items": run.items,
                "seconds": round(time.perf_counter() - start, 1),
                "cpu_seconds": round(_cpu() - cpu, 1),
                "load": [round(load, 1), round(os.getloadavg()[0], 1)],
            }
        )
        print(runs[-1])
    top = []
    for row in selectors.theme_demand()[:5]:
        texts = FeedbackItem.objects.filter(theme=row.theme).order_by("-theme_similarity")
        quotes = list(dict.fromkeys(texts.values_list("text", flat=True)[:200]))[:3]
        top.append(
            {
                "name": row.theme.name,
                "items": row.theme.size,
                "customers": row.customers,
                "revenue": {k: float(v) for k, v in row.revenue.items()},
                "keywords": [k for k, _ in row.theme.keywords[:3]],
                "quotes": quotes,
            }
        )
        print(top[-1]["name"], "|", " / ".join(quotes))
    result = {"demo_load_seconds": round(demo_seconds, 1), "runs": runs, "top_five_by_demand": top}
    write_json(RESULTS / "themes_demo.json", [result])
    return result


if __name__ == "__main__":
    main()
