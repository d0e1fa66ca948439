"""Roadmap exports a product leader drops into a deck: CSV, and the timeline as PDF or PNG.

PDF and PNG come from the reports' rendering stack (`northstar.rendering.timeline`: Pillow draws
the same layout the timeline page shows, WeasyPrint prints the PDF), with real fonts, so names in any
script the machine's fonts cover come out right. A published roadmap never changes, so each export is
rendered once per roadmap and kept in the data directory (`exports/roadmaps/`); later requests, and
every share-link visitor, get the stored file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from northstar.core.csv_export import csv_text
from northstar.planning import selectors
from northstar.planning.models import Roadmap
from northstar.planning.selectors import Entry, Timeline
from northstar.strategy.models import PlanningPeriod

if TYPE_CHECKING:
    from northstar.rendering.timeline import Gantt

#: Bump when the drawing changes, so stored exports are drawn again.
RENDERER = 3


def roadmap_csv(roadmap: Roadmap, entries: Iterable[Entry], periods: list[PlanningPeriod]) -> str:
    """The published roadmap, one row per initiative; every cell escaped by the one CSV rule."""
    header = ["line", "initiative", "team", "stage", "objective", "start", "end", "roadmap", "published"]
    rows = (
        [
            e.line,
            e.title,
            e.team,
            e.stage,
            e.objective,
            periods[e.start].name,
            periods[e.end].name,
            roadmap.title,
            roadmap.published_on.isoformat(),
        ]
        for e in sorted(entries, key=lambda e: (e.line, e.start, e.title))
    )
    return csv_text([header, *rows])


def gantt(title: str, subtitle: str, t: Timeline) -> Gantt:
    """The page's timeline layout as the renderer's plain specification."""
    from northstar.rendering.timeline import Bar, Gantt, Lane

    return Gantt(
        title=title,
        subtitle=subtitle,
        periods=tuple(t.periods),
        lanes=tuple(
            Lane(
                lane.name,
                lane.y,
                lane.height,
                tuple(Bar(b.x, b.y, b.w, b.colour, b.text) for b in lane.bars),
            )
            for lane in t.lanes
        ),
        arrows=tuple(t.arrows),
        legend=tuple(t.legend),
        width=t.width,
        height=t.height,
        label_width=t.label_width,
        column=t.column,
    )


def timeline_pdf(title: str, subtitle: str, t: Timeline) -> bytes:
    from northstar.rendering import timeline as drawing  # Pillow and WeasyPrint load on first use

    return drawing.to_pdf(gantt(title, subtitle, t))


def timeline_png(title: str, subtitle: str, t: Timeline) -> bytes:
    from northstar.rendering import timeline as drawing

    return drawing.png(gantt(title, subtitle, t))


def _subtitle(roadmap: Roadmap) -> str:
    return f"Published {roadmap.published_on:%d %b %Y}" + (f" · {roadmap.note}" if roadmap.note else "")


def render(roadmap: Roadmap, fmt: str) -> bytes:
    """Draw a published roadmap's timeline as `pdf` or `png` (no cache)."""
    periods = selectors.roadmap_periods(roadmap)
    entries = selectors.roadmap_entries(roadmap, periods)
    layout = selectors.timeline(entries, periods, lane="line", colour="objective")
    draw = timeline_pdf if fmt == "pdf" else timeline_png
    return draw(roadmap.title, _subtitle(roadmap), layout)


def cached(roadmap: Roadmap, fmt: str) -> bytes:
    """The roadmap's PDF or PNG, drawn the first time it is asked for and read from disk after."""
    # The publication time is in the name: a restored database may reuse an id for another roadmap.
    stamp = f"{roadmap.published_at:%Y%m%d%H%M%S%f}" if roadmap.published_at else "0"
    path = Path(settings.DATA_DIR) / "exports" / "roadmaps" / f"{roadmap.pk}-{stamp}-r{RENDERER}.{fmt}"
    if path.is_file():
        return path.read_bytes()
    data = render(roadmap, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)  # two requests drawing at once both write whole files; either wins
    return data
