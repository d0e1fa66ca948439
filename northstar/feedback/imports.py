"""Bringing feedback in from files: CSV with a column mapping (and presets), .eml files and mboxes.

An import lands whole or not at all. Every row is checked first; the first bad rows are reported
with their row number and the reason, and nothing is stored. Then all rows are written in one
transaction. Rows already in Northstar (same dedupe key) are skipped, so re-importing the same file
adds nothing twice.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import mailbox
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from northstar.core import uploads
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.feedback.models import Contact, Customer, FeedbackItem, ImportBatch, Source
from northstar.feedback.services import build_item
from northstar.org import access

Progress = Callable[[float, str], None]


class Cancelled(Exception):
    """The person who started the import cancelled it; the transaction rolls back."""


#: The fields an import can fill, in the order the mapping form shows them.
TARGET_FIELDS = {
    "text": "Feedback text (required)",
    "title": "Title / subject",
    "author_name": "Author name",
    "author_email": "Author email",
    "customer": "Customer / company",
    "received_at": "Date",
    "external_id": "Id in the source (for re-imports)",
}


@dataclass(frozen=True)
class Preset:
    label: str
    source: str
    #: field -> candidate column names, first present wins
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    "generic": Preset(
        "Generic CSV",
        Source.CSV,
        {
            "text": ("text", "feedback", "body", "comment", "description", "message"),
            "title": ("title", "subject"),
            "author_name": ("author", "name", "author_name"),
            "author_email": ("email", "author_email"),
            "customer": ("customer", "company", "account", "organization"),
            "received_at": ("date", "created_at", "created", "received_at"),
            "external_id": ("id", "external_id"),
        },
    ),
    "zendesk": Preset(
        "Zendesk tickets",
        Source.ZENDESK,
        {
            "text": ("Description", "Comment"),
            "title": ("Subject",),
            "author_name": ("Requester",),
            "author_email": ("Requester email",),
            "customer": ("Organization",),
            "received_at": ("Created at",),
            "external_id": ("Id", "Ticket ID"),
        },
    ),
    "intercom": Preset(
        "Intercom conversations",
        Source.INTERCOM,
        {
            "text": ("Conversation body", "First message", "Body"),
            "title": ("Conversation title", "Subject"),
            "author_name": ("User name", "Contact name"),
            "author_email": ("User email", "Contact email"),
            "customer": ("Company name", "Company"),
            "received_at": ("Created at", "Conversation started at"),
            "external_id": ("Conversation ID", "Conversation id"),
        },
    ),
    "canny": Preset(
        "Canny posts",
        Source.CANNY,
        {
            "text": ("Details", "Description"),
            "title": ("Title",),
            "author_name": ("Author Name", "Author"),
            "author_email": ("Author Email",),
            "customer": ("Company Name", "Company"),
            "received_at": ("Created Date", "Created At"),
            "external_id": ("ID", "Post ID"),
        },
    ),
    "productboard": Preset(
        "Productboard notes",
        Source.PRODUCTBOARD,
        {
            "text": ("note_text", "Note text", "content"),
            "title": ("note_title", "Note title", "title"),
            "author_name": ("user_name", "User name"),
            "author_email": ("user_email", "User email"),
            "customer": ("company_name", "Company name", "company_domain"),
            "received_at": ("created_at", "Created at"),
            "external_id": ("note_id", "Note ID", "id"),
        },
    ),
    "app_store": Preset(
        "App-store reviews",
        Source.APP_STORE,
        {
            "text": ("Review", "Review Text", "Body"),
            "title": ("Title", "Review Title"),
            "author_name": ("Nickname", "Reviewer", "Author"),
            "received_at": ("Date", "Review Date", "Review Last Update Date and Time"),
            "external_id": ("Review ID", "Review Link", "ID"),
        },
    ),
}


def preset_mapping(preset: str, headers: Iterable[str]) -> dict[str, str]:
    """The mapping a preset suggests for these headers (case-insensitive; missing columns left out)."""
    chosen = PRESETS.get(preset) or PRESETS["generic"]
    by_lower = {h.strip().lower(): h for h in headers}
    mapping = {}
    for target, candidates in chosen.columns.items():
        for name in candidates:
            if name.lower() in by_lower:
                mapping[target] = by_lower[name.lower()]
                break
    return mapping


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%b %d, %Y",
    "%d %b %Y",
)


def parse_date(raw: str) -> datetime | None:
    """ISO dates and times, and the common export formats; None for an empty cell; ValueError otherwise."""
    raw = raw.strip()
    if not raw:
        return None
    candidate = raw.replace("Z", "+00:00").replace(" UTC", "+00:00")
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        value = None
        for fmt in _DATE_FORMATS:
            try:
                value = datetime.strptime(raw, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
        if value is None:
            raise ValueError(f"“{raw[:40]}” is not a date Northstar can read (use e.g. 2024-05-31)") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    assert value is not None  # both branches above end with a datetime or raise
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest address the standard (and the author_email column) allows.
MAX_EMAIL = 254

#: Imports up to this size are sorted into existing themes at once; larger ones wait for a re-clustering.
ASSIGN_AFTER_IMPORT_LIMIT = 20_000

#: Rows between two progress reports.
PROGRESS_EVERY = 20_000

#: Stop checking after this many bad rows: the first ones say enough to fix the file.
MAX_ERRORS = 20


@dataclass
class _Plan:
    """What the checking pass learned; the storing pass reads the file again (memory stays flat)."""

    rows: int
    items: int
    duplicates: int
    customers: dict[str, str]  # lower-case name -> name as written


def _read_rows(path: Path) -> tuple[list[str], Iterator[list[str]], io.TextIOWrapper]:
    handle = path.open(newline="", encoding="utf-8-sig", errors="strict")
    reader = csv.reader(handle)
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise ValidationFailed("The file is empty: it needs a header row and at least one row.") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        handle.close()
        raise ValidationFailed(
            f"Row 1 could not be read as CSV: {exc}. Save the file as UTF-8 CSV."
        ) from None
    return headers, reader, handle


def csv_preview(path: Path, *, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows, for the mapping form."""
    headers, reader, handle = _read_rows(path)
    with handle:
        sample: list[list[str]] = []
        try:
            for row in reader:
                if len(sample) >= rows:
                    break
                sample.append(row)
        except (csv.Error, UnicodeDecodeError):
            pass
    return headers, sample


