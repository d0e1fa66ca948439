"""What a report shows, specified once: key figures, charts, tables and where each number came from.

Plain frozen dataclasses, so a pack's data can be stored as JSON (`to_data` / `from_data`) when it is
issued and rendered again, to any format, without the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """The record a figure came from: a label a reader understands and the page that shows it."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class Figure:
    """One key number: its label, its value (None when unknown), how it reads, and its source."""

    key: str
    label: str
    value: float | None
    text: str
    source: Source | None = None
    change: str = ""  # e.g. "+4 pts since the last pack"
    tone: str = ""  # "good", "bad" or "" (neutral)
    unit: str = ""  # "%" when `value` is a percentage (0-100), so changes read in points


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


#: Chart kinds every renderer supports: horizontal bars, vertical columns, lines, and stacked columns.
CHART_KINDS = ("bar", "column", "line", "stacked_column")


@dataclass(frozen=True)
class Chart:
    """A category chart: one value per category in each series."""

    key: str
    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""  # "%" shows values as percentages of 100
    source: Source | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"Unknown chart kind {self.kind!r}: one of {', '.join(CHART_KINDS)}.")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"Series {s.name!r} has {len(s.values)} values for {len(self.categories)}.")


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    tone: str = ""  # "good", "warn", "bad" or ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    more: int = 0  # rows left out to keep the table readable


@dataclass(frozen=True)
class Section:
    """One section of a pack: its narrative (Markdown), figures, charts and tables, and their sources.

    `empty` says why there is nothing to show (e.g. an area that has no data yet); a section with an
    `empty` message still renders, cleanly, so a pack never breaks because one area is missing.
    """

    key: str
    title: str
    narrative: str = ""
    figures: tuple[Figure, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    sources: tuple[Source, ...] = ()
    empty: str = ""
    notes: str = ""  # extra speaker notes (what the numbers mean)


@dataclass(frozen=True)
class Document:
    """A whole report: title, when its data was read, and its sections in order."""

    title: str
    subtitle: str
    as_of: str  # ISO timestamp of the data
    sections: tuple[Section, ...] = field(default_factory=tuple)
    base_url: str = ""  # turns the sources' site paths into links a PDF or PPTX reader can open

    def link(self, url: str) -> str:
        return self.base_url.rstrip("/") + url if url.startswith("/") and self.base_url else url


def to_data(document: Document) -> dict[str, Any]:
    """The document as JSON-ready data (tuples become lists)."""
    return asdict(document)


def _source(data: dict[str, Any] | None) -> Source | None:
    return Source(**data) if data else None


def from_data(data: dict[str, Any]) -> Document:
    """The document stored by `to_data`, exactly as it was."""
    sections = []
    for s in data.get("sections", []):
        sections.append(
            Section(
                key=s["key"],
                title=s["title"],
                narrative=s.get("narrative", ""),
                figures=tuple(
                    Figure(**{**f, "source": _source(f.get("source"))}) for f in s.get("figures", [])
                ),
                charts=tuple(
                    Chart(
                        key=c["key"],
                        kind=c["kind"],
                        title=c["title"],
                        categories=tuple(c["categories"]),
                        series=tuple(Series(x["name"], tuple(x["values"])) for x in c["series"]),
                        unit=c.get("unit", ""),
                        source=_source(c.get("source")),
                    )
                    for c in s.get("charts", [])
                ),
                tables=tuple(
                    Table(
                        key=t["key"],
                        title=t["title"],
                        columns=tuple(t["columns"]),
                        rows=tuple(tuple(Cell(**cell) for cell in row) for row in t["rows"]),
                        more=t.get("more", 0),
                    )
                    for t in s.get("tables", [])
                ),
                sources=tuple(Source(**x) for x in s.get("sources", [])),
                empty=s.get("empty", ""),
                notes=s.get("notes", ""),
            )
        )
    return Document(
        title=data["title"],
        subtitle=data.get("subtitle", ""),
        as_of=data["as_of"],
        sections=tuple(sections),
        base_url=data.get("base_url", ""),
    )
