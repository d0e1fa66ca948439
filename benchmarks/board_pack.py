"""Board pack at load-test scale: one pack in all three formats, and the roadmap exports, against the
old hand-drawn exporter measured in the same run.

On the large demo (10,000 initiatives; loaded into a throw-away data directory, or the one at
NORTHSTAR_DATA_DIR / DATABASE_URL when given, topped up idempotently), it times:
- building the board pack's document (every section read at the cut-off, one query set per section),
- rendering it as HTML, PDF (WeasyPrint) and PPTX (python-pptx, native charts), each from that document,
- the process's peak memory (ru_maxrss) for the whole pack;
- the published roadmap's timeline as PNG and PDF: the new stack (Pillow for the PNG, WeasyPrint for
  the PDF) and the old pixel-by-pixel renderer with its bitmap font (`_handdrawn_exports`, kept here for
  this baseline only).
Imports (matplotlib for the pack's charts, Pillow, WeasyPrint, python-pptx) and the URLconf are loaded
before timing and reported separately.

    .venv/bin/python benchmarks/board_pack.py [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import machine, write_json
from _site import RESULTS, ROOT, boot, load_site

AIM_SECONDS = 15.0
AIM_MB = 500


def _timed(call: Any, repeat: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - t0)
    return statistics.median(timings), result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default="")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:  # the child: migrate and load (or restore) the large demo, print its seconds
        boot()
        print(load_site("large"))
        return
    load_before = os.getloadavg()[0]
    # The demo is built in a child process on the same data directory (or DATABASE_URL): ru_maxrss is a
    # process's lifetime peak, so a demo built here would be counted as the pack's memory.
    os.environ.setdefault("NORTHSTAR_DATA_DIR", tempfile.mkdtemp(prefix="northstar-bench-"))
    prepared = subprocess.run(
        [sys.executable, __file__, "--prepare"], check=True, capture_output=True, text=True
    )
    load_seconds = float(prepared.stdout.strip().splitlines()[-1])
    boot()

    import _handdrawn_exports as handdrawn
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from northstar.planning import exports, selectors
    from northstar.planning.models import Roadmap
    from northstar.portfolio.models import Initiative
    from northstar.reports import packs, render

    t0 = time.perf_counter()
    reverse("reports:index")  # the URLconf, as a running server has it
    from northstar.rendering import charts, pdf, slides, timeline  # noqa: F401 - the libraries, loaded once

    imports_seconds = time.perf_counter() - t0
    baseline_mb = _peak_mb()
    cut_off = timezone.localdate()
    rows: list[dict[str, Any]] = []

    build, document = _timed(lambda: packs.template_document(template="board", cut_off=cut_off), args.repeat)
    rows.append({"case": "board pack: read the data (document)", "seconds": round(build, 2)})
    sizes = {}

    def alone(fmt: str) -> bytes:
        charts.svg.cache_clear()  # every run pays for its own charts, as if this format were rendered alone
        return render.render(document, fmt)

    for fmt in render.FORMATS:
        seconds, data = _timed(lambda fmt=fmt: alone(fmt), args.repeat)
        sizes[fmt] = len(data)
        rows.append(
            {"case": f"board pack: {fmt}", "seconds": round(seconds, 2), "kb": round(len(data) / 1024)}
        )
    total = sum(r["seconds"] for r in rows)
    peak_mb = _peak_mb()

    roadmap = Roadmap.objects.order_by("-published_on", "-id").first()
    assert roadmap is not None, "the large demo publishes a roadmap"
    periods = selectors.roadmap_periods(roadmap)
    entries = selectors.roadmap_entries(roadmap, periods)
    layout = selectors.timeline(entries, periods, lane="line", colour="objective")
    subtitle = f"Published {roadmap.published_on:%d %b %Y}"
    exports_rows = []
    for fmt in ("png", "pdf"):
        old = handdrawn.timeline_png if fmt == "png" else handdrawn.timeline_pdf
        new = exports.timeline_png if fmt == "png" else exports.timeline_pdf
        old_seconds, old_data = _timed(lambda old=old: old(roadmap.title, subtitle, layout), args.repeat)
        new_seconds, new_data = _timed(lambda new=new: new(roadmap.title, subtitle, layout), args.repeat)
        exports_rows.append(
            {
                "case": f"roadmap {fmt} ({len(entries):,} bars)",
                "old_handdrawn_seconds": round(old_seconds, 2),
                "new_seconds": round(new_seconds, 2),
                "old_kb": round(len(old_data) / 1024),
                "new_kb": round(len(new_data) / 1024),
            }
        )
    print(
        f"Large demo: {Initiative.objects.count():,} initiatives (load {load_seconds:.0f} s); "
        f"imports and URLconf {imports_seconds:.1f} s before timing; median of {args.repeat}."
    )
    print(f"{'case':<42} {'seconds':>8} {'kB':>8}")
    for row in rows:
        print(f"{row['case']:<42} {row['seconds']:>8} {row.get('kb', ''):>8}")
    verdict = "within" if total < AIM_SECONDS and peak_mb < AIM_MB else "OVER"
    print(
        f"{'board pack, all three formats':<42} {total:>8.2f}   peak {peak_mb:.0f} MB ({verdict} the aim of "
        f"{AIM_SECONDS:.0f} s and {AIM_MB} MB)"
    )
    print(f"\n{'export':<30} {'old hand-drawn s':>17} {'new s':>7} {'old kB':>8} {'new kB':>8}")
    for row in exports_rows:
        print(
            f"{row['case']:<30} {row['old_handdrawn_seconds']:>17} {row['new_seconds']:>7} "
            f"{row['old_kb']:>8} {row['new_kb']:>8}"
        )
    record = {
        "benchmark": "board_pack",
        "machine": {**machine(), "load_1m_before": round(load_before, 2)},
        "database": connection.vendor,
        "initiatives": Initiative.objects.count(),
        "repeat": args.repeat,
        "imports_seconds": round(imports_seconds, 2),
        "pack": rows,
        "pack_total_seconds": round(total, 2),
        "peak_rss_mb": round(peak_mb),
        "rss_before_pack_mb": round(baseline_mb),
        "aim": {"seconds": AIM_SECONDS, "mb": AIM_MB, "met": verdict == "within"},
        "roadmap_exports": exports_rows,
    }
    path = (
        Path(args.json)
        if args.json
        else RESULTS
        / ("board_pack.json" if connection.vendor == "sqlite" else f"board_pack_{connection.vendor}.json")
    )
    write_json(path, record)
    print(f"\nWrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