def _check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    unknown = sorted(set(mapping) - set(TARGET_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown field(s) in the mapping: {', '.join(unknown)}.")
    if not mapping.get("text"):
        raise ValidationFailed("Choose the column that holds the feedback text.")
    index = {}
    for target, column in mapping.items():
        if not column:
            continue
        if column not in headers:
            raise ValidationFailed(f"The file has no column “{column}” (mapped to {TARGET_FIELDS[target]}).")
        index[target] = headers.index(column)
    return index


@dataclass
class _Row:
    number: int
    item: FeedbackItem | None
    customer: str
    error: str = ""


def _csv_rows(
    path: Path, mapping: dict[str, str], source: str, progress: Progress, span: float
) -> Iterator[_Row]:
    """Each data row as an unsaved item (or the reason it is not one), with its customer name."""
    headers, reader, handle = _read_rows(path)
    columns = _check_mapping(headers, mapping)
    size = max(path.stat().st_size, 1)
    number = 1
    with handle:
        try:
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(headers):
                    yield _Row(number, None, "", _width_error(number, len(row), len(headers)))
                    continue

                def cell(target: str, row: list[str] = row) -> str:
                    i = columns.get(target)
                    return row[i].strip() if i is not None and i < len(row) else ""

                try:
                    address = cell("author_email").lower()
                    if len(address) > MAX_EMAIL:
                        raise ValueError(
                            f"the author email is {len(address)} characters long (at most {MAX_EMAIL})"
                        )
                    if address and not _EMAIL.match(address):
                        raise ValueError(f"“{address[:60]}” is not an email address")
                    if not cell("text"):
                        raise ValueError("the feedback text is empty")
                    item = build_item(
                        text=cell("text"),
                        source=source,
                        title=cell("title"),
                        author_name=cell("author_name"),
                        author_email=address,
                        received_at=parse_date(cell("received_at")),
                        external_id=cell("external_id"),
                    )
                except (ValueError, ValidationFailed) as exc:
                    yield _Row(number, None, "", f"Row {number}: {getattr(exc, 'message', str(exc))}")
                    continue
                yield _Row(number, item, cell("customer"))
                if number % PROGRESS_EVERY == 0:
                    progress(
                        span * cast(io.BufferedReader, handle.buffer).tell() / size, f"Read {number - 1} rows"
                    )
        except (csv.Error, UnicodeDecodeError) as exc:
            yield _Row(
                number, None, "", f"Row {number}: the file cannot be read there ({exc}); save it as UTF-8 CSV"
            )


def _width_error(number: int, found: int, wanted: int) -> str:
    """A row whose fields do not line up with the header would shift or drop values: name it."""
    return (
        f"Row {number} has {found} field{'s' if found != 1 else ''} but the header has {wanted} "
        "(an unquoted comma, or a missing one?)"
    )


def _refuse(errors: list[str]) -> None:
    raise ValidationFailed(
        "The file was not imported; nothing was stored. Fix these rows and import it again: "
        + "; ".join(errors[:5])
        + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""),
        detail={"errors": errors},
    )


def _check(rows: Iterable[_Row]) -> _Plan:
    """The checking pass: every row is read; the first bad ones refuse the whole file."""
    errors: list[str] = []
    keys: set[str] = set()
    customers: dict[str, str] = {}
    count = duplicates = last = 0
    for row in rows:
        last = row.number
        if row.item is None:
            errors.append(row.error)
            if len(errors) >= MAX_ERRORS:
                break
            continue
        if row.item.dedupe_key in keys:
            duplicates += 1
            continue
        keys.add(row.item.dedupe_key)
        count += 1
        if row.customer:
            customers.setdefault(row.customer.lower(), row.customer)
    if errors:
        _refuse(errors)
    if not count:
        raise ValidationFailed("The file has no feedback rows.")
    return _Plan(
        rows=max(last - 1, count + duplicates), items=count, duplicates=duplicates, customers=customers
    )


def _store(
    rows: Iterable[_Row],
    plan: _Plan,
    *,
    batch: ImportBatch,
    progress: Progress,
    cancelled: Callable[[], bool],
    chunk: int = 5000,
) -> ImportBatch:
    """The storing pass, in the caller's transaction; items already stored are skipped."""
    known = {name.lower(): pk for pk, name in Customer.objects.values_list("id", "name")}
    new = [Customer(name=n[:200]) for key, n in plan.customers.items() if key not in known]
    Customer.objects.bulk_create(new, batch_size=1000)
    if new:
        known = {name.lower(): pk for pk, name in Customer.objects.values_list("id", "name")}
    by_email = dict(Contact.objects.exclude(email="").values_list("email", "customer_id"))
    before = FeedbackItem.objects.count()
    seen: set[str] = set()
    pending: list[FeedbackItem] = []
    done = 0

    def flush() -> None:
        nonlocal done
        if cancelled():
            raise Cancelled
        FeedbackItem.objects.bulk_create(pending, batch_size=1000, ignore_conflicts=True)
        done += len(pending)
        pending.clear()
        progress(0.3 + 0.7 * done / plan.items, f"Stored {done} of {plan.items} rows")

    for row in rows:
        item = row.item
        if item is None or item.dedupe_key in seen:
            continue
        seen.add(item.dedupe_key)
        item.batch = batch
        item.customer_id = (
            known.get(row.customer.lower()) if row.customer else by_email.get(item.author_email)
        )
        pending.append(item)
        if len(pending) >= chunk:
            flush()
    if pending:
        flush()
    added = FeedbackItem.objects.count() - before
    batch.rows, batch.added = plan.rows, added
    batch.duplicates = plan.duplicates + (plan.items - added)
    batch.save(update_fields=["rows", "added", "duplicates"])
    return batch


def _never() -> bool:
    return False


def _quiet(fraction: float, message: str) -> None:
    return None


def feedback_import_csv(
    *,
    actor: User | None,
    path: Path,
    mapping: dict[str, str],
    preset: str = "generic",
    filename: str = "",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportBatch:
    """Import a CSV file all-or-nothing (see module docstring). `mapping` is {field: column}."""
    if actor is not None:
        access.require_write(actor)
    progress = progress or _quiet
    source = (PRESETS.get(preset) or PRESETS["generic"]).source
    plan = _check(_csv_rows(path, mapping, source, progress, 0.3))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            filename=(filename or path.name)[:255],
            source=source,
            preset=preset,
            mapping=mapping,
            created_by=actor,
        )
        rows = _csv_rows(path, mapping, source, _quiet, 0)
        _store(rows, plan, batch=batch, progress=progress, cancelled=cancelled or _never)
    return batch


# Email -------------------------------------------------------------------------------------------


def _message_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = re.sub(r"<[^>]+>", " ", content)
    lines = []
    for line in content.splitlines():
        if line.startswith(">") or re.match(r"^On .+ wrote:$", line.strip()):
            break  # the quoted thread below is not this sender's feedback
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def _item_from_message(raw: bytes, where: str) -> FeedbackItem:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = parseaddr(str(message.get("From", "")))
    try:
        received = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        raise ValidationFailed(f"{where}: its Date header cannot be read.") from None
    text = _message_text(message)
    if not text:
        raise ValidationFailed(f"{where}: the message has no text.")
    return build_item(
        text=text,
        source=Source.EMAIL,
        title=str(message.get("Subject", "")),
        author_name=name,
        author_email=address if len(address or "") <= MAX_EMAIL and _EMAIL.match(address or "") else "",
        received_at=received,
        external_id=str(message.get("Message-ID", "")).strip("<> "),
    )


#: Caps on what a .zip of .eml files may unpack to, checked before anything is read: a small
#: archive can hold gigabytes of zeros (a "zip bomb").
MAX_ZIP_ENTRY = 10 * 1024 * 1024
MAX_ZIP_TOTAL = 200 * 1024 * 1024


def _check_zip_sizes(entries: list[zipfile.ZipInfo]) -> None:
    for info in entries:
        if info.file_size > MAX_ZIP_ENTRY:
            raise ValidationFailed(
                f"{info.filename} unpacks to {info.file_size:,} bytes: a message may have at most "
                f"{MAX_ZIP_ENTRY // (1024 * 1024)} MB. Remove it from the archive and try again."
            )
    total = sum(info.file_size for info in entries)
    if total > MAX_ZIP_TOTAL:
        raise ValidationFailed(
            f"The archive unpacks to {total:,} bytes: at most {MAX_ZIP_TOTAL // (1024 * 1024)} MB "
            "can be imported at once. Split it into smaller archives."
        )


def email_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw message) from a .eml file, a folder or .zip of .eml files, or an mbox file."""
    if path.is_dir():
        for eml in sorted(path.rglob("*.eml")):
            yield eml.name, eml.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            entries = sorted(
                (i for i in archive.infolist() if i.filename.lower().endswith(".eml")),
                key=lambda i: i.filename,
            )
            _check_zip_sizes(entries)
            for info in entries:
                yield info.filename, archive.read(info)
    elif path.suffix.lower() == ".eml":
        yield path.name, path.read_bytes()
    else:
        box = mailbox.mbox(str(path), create=False)
        for index, message in enumerate(box, start=1):
            yield f"Message {index}", message.as_bytes()


def feedback_import_email(
    *, actor: User | None, path: Path, filename: str = "", progress: Progress | None = None
) -> ImportBatch:
    """Import .eml files (a folder or a .zip of them) or an mbox, all-or-nothing like a CSV."""
    if actor is not None:
        access.require_write(actor)
    progress = progress or _quiet
    rows = list(_email_rows(path))
    if not rows:
        raise ValidationFailed("No email messages were found in the file.")
    plan = _check(rows)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            filename=(filename or path.name)[:255], source=Source.EMAIL, preset="email", created_by=actor
        )
        _store(rows, plan, batch=batch, progress=progress, cancelled=_never)
    return batch


def _email_rows(path: Path) -> Iterator[_Row]:
    for number, (where, raw) in enumerate(email_messages(path), start=2):
        try:
            yield _Row(number, _item_from_message(raw, where), "")
        except ValidationFailed as exc:
            yield _Row(number, None, "", exc.message)
        except (LookupError, UnicodeError, ValueError) as exc:  # an unknown charset, broken encoding…
            yield _Row(number, None, "", f"Message {number - 1} ({where}): it cannot be read ({exc}).")


# Uploads -----------------------------------------------------------------------------------------


def upload_dir() -> Path:
    """Where uploaded files wait for their import: the data directory (never the database), private."""
    return uploads.private_folder(Path(settings.DATA_DIR) / "imports")


def upload_save(*, actor: User, upload: Any) -> str:
    """Keep an uploaded file (private, within the size limit) for the import job; returns its token.

    Each new upload first clears the uploads left behind (never mapped, failed or interrupted).
    """
    import secrets

    access.require_write(actor)
    uploads.check_size(getattr(upload, "size", None))
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in {".csv", ".eml", ".mbox", ".zip", ".txt", ""}:
        raise ValidationFailed("Upload a .csv file, an .mbox, an .eml, or a .zip of .eml files.")
    uploads_cleanup()
    token = f"{actor.pk}-{secrets.token_hex(12)}{suffix}"
    uploads.save_private(upload_dir(), token, upload.chunks())
    return token


def uploads_cleanup(*, older_than: float = uploads.STALE_AFTER_SECONDS) -> int:
    """Delete uploads nobody imported within `older_than` seconds, except those a queued or running
    import job still needs. Returns how many files were deleted."""
    from northstar.core.models import Job

    waiting = Job.objects.filter(
        task="northstar.feedback.tasks.import_file", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).values_list("kwargs", flat=True)
    keep = {kwargs.get("token", "") for kwargs in waiting if isinstance(kwargs, dict)}
    return uploads.cleanup(upload_dir(), older_than=older_than, keep=keep)


def upload_path(*, actor: User, token: str) -> Path:
    """The saved upload for this token; only the person who uploaded it may use it."""
    if not re.fullmatch(r"\d+-[0-9a-f]{24}(\.[a-z]{1,5})?", token) or not token.startswith(f"{actor.pk}-"):
        raise ValidationFailed("That upload is not yours or has expired: upload the file again.")
    path = upload_dir() / token
    if not path.exists():
        raise ValidationFailed("That upload has expired: upload the file again.")
    return path


def import_start(
    *,
    actor: User,
    token: str,
    kind: str,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    filename: str = "",
):
    """Queue an import job for a saved upload (the job shows progress and can be cancelled)."""
    from northstar.core.jobs import job_enqueue

    access.require_write(actor)
    path = upload_path(actor=actor, token=token)
    if kind == "csv":
        headers, _ = csv_preview(path, rows=0)
        _check_mapping(headers, mapping or {})
    return job_enqueue(
        task="northstar.feedback.tasks.import_file",
        kwargs={
            "actor_id": actor.pk,
            "token": token,
            "kind": kind,
            "mapping": mapping or {},
            "preset": preset,
            "filename": filename,
        },
        actor=actor,
        title=f"Import {filename or 'feedback'}",
    )
