"""Bulk writes of KPI values (CSV imports, API pushes): whole or not at all, at bulk-load speed.

The file is streamed, each row validated, and the rows written in batches inside one transaction (on
PostgreSQL by COPY: new dates straight into the table, corrections of stored points through a
temporary table and one upsert; on SQLite by multi-row upserts in a writer thread while the next
batch is read). The first bad row stops the import with its line number and the reason, and nothing
of the file stays.
"""

from __future__ import annotations

import csv
import math
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from northstar.core.csv_read import CsvFile, csv_open, date_order, parse_date
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.org import access
from northstar.strategy.metrics import (
    clean_value,
    hold_metrics,
    refresh_bound_key_results,
    require_metric_edit,
)
from northstar.strategy.models import Metric, MetricImport, MetricValue

Point = tuple[int, str, float, str]


@transaction.atomic
def metric_values_push(
    *, actor: User, metric: Metric, points: Iterable[tuple[date, float, str]]
) -> MetricImport:
    """Store many points of one metric at once (the API's push); all land or none do."""
    require_metric_edit(actor, metric)
    rows = []
    seen: set[tuple[date, str]] = set()
    for n, (when, value, dimension) in enumerate(points, start=1):
        dimension = (dimension or "").strip()
        if len(dimension) > 60:
            raise ValidationFailed(f"Point {n}: a dimension is at most 60 characters.")
        if (when, dimension) in seen:
            raise ValidationFailed(f"Point {n}: {when} {dimension or '(no dimension)'} appears twice.")
        seen.add((when, dimension))
        try:
            rows.append((metric.pk, when.isoformat(), clean_value(value), dimension))
        except ValidationFailed as exc:
            raise ValidationFailed(f"Point {n}: {exc.message}") from None
    if not rows:
        raise ValidationFailed("Send at least one point.")
    with _writer() as write:
        write(rows)
    return _finish_import(
        actor=actor,
        file_name=f"API push to {metric.key}",
        rows=len(rows),
        metric_ids={metric.pk},
        dates=[date.fromisoformat(r[1]) for r in rows],
    )


def _finish_import(
    *, actor: User | None, file_name: str, rows: int, metric_ids: set[int], dates: list[date]
) -> MetricImport:
    hold_metrics(metric_ids)
    record = MetricImport(
        file_name=file_name[:255],
        rows=rows,
        metrics=len(metric_ids),
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        actor=actor,
    )
    record_save(actor=actor, instance=record, before=None)
    refresh_bound_key_results(metric_ids)
    return record


