"""Candidates' CVs (size- and type-limited, stored privately, only ever sent as a download) and the
candidate CSV import (all rows or none)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction

from northstar.core import audit, uploads
from northstar.core.csv_read import AmbiguousDate, csv_open, date_order, parse_date
from northstar.core.errors import ApplicationError, NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.people import access, hiring
from northstar.people.models import Candidate, Requisition, Source

#: A CV is at most this large (and never more than the site's upload limit).
CV_MAX_BYTES = 5 * 1024 * 1024
#: What a CV may be, recognised by its first bytes (not its name): PDF and Word (.docx).
CV_KINDS = {b"%PDF-": "pdf", b"PK\x03\x04": "docx"}
#: Rows in one candidate import.
IMPORT_MAX_ROWS = 2000


def cv_folder() -> Path:
    return Path(settings.DATA_DIR) / "candidate-cvs"


def cv_kind(head: bytes) -> str | None:
    return next((kind for magic, kind in CV_KINDS.items() if head.startswith(magic)), None)


@transaction.atomic
def candidate_cv_attach(
    *, actor: User, candidate: Candidate, name: str, size: int, chunks: Iterable[bytes]
) -> Candidate:
    """Store a candidate's CV (PDF or .docx, up to 5 MB); replaces the one before."""
    access.require_hiring_team(access.viewer_of(actor), candidate.requisition)
    if size > min(CV_MAX_BYTES, uploads.limit_bytes()):
        raise uploads.TooLarge(
            f"A CV is at most {CV_MAX_BYTES // (1024 * 1024)} MB; this one is {size / 1048576:.1f} MB."
        )
    pieces = list(chunks)
    kind = cv_kind(b"".join(pieces)[:8])
    if kind is None:
        raise ValidationFailed("A CV must be a PDF or a Word (.docx) file.")
    stored = f"{secrets.token_hex(16)}.{kind}"
    uploads.save_private(cv_folder(), stored, pieces)
    previous = candidate.cv_file
    before = audit.snapshot(candidate)
    candidate.cv_name = Path(name).name[:200] or f"cv.{kind}"
    candidate.cv_file = stored
    record_save(actor=actor, instance=candidate, before=before)
    if previous:
        transaction.on_commit(lambda: (cv_folder() / previous).unlink(missing_ok=True))
    return candidate


def candidate_cv_path(*, actor: User, candidate: Candidate) -> Path:
    """The stored CV, for someone who may see the candidate."""
    access.require_candidate_reader(access.viewer_of(actor), candidate)
    if not candidate.cv_file:
        raise NotFound("This candidate has no CV.")
    return cv_folder() / Path(candidate.cv_file).name


COLUMNS = ("name", "email", "source", "applied_on")


@transaction.atomic
def candidates_import(
    *, actor: User, requisition: Requisition, stream: IO[bytes] | IO[str], order: str = ""
) -> list[Candidate]:
    """Add candidates from a CSV (name, email, and optionally source and applied_on as YYYY-MM-DD): every
    row or none, with the failing row named."""
    access.require_hiring_team(access.viewer_of(actor), requisition)
    order = date_order(order)
    with csv_open(stream) as reader:
        reader.read_header()
        rows = list(reader.dicts())
    if not rows:
        raise ValidationFailed("The file has no candidates: it needs a header row with name and email.")
    missing = [c for c in ("name", "email") if c not in rows[0]]
    if missing:
        raise ValidationFailed(f"The file needs a column called {' and '.join(missing)}.")
    if len(rows) > IMPORT_MAX_ROWS:
        raise ValidationFailed(f"At most {IMPORT_MAX_ROWS} candidates per file.")
    added = []
    for number, row in enumerate(rows, start=2):
        try:
            applied = (row.get("applied_on") or "").strip()
            added.append(
                hiring.candidate_add(
                    actor=actor,
                    requisition=requisition,
                    name=(row.get("name") or "").strip(),
                    email=(row.get("email") or "").strip(),
                    source=(row.get("source") or "").strip().lower() or Source.INBOUND,
                    applied_on=parse_date(applied, order) if applied else None,
                )
            )
        except AmbiguousDate as exc:
            raise ValidationFailed(f"Row {number}: applied_on {exc}. Nothing was imported.") from None
        except ValueError:
            raise ValidationFailed(f"Row {number}: applied_on must be a date like 2026-12-03.") from None
        except ApplicationError as exc:
            raise type(exc)(f"Row {number}: {exc.message} Nothing was imported.", detail=exc.detail) from None
    return added
