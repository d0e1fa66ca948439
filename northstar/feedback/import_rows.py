"""Storing imported feedback rows all-or-nothing, whatever file they came from (CSV or email).

One pass over the rows, inside one transaction: good rows are written in chunks as they come; at the
first bad row writing stops, the rest is still checked (up to `MAX_ERRORS` bad rows, so one refusal
names enough to fix the file) and the transaction is rolled back. Nothing is kept in memory but a
chunk, so a file of a million rows imports in flat memory. Rows already in Northstar (same dedupe
key) are skipped, so re-importing a file adds nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.feedback.import_store import Writer
from northstar.feedback.models import ImportBatch

Progress = Callable[[float, str], None]

#: One row read from a file: (row number, item values or None, customer name, why it is refused).
Row = tuple[int, "tuple[Any, ...] | None", str, str]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest address the standard (and the author_email column) allows.
MAX_EMAIL = 254

#: Stop checking after this many bad rows: the first ones say enough to fix the file.
MAX_ERRORS = 20

#: Rows written per statement.
CHUNK = 5000


class Cancelled(Exception):
    """The person who started the import cancelled it; the transaction rolls back."""


def _never() -> bool:
    return False


def quiet(fraction: float, message: str) -> None:
    return None


def refuse(errors: list[str]) -> None:
    raise ValidationFailed(
        "The file was not imported; nothing was stored. Fix these rows and import it again: "
        + "; ".join(errors[:5])
        + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""),
        detail={"errors": errors},
    )


def import_rows(
    rows: Iterable[Row],
    *,
    actor: User | None,
    filename: str,
    source: str,
    preset: str,
    mapping: dict[str, str],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    where: Callable[[], float] | None = None,
    empty: str = "The file has no feedback rows.",
    chunk: int | None = None,
) -> ImportBatch:
    """Store these rows as one import batch, or none of them (see the module docstring).

    `where` says how far along its file the reading is (0 to 1), for progress reports.
    """
    progress = progress or quiet
    cancelled = cancelled or _never
    chunk = chunk or CHUNK
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            filename=filename[:255], source=source, preset=preset, mapping=mapping, created_by=actor
        )
        writer = Writer(batch.pk)
        errors: list[str] = []
        pending: list[tuple[tuple[Any, ...], str]] = []
        count = last = 0

        def flush() -> None:
            if cancelled():
                raise Cancelled
            writer.write(pending)
            pending.clear()
            done = where() if where else 0.0
            progress(0.95 * done, f"Stored {writer.written:,} rows")

        for number, values, customer, error in rows:
            last = number
            if values is None:
                errors.append(error)
                if len(errors) >= MAX_ERRORS:
                    break
                continue
            count += 1
            if errors:
                continue  # the file is refused: keep checking, stop writing
            pending.append((values, customer))
            if len(pending) >= chunk:
                flush()
        if errors:
            refuse(errors)
        if not count:
            raise ValidationFailed(empty)
        if pending:
            flush()
        added = writer.finish()
        batch.rows, batch.added, batch.duplicates = max(last - 1, count), added, count - added
        batch.save(update_fields=["rows", "added", "duplicates"])
        progress(1.0, f"Stored {added:,} new rows ({count - added:,} already there)")
    return batch
