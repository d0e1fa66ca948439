"""Every write of the reports area: status updates, packs (create, edit, issue), share links, the
slide template. Each runs in one transaction, checks the one permission rule and is audited."""

from __future__ import annotations

import json
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from northstar.core import audit, concurrency
from northstar.core.errors import Conflict, NotFound, ValidationFailed
from northstar.core.jobs import JobContext, job_commit_unless_cancelled, job_enqueue
from northstar.core.models import Job, User
from northstar.core.services import get_or_404, record_save
from northstar.org import access
from northstar.org.models import Person, ProductLine
from northstar.rendering.spec import to_data
from northstar.reports import health, packs, render, storage
from northstar.reports.models import (
    Pack,
    PackSection,
    PackShareLink,
    PackTemplate,
    Risk,
    SlideTemplate,
    Status,
    StatusUpdate,
)
from northstar.reports.sections import SECTIONS, TEMPLATE_SECTIONS
from northstar.strategy.models import PlanningPeriod

#: Largest company template accepted (a template with fonts and images rarely passes 10 MB).
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_RISKS = 20
MAX_TEXT = 10_000


@dataclass(frozen=True)
class RiskInput:
    description: str
    owner_id: int | None = None
    mitigation: str = ""
    severity: str = Risk.Severity.MEDIUM


