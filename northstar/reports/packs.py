"""A pack's document: its sections built at the cut-off, the leader's narratives, and what moved
since the previous issued pack of the same template. Reads only; services issue and store."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from northstar.org.models import ProductLine
from northstar.rendering.spec import Cell, Document, Figure, Section, Table, from_data
from northstar.reports import storage
from northstar.reports.models import Pack, PackTemplate
from northstar.reports.sections import SECTIONS, Context

SNAPSHOT = "snapshot"


def base_url() -> str:
    return str(getattr(settings, "NORTHSTAR_BASE_URL", "")).rstrip("/")


def previous_issued(pack: Pack) -> Pack | None:
    """The issued pack of the same template (and line) before this one."""
    if pack.is_issued and pack.previous_id:
        return pack.previous
    qs = Pack.objects.filter(template=pack.template, state=Pack.State.ISSUED, line=pack.line).exclude(
        pk=pack.pk
    )
    if pack.issued_at is not None:
        qs = qs.filter(issued_at__lt=pack.issued_at)
    return qs.order_by("-issued_at", "-id").first()


def stored_document(pack: Pack) -> Document:
    """An issued pack's document as it was issued (from its stored snapshot, never the database)."""
    meta = pack.files.get(SNAPSHOT)
    if not meta:
        raise ValueError(f"Pack {pack.pk} has no stored snapshot.")
    return from_data(json.loads(storage.read(meta["path"])))


def _subtitle(pack: Pack) -> str:
    scope = pack.line.name if pack.line is not None else "All product lines"
    return f"{PackTemplate(pack.template).label} · {scope} · data to {pack.cut_off:%d %b %Y}"


def _delta(now: Figure, then: Figure) -> str:
    if now.value is None or then.value is None:
        return ""
    change = float(now.value) - float(then.value)
    if abs(change) < 1e-9:
        return "no change"
    if now.unit == "%":
        return f"{change:+.0f} pts"
    return f"{change:+,.0f}" if abs(change) >= 1 else f"{change:+.2f}"


def _since_last(sections: list[Section], previous: Pack | None) -> list[Section]:
    """Mark each key figure with its change since the previous pack and add the comparison table."""
    if previous is None or not sections:
        return sections
    try:
        before = stored_document(previous)
    except (ValueError, OSError):
        return sections
    then = {f.key: f for s in before.sections for f in s.figures}
    when = f"since {previous.title}"
    rows = []
    updated = []
    for section in sections:
        figures = []
        for figure in section.figures:
            old = then.get(figure.key)
            if old is not None:
                delta = _delta(figure, old)
                if delta:
                    figure = replace(figure, change=f"{delta} {when}")
                rows.append(
                    (
                        Cell(figure.label, figure.source.url if figure.source else ""),
                        Cell(old.text),
                        Cell(figure.text),
                        Cell(delta or "—"),
                    )
                )
            figures.append(figure)
        updated.append(replace(section, figures=tuple(figures)))
    if rows:
        table = Table(
            "since_last_pack",
            f"Since the last pack ({previous.title}, "
            f"issued {timezone.localtime(previous.issued_at):%d %b %Y})"
            if previous.issued_at
            else "Since the last pack",
            ("Figure", "Then", "Now", "Change"),
            tuple(rows),
        )
        updated[0] = replace(updated[0], tables=(table, *updated[0].tables))
    return updated


def compose(
    *,
    title: str,
    subtitle: str,
    cut_off: date,
    line: ProductLine | None,
    sections: list[tuple[str, str]],
    previous: Pack | None,
    as_of: datetime | None = None,
) -> Document:
    """A document from the data now: each section built at the cut-off, with its narrative."""
    as_of = as_of or timezone.now()
    context = Context(cut_off=cut_off, line=line)
    built = []
    for key, narrative in sections:
        definition = SECTIONS.get(key)
        if definition is not None:
            built.append(replace(definition.build(context), narrative=narrative))
    return Document(
        title=title,
        subtitle=subtitle,
        as_of=timezone.localtime(as_of).strftime("%d %b %Y %H:%M %Z"),
        sections=tuple(_since_last(built, previous)),
        base_url=base_url(),
    )


def build_document(pack: Pack, *, as_of: datetime | None = None) -> Document:
    """The pack's document built from the data now (a draft), as issuing freezes it."""
    return compose(
        title=pack.title,
        subtitle=_subtitle(pack),
        cut_off=pack.cut_off,
        line=pack.line,
        sections=[(s.key, s.narrative) for s in pack.sections.all()],
        previous=previous_issued(pack),
        as_of=as_of,
    )


def template_document(*, template: str, cut_off: date, line: ProductLine | None = None) -> Document:
    """A template's default sections at a cut-off, without a stored pack (the `northstar pack` CLI)."""
    from northstar.reports.health import check_day
    from northstar.reports.sections import TEMPLATE_SECTIONS

    check_day(cut_off, "The cut-off")
    draft = Pack(template=template, cut_off=cut_off, line=line, title="")
    names = {"board": "Board pack", "executive": "Executive update", "line_review": "Line review"}
    return compose(
        title=f"{names[template]}, data to {cut_off:%d %b %Y}" + (f": {line.name}" if line else ""),
        subtitle=_subtitle(draft),
        cut_off=cut_off,
        line=line,
        sections=[(key, "") for key in TEMPLATE_SECTIONS[template]],
        previous=previous_issued(draft),
    )


def document_of(pack: Pack) -> Document:
    """What a pack shows: the frozen snapshot once issued, the live data while a draft."""
    return stored_document(pack) if pack.is_issued else build_document(pack)