BATCH = 20_000
#: Rows in one SQLite upsert (4 parameters each), fewer when the build allows fewer parameters.
#: Large statements matter: the writer thread waits for Python's lock after every statement while
#: the reader parses, so 200-row statements spent about a third of the import waiting (5.7 s
#: against 4.1 s for 1,000,000 rows).
SQLITE_ROWS_PER_STATEMENT = 2_000
REQUIRED_COLUMNS = ("date", "metric", "value")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _PostgresWriter:
    """PostgreSQL's writer of batches of points into the metric value table.

    A point dated after its metric's latest stored date cannot clash with a stored one,
    so it goes straight into the table by COPY, streamed while the file is still being read. Other
    points (corrections of past dates) are copied into a temporary table and upserted by one
    INSERT ... ON CONFLICT when the writer closes; its per-row conflict check is the costly part of
    an import, so new data skips it. The table is locked against other writers (readers are not
    blocked) for the rest of the transaction, so no one can store a point between our reading of
    the latest dates and our commit.
    """

    def __init__(self) -> None:
        self.table = MetricValue._meta.db_table
        self.cursor = connection.cursor()
        self.copy_context: Any = None  # the open COPY stream (see `_stream`)
        self.copy: Any = None
        self.corrections: list[str] = []
        # Metrics first, then the table, the order `metric_delete` takes them in: no deadlock.
        self.cursor.execute(f'SELECT id FROM "{Metric._meta.db_table}" ORDER BY id FOR KEY SHARE')  # noqa: S608
        self.cursor.execute(f'LOCK TABLE "{self.table}" IN SHARE ROW EXCLUSIVE MODE')
        self.cursor.execute(
            f'SELECT m.id, (SELECT MAX(v.date) FROM "{self.table}" v WHERE v.metric_id = m.id) '  # noqa: S608 - our tables
            f'FROM "{Metric._meta.db_table}" m'
        )
        self.latest = {pk: last.isoformat() for pk, last in self.cursor.fetchall() if last}
        self.cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS strategy_import_stage "
            "(metric_id bigint, date date, value double precision, dimension varchar(60)) "
            "ON COMMIT DROP"
        )

    def __call__(self, rows: list[Point]) -> None:
        latest = self.latest
        new = [p for p in rows if p[1] > latest.get(p[0], "")]  # ISO dates compare like dates
        if new:
            self._stream().write(_copy_text(new))
        if len(new) < len(rows):  # kept as COPY text (compact) until the stream ends
            self.corrections.append(_copy_text([p for p in rows if p[1] <= latest.get(p[0], "")]))

    def _stream(self) -> Any:
        """The COPY into the table, opened on first use and kept open across batches, so the server
        stores one batch while we read the next (closing it after each batch made us wait every time)."""
        if self.copy is None:
            raw = self.cursor.cursor  # the psycopg cursor under Django's wrapper
            self.copy_context = raw.copy(
                f'COPY "{self.table}" (metric_id, date, value, dimension) FROM STDIN'
            )
            self.copy = self.copy_context.__enter__()
        return self.copy

    def pause(self, *exc: Any) -> None:
        """End the COPY stream (aborting it when `exc` is an error) so the connection can run a query."""
        if self.copy_context is not None:
            context, self.copy_context, self.copy = self.copy_context, None, None
            context.__exit__(*(exc or (None, None, None)))

    def close(self) -> None:
        self.pause()
        if self.corrections:
            raw = self.cursor.cursor
            with raw.copy(
                "COPY strategy_import_stage (metric_id, date, value, dimension) FROM STDIN"
            ) as copy:
                for text in self.corrections:
                    copy.write(text)
            self.corrections.clear()
            self.cursor.execute(
                f'INSERT INTO "{self.table}" (metric_id, date, value, dimension) '  # noqa: S608 - our table
                "SELECT metric_id, date, value, dimension FROM strategy_import_stage "
                "ON CONFLICT (metric_id, date, dimension) DO UPDATE SET value = EXCLUDED.value "
                f'WHERE "{self.table}".value <> EXCLUDED.value'  # unchanged points stay as they are
            )
        self.cursor.execute("DROP TABLE strategy_import_stage")
        self.cursor.close()

    def __enter__(self) -> _PostgresWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.pause(*exc)  # tells the server the COPY failed, so the transaction can roll back
            self.cursor.close()


def _copy_text(rows: list[Point]) -> str:
    return "".join(
        f"{m}\t{d}\t{v!r}\t{dim.translate(_COPY_ESCAPES) if dim else ''}\n" for m, d, v, dim in rows
    )


class _SqliteWriter:
    """SQLite's writer: multi-row upserts, run in a thread of their own while the next batch is read.

    Upserts of `SQLITE_ROWS_PER_STATEMENT` rows each: one statement per row cost twice the time,
    because the table's AUTOINCREMENT key reads and writes its row of `sqlite_sequence` (a scan of
    a table with a row per app table) once per statement. SQLite runs a statement without holding
    Python's lock, so reading the file (Python) and storing the rows (SQLite) overlap. Only one side
    uses the connection at a time: `pause` waits for the writer to be idle before the reader queries
    (a permission check, a progress report), and the transaction stays the caller's.
    """

    def __init__(self) -> None:
        self.table = MetricValue._meta.db_table
        self.cursor = connection.cursor()
        self.statements: dict[int, str] = {}
        limit = self.cursor.cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.rows_per_statement = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // 4))
        self.pending: queue.Queue[list[Point] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="metric-import-writer", daemon=True)
        self.thread.start()

    def __call__(self, rows: list[Point]) -> None:
        self._raise()
        self.pending.put(rows)

    def pause(self, *exc: Any) -> None:
        self.pending.join()
        if not exc:
            self._raise()

    def _run(self) -> None:
        raw = self.cursor.cursor  # the sqlite3 cursor: no per-call query rewriting
        while True:
            rows = self.pending.get()
            try:
                if rows is None:
                    return
                if self.error is None:
                    step = self.rows_per_statement
                    for start in range(0, len(rows), step):
                        part = rows[start : start + step]
                        raw.execute(self._upsert(len(part)), list(chain.from_iterable(part)))
            except BaseException as exc:  # handed to the reader, which raises it in its own thread
                self.error = exc
            finally:
                self.pending.task_done()

    def _upsert(self, rows: int) -> str:
        sql = self.statements.get(rows)
        if sql is None:
            sql = self.statements[rows] = (
                f'INSERT INTO "{self.table}" (metric_id, date, value, dimension) VALUES '  # noqa: S608 - our table
                + ", ".join(["(?, ?, ?, ?)"] * rows)
                + " ON CONFLICT (metric_id, date, dimension) DO UPDATE SET value = excluded.value "
                f'WHERE "{self.table}".value <> excluded.value'  # an unchanged point is not rewritten
            )
        return sql

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _stop(self) -> None:
        self.pending.put(None)
        self.thread.join()

    def __enter__(self) -> _SqliteWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop()
        self.cursor.close()
        if exc[0] is None:
            self._raise()


