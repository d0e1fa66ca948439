"""Bringing feedback in from CSV files, with a column mapping (and presets for common exports).

An import lands whole or not at all: rows are checked and stored in one pass in one transaction, and
the first bad rows are reported with their row number and the reason (`import_rows`). The file is
read through `core.csv_read`: any common encoding and delimiter, and dates like 01/02/2024 only when
the person importing said which order they are in. Email imports are in `import_mail`, uploads and
the import job in `import_uploads` (both re-exported here, where the views and tasks find them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from northstar.core.csv_read import CsvFile, csv_open, date_order, parse_datetime
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.feedback.import_mail import (  # noqa: F401 - re-exported
    MAX_ZIP_ENTRY,
    MAX_ZIP_TOTAL,
    email_messages,
    feedback_import_email,
)
from northstar.feedback.import_rows import (  # noqa: F401 - re-exported
    EMAIL,
    MAX_EMAIL,
    MAX_ERRORS,
    Cancelled,
    Progress,
    Row,
    import_rows,
)
from northstar.feedback.import_uploads import (  # noqa: F401 - re-exported
    import_start,
    upload_dir,
    upload_path,
    upload_save,
    uploads_cleanup,
)
from northstar.feedback.models import ImportBatch, Source
from northstar.feedback.services import item_values
from northstar.org import access

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

#: Imports up to this size are sorted into existing themes at once; larger ones wait for a re-clustering.
ASSIGN_AFTER_IMPORT_LIMIT = 20_000


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


class _Dates:
    """A date cell as an aware datetime; exports repeat the same dates, so each is read once."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.zone = timezone.get_current_timezone()
        self.seen: dict[str, datetime | None] = {}

    def __call__(self, raw: str) -> datetime | None:
        known = self.seen.get(raw, False)
        if known is not False:
            return known  # type: ignore[return-value]
        value: datetime | None = None
        if raw.strip():
            value = parse_datetime(raw, self.order)
            if timezone.is_naive(value):
                value = timezone.make_aware(value, self.zone)
        if len(self.seen) > 50_000:
            self.seen.clear()
        self.seen[raw] = value
        return value


def parse_date(raw: str, order: str = "") -> datetime | None:
    """A date cell as an aware datetime, None when empty; ValueError saying why it cannot be read."""
    return _Dates(order)(raw)


def _open(path: Path) -> tuple[CsvFile, list[str]]:
    reader = csv_open(path)
    try:
        return reader, reader.read_header()
    except ValidationFailed:
        reader.close()
        raise


def csv_preview(path: Path, *, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows, for the mapping form."""
    reader, headers = _open(path)
    sample: list[list[str]] = []
    with reader:
        try:
            for row in reader:
                if len(sample) >= rows:
                    break
                sample.append(row)
        except (ValueError, UnicodeError):
            pass
    return headers, sample


def check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """The column index of each mapped field; refuses unknown fields and missing columns."""
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


def _width_error(number: int, found: int, wanted: int) -> str:
    """A row whose fields do not line up with the header would shift or drop values: name it."""
    return (
        f"Row {number} has {found} field{'s' if found != 1 else ''} but the header has {wanted} "
        "(an unquoted delimiter, or a missing one?)"
    )


def _csv_rows(reader: CsvFile, columns: dict[str, int], source: str, order: str) -> Iterator[Row]:
    """Each data row as item values (or the reason it is not one), with its customer name.

    Runs once per row of million-row files: column positions are looked up once, dates once each.
    """
    width = len(reader.headers)
    pick = [columns.get(name, -1) for name in TARGET_FIELDS]
    i_text, i_title, i_name, i_email, i_customer, i_date, i_id = pick
    when = _Dates(order)
    email_ok = EMAIL.match
    number = 1
    try:
        for number, row in enumerate(reader, start=2):
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue
                yield number, None, "", _width_error(number, len(row), width)
                continue
            try:
                text = row[i_text]
                if not text.strip():
                    if not any(cell.strip() for cell in row):
                        continue
                    raise ValueError("the feedback text is empty")
                address = row[i_email].strip().lower() if i_email >= 0 else ""
                if address:
                    if len(address) > MAX_EMAIL:
                        raise ValueError(
                            f"the author email is {len(address)} characters long (at most {MAX_EMAIL})"
                        )
                    if not email_ok(address):
                        raise ValueError(f"“{address[:60]}” is not an email address")
                values = item_values(
                    text=text,
                    source=source,
                    title=row[i_title] if i_title >= 0 else "",
                    author_name=row[i_name] if i_name >= 0 else "",
                    author_email=address,
                    received_at=when(row[i_date]) if i_date >= 0 else None,
                    external_id=row[i_id] if i_id >= 0 else "",
                )
            except (ValueError, ValidationFailed) as exc:
                yield number, None, "", f"Row {number}: {getattr(exc, 'message', str(exc))}"
                continue
            yield number, values, row[i_customer].strip() if i_customer >= 0 else "", ""
    except (ValueError, UnicodeError) as exc:  # csv.Error is a ValueError too
        yield number + 1, None, "", reader.reading_error(exc)


def feedback_import_csv(
    *,
    actor: User | None,
    path: Path,
    mapping: dict[str, str],
    preset: str = "generic",
    filename: str = "",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    order: str = "",
) -> ImportBatch:
    """Import a CSV file all-or-nothing (see module docstring). `mapping` is {field: column};
    `order` says how to read dates like 01/02/2024 ("dmy" or "mdy"; refused when not given)."""
    if actor is not None:
        access.require_write(actor)
    order = date_order(order)
    source = (PRESETS.get(preset) or PRESETS["generic"]).source
    reader, headers = _open(path)
    with reader:
        columns = check_mapping(headers, mapping)
        return import_rows(
            _csv_rows(reader, columns, source, order),
            actor=actor,
            filename=filename or path.name,
            source=source,
            preset=preset,
            mapping=mapping,
            progress=progress,
            cancelled=cancelled,
            where=reader.fraction,
        )
