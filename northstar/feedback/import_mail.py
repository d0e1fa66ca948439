"""Feedback from email: .eml files, a folder or .zip of them, or an mbox, imported like a CSV file.

Each message is one item: its sender, date, subject and own words (the quoted thread below is left
out). Messages are stored all-or-nothing through the same path as CSV rows (`imports.import_rows`).
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import zipfile
from collections.abc import Iterator
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.feedback.import_rows import EMAIL, MAX_EMAIL, Progress, Row, import_rows
from northstar.feedback.models import ImportBatch, Source
from northstar.feedback.services import item_values
from northstar.org import access


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


def _item_from_message(raw: bytes, where: str) -> tuple[Any, ...]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = parseaddr(str(message.get("From", "")))
    try:
        received = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        raise ValidationFailed(f"{where}: its Date header cannot be read.") from None
    text = _message_text(message)
    if not text:
        raise ValidationFailed(f"{where}: the message has no text.")
    return item_values(
        text=text,
        source=Source.EMAIL,
        title=str(message.get("Subject", "")),
        author_name=name,
        author_email=address if len(address or "") <= MAX_EMAIL and EMAIL.match(address or "") else "",
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
    return import_rows(
        _email_rows(path),
        actor=actor,
        filename=(filename or path.name),
        source=Source.EMAIL,
        preset="email",
        mapping={},
        progress=progress,
        empty="No email messages were found in the file.",
    )


def _email_rows(path: Path) -> Iterator[Row]:
    for number, (where, raw) in enumerate(email_messages(path), start=2):
        try:
            yield number, _item_from_message(raw, where), "", ""
        except ValidationFailed as exc:
            yield number, None, "", exc.message
        except (LookupError, UnicodeError, ValueError) as exc:  # an unknown charset, broken encoding…
            yield number, None, "", f"Message {number - 1} ({where}): it cannot be read ({exc})."