def _writer() -> _PostgresWriter | _SqliteWriter:
    """The fastest path of the database in use (Northstar runs on SQLite and PostgreSQL)."""
    return _PostgresWriter() if connection.vendor == "postgresql" else _SqliteWriter()


Progress = Callable[[int, int, int], None]  # (rows so far, characters read, characters in the file)


def _refuse(line: int, reason: str) -> ValidationFailed:
    return ValidationFailed(
        f"Line {line}: {reason} Nothing was imported.", detail={"line": line, "reason": reason}
    )


class _MetricLookup:
    """Metric id by key or name (as written in the file), permission-checked on first use."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.metrics: dict[str, Metric] = {}
        for metric in Metric.objects.all():
            self.metrics[metric.key] = metric
            self.metrics.setdefault(metric.name, metric)
            self.metrics.setdefault(metric.name.lower(), metric)
        self.ids: dict[str, int] = {}  # labels already seen and allowed: the per-row fast path
        self.allowed: set[int] = set()
        # Called before a permission check may query the database: an import's COPY stream holds the
        # connection on PostgreSQL and must be ended first (the writer sets `pause` here).
        self.before_query: Callable[[], None] = lambda: None

    def resolve(self, label: str, line: int) -> int:
        clean = label.strip()
        metric = self.metrics.get(clean) or self.metrics.get(clean.lower())
        if metric is None:
            raise _refuse(line, f"no metric called {clean!r}; define it first (its key or name).")
        if metric.pk not in self.allowed:
            if self.actor is not None:
                self.before_query()
            try:
                require_metric_edit(self.actor, metric)
            except PermissionDenied as exc:
                raise _refuse(line, exc.message) from None
            self.allowed.add(metric.pk)
        self.ids[label] = metric.pk
        return metric.pk


class _OtherDates:
    """Dates not written YYYY-MM-DD, read by the shared rule (each distinct cell once)."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.seen: dict[str, date] = {}

    def __call__(self, raw: str) -> date:
        day = self.seen.get(raw)
        if day is None:
            day = self.seen[raw] = parse_date(raw, self.order)
        return day