def _text(value: str, what: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationFailed(f"{what} contains a NUL character.")
    if len(value) > limit:
        raise ValidationFailed(f"{what} is too long: at most {limit:,} characters.")
    return value


# Status updates ----------------------------------------------------------------------------------


@transaction.atomic
def status_update_create(
    *,
    actor: User,
    line: ProductLine,
    period: PlanningPeriod,
    status: str,
    highlights: str = "",
    lowlights: str = "",
    asks: str = "",
    override_reason: str = "",
    risks: list[RiskInput] | tuple[RiskInput, ...] = (),
    today: date | None = None,
) -> StatusUpdate:
    """Post a line's status for a period. Northstar's proposal is stored with it; a different status
    needs a reason, so the override is explained next to the evidence."""
    access.require_line_edit(actor, line.pk, "status updates")
    if status not in Status.values:
        raise ValidationFailed(f"Unknown status {status!r}: choose on track, at risk or off track.")
    if len(risks) > MAX_RISKS:
        raise ValidationFailed(f"At most {MAX_RISKS} risks per update: keep the ones that matter.")
    today = today or timezone.localdate()
    proposed, signals = health.status_proposal(line=line, period=period, today=today)
    reason = _text(override_reason, "The reason for the status", 2000)
    if status != proposed and not reason:
        raise ValidationFailed(
            f"Northstar proposes {Status(proposed).label.lower()} from the data; say why the status is "
            f"{Status(status).label.lower()} instead.",
            detail={"proposed": proposed, "signals": [s.as_dict() for s in signals]},
        )
    owners = {r.owner_id for r in risks if r.owner_id is not None}
    known = set(Person.objects.filter(pk__in=owners).values_list("pk", flat=True))
    for k, risk in enumerate(risks, start=1):
        if not risk.description.strip():
            raise ValidationFailed(f"Risk {k} needs a description.")
        if risk.owner_id is not None and risk.owner_id not in known:
            raise ValidationFailed(f"Risk {k}: no person with id {risk.owner_id}.")
        if risk.severity not in Risk.Severity.values:
            raise ValidationFailed(f"Risk {k}: severity is low, medium or high.")
    update = record_save(
        actor=actor,
        instance=StatusUpdate(
            line=line,
            period=period,
            status=status,
            proposed_status=proposed,
            proposal=[s.as_dict() for s in signals],
            override_reason=reason if status != proposed else "",
            highlights=_text(highlights, "Highlights"),
            lowlights=_text(lowlights, "Lowlights"),
            asks=_text(asks, "Asks"),
            author=actor,
        ),
        before=None,
    )
    for risk in risks:
        record_save(
            actor=actor,
            instance=Risk(
                update=update,
                description=_text(risk.description, "A risk", 300),
                owner_id=risk.owner_id,
                mitigation=_text(risk.mitigation, "A mitigation", 2000),
                severity=risk.severity,
            ),
            before=None,
        )
    return update


# Packs -------------------------------------------------------------------------------------------


def _sections(keys: list[str] | tuple[str, ...]) -> list[str]:
    unknown = [k for k in keys if k not in SECTIONS]
    if unknown:
        raise ValidationFailed(
            f"Unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}.", detail={"unknown": unknown}
        )
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    if not seen:
        raise ValidationFailed("A pack needs at least one section.")
    return seen


def _default_title(template: str, cut_off: date, line: ProductLine | None) -> str:
    period = health.period_at(cut_off)
    when = period.name if period else f"{cut_off:%B %Y}"
    if template == PackTemplate.EXECUTIVE:
        when = f"{cut_off:%B %Y}"
    names = {"board": "Board pack", "executive": "Executive update", "line_review": "Line review"}
    return f"{names[template]} {when}" + (f": {line.name}" if line else "")


@transaction.atomic
def pack_create(
    *,
    actor: User,
    template: str,
    cut_off: date,
    title: str = "",
    line: ProductLine | None = None,
    sections: list[str] | None = None,
) -> Pack:
    """Start a draft pack from a template's sections (or the ones given, in that order)."""
    access.require_leading(actor, "packs")
    if template not in PackTemplate.values:
        raise ValidationFailed(f"Unknown template {template!r}: choose {', '.join(PackTemplate.values)}.")
    if template == PackTemplate.LINE_REVIEW and line is None:
        raise ValidationFailed("A product-line review needs its product line.")
    health.check_day(cut_off, "The cut-off")
    keys = _sections(sections if sections is not None else list(TEMPLATE_SECTIONS[template]))
    pack = record_save(
        actor=actor,
        instance=Pack(
            template=template,
            title=_text(title, "The title", 200) or _default_title(template, cut_off, line),
            line=line,
            cut_off=cut_off,
            created_by=actor,
        ),
        before=None,
    )
    PackSection.objects.bulk_create(PackSection(pack=pack, key=k, position=n) for n, k in enumerate(keys))
    return pack


def _require_draft(pack: Pack) -> None:
    if pack.is_issued:
        raise Conflict("This pack was issued and is frozen: start a new draft to change it.")


@transaction.atomic
def pack_update(
    *,
    actor: User,
    pack: Pack,
    title: str | None = None,
    cut_off: date | None = None,
    sections: list[tuple[str, str]] | None = None,
) -> Pack:
    """Change a draft: its title, cut-off, and its sections (keys in order, each with its narrative)."""
    access.require_leading(actor, "packs")
    if cut_off is not None:
        health.check_day(cut_off, "The cut-off")
    expected = concurrency.expected_version(pack)
    pack = Pack.objects.select_for_update().get(pk=pack.pk)
    concurrency.expect_version(pack, expected)
    _require_draft(pack)
    _require_not_issuing(pack)
    before = audit.snapshot(pack)
    version_before = pack.version
    if title is not None:
        pack.title = _text(title, "The title", 200) or pack.title
    if cut_off is not None:
        pack.cut_off = cut_off
    record_save(actor=actor, instance=pack, before=before)
    if sections is not None:
        keys = _sections([k for k, _n in sections])
        narratives = {k: _text(n, f"The narrative of {SECTIONS[k].title}") for k, n in sections}
        old = {s.key: s.narrative for s in pack.sections.all()}
        pack.sections.all().delete()
        PackSection.objects.bulk_create(
            PackSection(pack=pack, key=k, position=n, narrative=narratives[k]) for n, k in enumerate(keys)
        )
        changed = {k: [old.get(k), narratives[k]] for k in keys if old.get(k) != narratives[k]}
        if (changed or list(old) != keys) and pack.version == version_before:
            # The sections are part of the draft: changing only them is still a new version of it.
            Pack.objects.filter(pk=pack.pk).update(version=F("version") + 1)
            pack.version += 1
        if changed or list(old) != keys:
            audit.audit_update(
                actor=actor,
                instance=pack,
                before={"sections": list(old), **{f"narrative:{k}": old.get(k) for k in changed}},
                after={"sections": keys, **{f"narrative:{k}": narratives[k] for k in changed}},
            )
    return pack


def active_slide_template() -> SlideTemplate | None:
    return SlideTemplate.objects.filter(is_active=True).first()


def slide_template_path() -> Path | None:
    active = active_slide_template()
    return storage.root() / active.path if active else None


#: The background job that issues a pack (`tasks.pack_issue`), and the key that keeps it to one at a time.
ISSUE_TASK = "northstar.reports.tasks.pack_issue"


def issue_key(pack_id: int) -> str:
    return f"reports:issue:{pack_id}"


class IssueCancelled(Exception):
    """Someone cancelled the issue job: nothing was stored, the pack stays a draft."""


def pack_issue_start(*, actor: User, pack: Pack) -> Job:
    """Issue a draft in the background: reading the data and rendering three files takes seconds to
    minutes on a large portfolio, so no request waits for it. The pack page follows the job."""
    access.require_leading(actor, "packs")
    return pack_issue_enqueue(pack=pack, actor=actor)


def pack_issue_enqueue(*, pack: Pack, actor: User | None, as_of: datetime | None = None) -> Job:
    """Queue the issue job without a permission check: for `pack_issue_start` (which checks) and the
    demo loader, whose issued pack is rendered after the load instead of during it (the pack page
    shows it as being issued until its files are written). `as_of` dates the issue, as in `pack_freeze`."""
    _require_draft(pack)
    kwargs: dict[str, object] = {"pack_id": pack.pk, "actor_id": actor.pk if actor else None}
    if as_of is not None:
        kwargs["as_of"] = as_of.isoformat()
    return job_enqueue(
        task=ISSUE_TASK,
        kwargs=kwargs,
        actor=actor,
        title=f"Issue {pack.title}"[:200],
        unique_key=issue_key(pack.pk),  # two issues of one pack at once would race for its files
    )


def pack_issue(*, actor: User, pack: Pack) -> Pack:
    """Freeze a draft now, in this thread (the CLI, tests, and the issue job through `pack_freeze`)."""
    access.require_leading(actor, "packs")
    return pack_freeze(pack=pack, actor=actor)


def _require_not_issuing(pack: Pack) -> None:
    if Job.objects.filter(unique_key=issue_key(pack.pk), status__in=Job.ACTIVE).exists():
        raise Conflict("This pack is being issued: wait for it to finish (or cancel it) before changing it.")


def pack_freeze(
    *,
    pack: Pack,
    actor: User | None,
    as_of: datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
    job: JobContext | None = None,
) -> Pack:
    """Issue a pack without a permission check: for `pack_issue` (which checks), the issue job and the
    demo loader.

    All or nothing: the files are written before the pack is marked issued; if anything fails (a
    render, the disk, a cancel of `job`) they are removed and the pack stays a draft with no files.
    """
    report = progress or (lambda fraction, message: None)
    _require_draft(pack)
    report(0.05, "Reading the data at the cut-off")
    document = packs.build_document(pack, as_of=as_of)
    folder = f"packs/{pack.pk}-{secrets.token_hex(4)}"
    files: dict[str, dict[str, object]] = {}
    try:
        data = json.dumps(to_data(document), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        files[packs.SNAPSHOT] = storage.write_once(f"{folder}/snapshot.json", data)
        template = slide_template_path()
        for n, fmt in enumerate(render.FORMATS):
            if job is not None and job.cancelled:
                raise IssueCancelled
            report(0.3 + 0.6 * n / len(render.FORMATS), f"Rendering the {fmt.upper()}")
            files[fmt] = storage.write_once(
                f"{folder}/pack.{fmt}", render.render(document, fmt, template=template)
            )
        report(0.95, "Freezing the pack")
        with transaction.atomic():
            locked = Pack.objects.select_for_update().get(pk=pack.pk)
            _require_draft(locked)
            if not job_commit_unless_cancelled(job):
                raise IssueCancelled
            before = audit.snapshot(locked)
            locked.previous = packs.previous_issued(locked)
            locked.state = Pack.State.ISSUED
            locked.issued_at = as_of or timezone.now()
            locked.issued_by = actor
            locked.files = files
            record_save(actor=actor, instance=locked, before=before)
    except BaseException:
        storage.remove_tree(folder)
        raise
    return locked


def pack_file(pack: Pack, fmt: str) -> bytes:
    """An issued pack's stored file, or a draft rendered from the data now."""
    if fmt not in (*render.FORMATS, "json"):
        raise NotFound(f"Packs come as {', '.join(render.FORMATS)} (and json once issued).")
    if pack.is_issued:
        key = packs.SNAPSHOT if fmt == "json" else fmt
        return storage.read(pack.files[key]["path"])
    document = packs.build_document(pack)
    if fmt == "json":
        return json.dumps(to_data(document), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return render.render(document, fmt, template=slide_template_path())


@transaction.atomic
def pack_delete(*, actor: User, pack: Pack) -> None:
    """Drafts may be thrown away; issued packs are the record of what was shown and stay."""
    access.require_leading(actor, "packs")
    _require_draft(pack)
    _require_not_issuing(pack)
    before = audit.snapshot(pack)
    pk = pack.pk
    pack.delete()
    audit.audit_delete(actor=actor, instance=pack, before=before, pk=pk)


# Share links -------------------------------------------------------------------------------------


@transaction.atomic
def pack_share_link_create(*, actor: User, pack: Pack, label: str) -> PackShareLink:
    access.require_leading(actor, "share links")
    if not pack.is_issued:
        raise Conflict("Only an issued pack can be shared: a draft still changes.")
    label = _text(label, "The label", 120)
    if not label:
        raise ValidationFailed("Name the link after who gets it (e.g. 'Board, Q3 meeting').")
    link = PackShareLink(pack=pack, token=secrets.token_urlsafe(32), label=label, created_by=actor)
    return record_save(actor=actor, instance=link, before=None)


@transaction.atomic
def pack_share_link_revoke(*, actor: User, link: PackShareLink) -> PackShareLink:
    access.require_leading(actor, "share links")
    if link.revoked_at is None:
        before = audit.snapshot(link)
        link.revoked_at = timezone.now()
        record_save(actor=actor, instance=link, before=before)
    return link


def shared_pack(token: str) -> tuple[PackShareLink, Pack]:
    link = (
        PackShareLink.objects.select_related("pack").filter(token=token, revoked_at__isnull=True).first()
        if token
        else None
    )
    if link is None:
        raise NotFound("This link does not exist or was revoked.")
    return link, link.pack


# The company slide template -----------------------------------------------------------------------


def _check_pptx(data: bytes) -> int:
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationFailed(
            f"The template is too large: at most {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB."
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationFailed("That is not a PowerPoint file (.pptx).") from None
    if "ppt/presentation.xml" not in names:
        raise ValidationFailed("That is not a PowerPoint file (.pptx): it has no presentation inside.")
    if unpacked > 10 * MAX_TEMPLATE_BYTES:
        raise ValidationFailed("The template unpacks to far more than its size: refused.")
    path = storage.root() / "tmp" / f"check-{secrets.token_hex(8)}.pptx"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_bytes(data)
        from northstar.rendering import slides

        layouts, _slides = slides.check_template(path)
    except ValidationFailed:
        raise
    except Exception:  # python-pptx refused it: the user needs to know, not a 500
        raise ValidationFailed("PowerPoint could not read that template: save it again as .pptx.") from None
    finally:
        path.unlink(missing_ok=True)
    if layouts == 0:
        raise ValidationFailed("The template has no slide layouts.")
    return layouts


@transaction.atomic
def slide_template_upload(*, actor: User, name: str, data: bytes) -> SlideTemplate:
    """Make an uploaded .pptx the company template packs are built on (the previous one is kept)."""
    access.require_leading(actor, "the slide template")
    layouts = _check_pptx(data)
    digest = storage.sha256(data)
    meta = storage.write_once(f"templates/{digest}.pptx", data)
    for old in SlideTemplate.objects.filter(is_active=True):
        before = audit.snapshot(old)
        old.is_active = False
        record_save(actor=actor, instance=old, before=before)
    return record_save(
        actor=actor,
        instance=SlideTemplate(
            name=_text(name, "The name", 120) or "Company template",
            path=str(meta["path"]),
            sha256=digest,
            size=len(data),
            layouts=layouts,
            uploaded_by=actor,
        ),
        before=None,
    )


@transaction.atomic
def slide_template_clear(*, actor: User) -> None:
    access.require_leading(actor, "the slide template")
    for old in SlideTemplate.objects.filter(is_active=True):
        before = audit.snapshot(old)
        old.is_active = False
        record_save(actor=actor, instance=old, before=before)


def get_pack(pack_id: int) -> Pack:
    return get_or_404(Pack, pack_id, queryset=Pack.objects.select_related("line", "created_by", "issued_by"))