def _rows(
    stream: CsvFile, lookup: _MetricLookup, progress: Progress | None, total_chars: int, order: str = ""
) -> Iterator[list[Point]]:
    """Validated batches of points, in file order; raises on the first bad line.

    This loop runs once per row of files with millions of rows, so it avoids per-row objects and
    function calls where it can: tuples out, a dict for metric labels, one int per row to spot repeats.
    """
    reader = stream.reader
    header = next(reader, None)
    if header is None:
        raise _refuse(1, "the file is empty; expected a header: date,metric,value[,dimension].")
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise _refuse(1, f"the header lacks {', '.join(missing)}; expected date,metric,value[,dimension].")
    i_date, i_metric, i_value = (names.index(c) for c in REQUIRED_COLUMNS)
    i_dim = names.index("dimension") if "dimension" in names else None
    width = len(names)
    seen: set[int] = set()  # (metric, dimension, day) packed into one int
    dimensions: dict[str, int] = {"": 0}
    metric_ids = lookup.ids
    fromisoformat = date.fromisoformat
    other_date = _OtherDates(order)
    isfinite = math.isfinite
    batch: list[Point] = []
    append = batch.append
    count = 0
    chars_per_row = 0.0
    for row in reader:
        if len(row) != width:
            if not row:
                continue
            raise _refuse(reader.line_num, f"expected {width} fields, found {len(row)}.")
        raw_date = row[i_date]
        try:
            day = fromisoformat(raw_date)
        except ValueError:
            try:
                day = other_date(raw_date)
            except ValueError as exc:
                raise _refuse(reader.line_num, f"{exc}.") from None
            raw_date = day.isoformat()
        try:
            value = float(row[i_value])
        except ValueError:
            raise _refuse(reader.line_num, f"{row[i_value]!r} is not a number.") from None
        if not isfinite(value):
            raise _refuse(reader.line_num, f"{row[i_value]!r} is not a finite number.")
        label = row[i_metric]
        metric_id = metric_ids.get(label) or lookup.resolve(label, reader.line_num)
        dimension = row[i_dim].strip() if i_dim is not None else ""
        dim_id = dimensions.get(dimension)
        if dim_id is None:
            if len(dimension) > 60:
                raise _refuse(reader.line_num, "a dimension is at most 60 characters.")
            dim_id = dimensions[dimension] = len(dimensions)
        key = (metric_id << 44) | (dim_id << 22) | day.toordinal()
        if key in seen:
            raise _refuse(reader.line_num, f"{label.strip()} on {day} {dimension} appears twice in the file.")
        seen.add(key)
        append(
            (
                metric_id,
                raw_date if len(raw_date) == 10 and raw_date[7] == "-" else day.isoformat(),
                value,
                dimension,
            )
        )
        count += 1
        if len(batch) >= BATCH:
            yield batch
            batch = []
            append = batch.append
            if progress:
                if not chars_per_row:  # rows are alike: estimate how far along the file we are
                    chars_per_row = max(1.0, stream.fraction() * total_chars / count) or 40.0
                progress(count, min(total_chars, int(count * chars_per_row)), total_chars)
    if batch:
        yield batch
    if progress:
        progress(count, total_chars, total_chars)


#: Seconds between two progress reports of an import.
PROGRESS_EVERY = 0.5


def _between_batches(progress: Progress | None, pause: Callable[[], None]) -> Progress | None:
    """Report progress now and then, with the connection free: a caller's callback may use the
    database (a job's progress row does), which it cannot while a COPY stream holds the connection.
    Ending the stream makes us wait for the server, so it is not done after every batch."""
    if progress is None:
        return None
    last = -math.inf

    def report(done: int, read: int, size: int) -> None:
        nonlocal last
        now = time.monotonic()
        if read < size and now - last < PROGRESS_EVERY:
            return
        last = now
        pause()
        progress(done, read, size)

    return report


def metric_values_import(
    *, actor: User | None, path: Path | str, progress: Progress | None = None, order: str = ""
) -> MetricImport:
    """Import a CSV of `date,metric,value[,dimension]` rows; all rows land or none do.

    `actor` None is the system (the CLI); a user may import only metrics they may change.
    `progress` is called at most every `PROGRESS_EVERY` seconds (and at the end); it may use the
    database. `order` reads dates like 01/02/2024 ("dmy" or "mdy"; refused when not given).
    """
    path = Path(path)
    order = date_order(order)
    if actor is not None:
        access.require_write(actor)
    stream = csv_open(path)
    total = stream.size
    lookup = _MetricLookup(actor)
    rows = 0
    first: str | None = None  # ISO dates compare like dates
    last: str | None = None
    try:
        with stream, transaction.atomic():
            with _writer() as write:  # on PostgreSQL corrections of stored points land when it closes
                lookup.before_query = write.pause
                for batch in _rows(stream, lookup, _between_batches(progress, write.pause), total, order):
                    write(batch)
                    rows += len(batch)
                    lo = min(p[1] for p in batch)
                    hi = max(p[1] for p in batch)
                    first = lo if first is None or lo < first else first
                    last = hi if last is None or hi > last else last
                if not rows:
                    raise _refuse(2, "the file has a header but no rows.")
            return _finish_import(
                actor=actor,
                file_name=path.name,
                rows=rows,
                metric_ids=lookup.allowed,
                dates=[date.fromisoformat(d) for d in (first, last) if d is not None],
            )
    except (UnicodeError, csv.Error) as exc:
        raise ValidationFailed(f"{stream.reading_error(exc)}. Nothing was imported.") from None
