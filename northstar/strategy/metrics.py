"""Every change to KPIs and their values: definitions, hand-entered points, API pushes and CSV imports.

A value write of any kind refreshes the key results bound to the metrics it touched, so their current
value (and so their progress) follows the KPI without anyone typing it.

CSV imports land whole or not at all: the file is streamed, each row validated, and the rows written in
batches inside one transaction (on PostgreSQL through COPY into a temporary table, then one upsert).
The first bad row stops the import with its line number and the reason, and nothing of the file stays.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Max

from northstar.core import audit
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.core.validation import assign
from northstar.org import access
from northstar.strategy.models import KeyResult, Metric, MetricImport, MetricValue

METRIC_FIELDS = {
    "key", "name", "description", "unit", "direction", "aggregation", "target", "line_id", "drives_id",
    "is_north_star",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# Definitions


def can_edit_metric(user: User, metric: Metric) -> bool:
    """Company metrics (no line) are for leaders; a line's metrics also for that line's PMs."""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    return metric.line_id is not None and access.can_edit_line(user, metric.line_id)


def _require_metric_edit(actor: User | None, metric: Metric) -> None:
    if actor is None:  # the CLI and the demo loader act as the system
        return
    access.require_write(actor)
    if can_edit_metric(actor, metric):
        return
    if metric.line_id is None:
        raise PermissionDenied(f"Only product leaders and admins can change the company metric {metric}.")
    raise PermissionDenied(f"You can only change metrics of the product lines you belong to ({metric}).")


def _check_tree(metric: Metric) -> None:
    """`drives` must name another metric and must not loop back; only leaders pick the north star."""
    seen = {metric.pk} if metric.pk else set()
    current = metric.drives_id
    while current is not None:
        if current in seen:
            raise ValidationFailed("A metric cannot drive itself, directly or through other metrics.")
        seen.add(current)
        row = Metric.objects.filter(pk=current).values_list("drives_id", flat=True)
        if not row:
            raise ValidationFailed(f"Unknown metric id {current}.")
        current = row[0]
    if metric.is_north_star and metric.drives_id:
        raise ValidationFailed("The north-star metric is the top of the tree: it drives no other metric.")


@transaction.atomic
def metric_create(*, actor: User, **data: Any) -> Metric:
    metric = Metric()
    assign(metric, data, allowed=METRIC_FIELDS)
    _require_metric_edit(actor, metric)
    if metric.is_north_star:
        access.require_leading(actor, "the north-star metric")
    _check_tree(metric)
    return record_save(actor=actor, instance=metric, before=None)


@transaction.atomic
def metric_update(*, actor: User, metric: Metric, **data: Any) -> Metric:
    _require_metric_edit(actor, metric)
    before = audit.snapshot(metric)
    was_north_star = metric.is_north_star
    assign(metric, data, allowed=METRIC_FIELDS)
    _require_metric_edit(actor, metric)
    if metric.is_north_star != was_north_star:
        access.require_leading(actor, "the north-star metric")
    _check_tree(metric)
    return record_save(actor=actor, instance=metric, before=before)


@transaction.atomic
def metric_delete(*, actor: User, metric: Metric) -> None:
    _require_metric_edit(actor, metric)
    record_delete(actor=actor, instance=metric, blocked_by="it is referenced")


# ---------------------------------------------------------------------------------------------------
# Values


def metric_latest(metric_ids: Iterable[int]) -> dict[int, tuple[date, float]]:
    """Each metric's latest date and its value there (dimensions combined by the metric's aggregation)."""
    ids = list(metric_ids)
    if not ids:
        return {}
    latest = dict(
        MetricValue.objects.filter(metric_id__in=ids)
        .values("metric_id")
        .annotate(last=Max("date"))
        .values_list("metric_id", "last")
    )
    aggregation = dict(Metric.objects.filter(pk__in=latest).values_list("id", "aggregation"))
    points: dict[int, list[float]] = {}
    for metric_id, when, value in (
        MetricValue.objects.filter(metric_id__in=latest, date__in=set(latest.values()))
        .order_by("metric_id", "dimension")
        .values_list("metric_id", "date", "value")
    ):
        if latest[metric_id] == when:
            points.setdefault(metric_id, []).append(value)
    return {mid: (latest[mid], combine(values, aggregation[mid])) for mid, values in points.items()}


def combine(values: list[float], aggregation: str) -> float:
    """Values of one date (several dimensions) as one number: averaged for an average-type metric,
    else summed (a stock such as active merchants adds up across regions, like a flow does)."""
    if aggregation == Metric.Aggregation.AVERAGE:
        return sum(values) / len(values)
    return sum(values)


def refresh_bound_key_results(metric_ids: Iterable[int]) -> int:
    """Give every key result bound to these metrics the metric's latest value; returns how many changed."""
    latest = metric_latest(metric_ids)
    changed = []
    for kr in KeyResult.objects.filter(metric_id__in=latest):
        value = latest[kr.metric_id][1]
        if kr.current != value:
            kr.current = value
            changed.append(kr)
    KeyResult.objects.bulk_update(changed, ["current", "updated_at"])
    return len(changed)


def _clean_value(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{value!r} is not a number.") from None
    if not math.isfinite(number):
        raise ValidationFailed("A metric value must be a finite number.")
    return number


@transaction.atomic
def metric_value_record(
    *, actor: User | None, metric: Metric, date: date, value: float, dimension: str = ""
) -> MetricValue:
    """Enter (or correct) one point by hand; the same date and dimension replaces the old value."""
    _require_metric_edit(actor, metric)
    point = MetricValue.objects.filter(metric=metric, date=date, dimension=dimension.strip()).first()
    before = audit.snapshot(point) if point else None
    point = point or MetricValue(metric=metric, date=date, dimension=dimension.strip())
    point.value = _clean_value(value)
    record_save(actor=actor, instance=point, before=before)
    refresh_bound_key_results([metric.pk])
    return point


@transaction.atomic
def metric_value_delete(*, actor: User, point: MetricValue) -> None:
    _require_metric_edit(actor, point.metric)
    record_delete(actor=actor, instance=point, blocked_by="it is referenced")
    refresh_bound_key_results([point.metric_id])


@dataclass(frozen=True)
class Point:
    """One value to store: what the API and the CSV reader hand to the writer."""

    metric_id: int
    date: date
    value: float
    dimension: str = ""


@transaction.atomic
def metric_values_push(
    *, actor: User, metric: Metric, points: Iterable[tuple[date, float, str]]
) -> MetricImport:
    """Store many points of one metric at once (the API's push); all land or none do."""
    _require_metric_edit(actor, metric)
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
            rows.append(Point(metric.pk, when, _clean_value(value), dimension))
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
        dates=[r.date for r in rows],
    )


def _finish_import(
    *, actor: User | None, file_name: str, rows: int, metric_ids: set[int], dates: list[date]
) -> MetricImport:
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


# ---------------------------------------------------------------------------------------------------
# CSV import

BATCH = 20_000
REQUIRED_COLUMNS = ("date", "metric", "value")


class _Writer:
    """Upserts batches of points into the metric value table with the database's fastest path."""

    def __init__(self) -> None:
        self.table = MetricValue._meta.db_table
        self.vendor = connection.vendor
        self.cursor = connection.cursor()
        if self.vendor == "postgresql":
            self.cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS strategy_import_stage "
                "(metric_id bigint, date date, value double precision, dimension varchar(60)) "
                "ON COMMIT DROP"
            )

    def __call__(self, rows: list[Point]) -> None:
        if self.vendor == "postgresql":
            raw = self.cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(
                "COPY strategy_import_stage (metric_id, date, value, dimension) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row((row.metric_id, row.date, row.value, row.dimension))
            return
        sql = (
            f'INSERT INTO "{self.table}" (metric_id, date, value, dimension) VALUES (%s, %s, %s, %s) '  # noqa: S608 - our own table name
            "ON CONFLICT (metric_id, date, dimension) DO UPDATE SET value = excluded.value"
        )
        self.cursor.executemany(sql, [(r.metric_id, r.date.isoformat(), r.value, r.dimension) for r in rows])

    def close(self) -> None:
        if self.vendor == "postgresql":
            self.cursor.execute(
                f'INSERT INTO "{self.table}" (metric_id, date, value, dimension) '  # noqa: S608 - our table
                "SELECT metric_id, date, value, dimension FROM strategy_import_stage "
                "ON CONFLICT (metric_id, date, dimension) DO UPDATE SET value = EXCLUDED.value"
            )
            self.cursor.execute("DROP TABLE strategy_import_stage")
        self.cursor.close()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.cursor.close()


def _writer() -> _Writer:
    return _Writer()


Progress = Callable[[int, int, int], None]  # (rows so far, characters read, characters in the file)


class _Counting:
    """Lines of a text file, counting characters read so a progress bar can show how far along it is."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.chars = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.stream:
            self.chars += len(line)
            yield line


def _refuse(line: int, reason: str) -> ValidationFailed:
    return ValidationFailed(
        f"Line {line}: {reason} Nothing was imported.", detail={"line": line, "reason": reason}
    )


class _MetricLookup:
    """Metric by key or name (as written in the file), permission-checked on first use."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.by_label: dict[str, Metric] = {}
        for metric in Metric.objects.all():
            self.by_label[metric.key] = metric
            self.by_label.setdefault(metric.name, metric)
            self.by_label.setdefault(metric.name.lower(), metric)
        self.allowed: set[int] = set()

    def __call__(self, label: str, line: int) -> int:
        metric = self.by_label.get(label) or self.by_label.get(label.lower())
        if metric is None:
            raise _refuse(line, f"no metric called {label!r}; define it first (its key or name).")
        if metric.pk not in self.allowed:
            try:
                _require_metric_edit(self.actor, metric)
            except PermissionDenied as exc:
                raise _refuse(line, exc.message) from None
            self.allowed.add(metric.pk)
        return metric.pk


def _rows(
    stream: IO[str], lookup: _MetricLookup, progress: Progress | None, total_chars: int
) -> Iterator[list[Point]]:
    """Validated batches of points, in file order; raises on the first bad line."""
    counted = _Counting(stream)
    reader = csv.reader(counted)
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
    seen: set[int] = set()  # (metric, dimension, day) packed into one int: ~70 bytes per row
    dimensions: dict[str, int] = {"": 0}
    batch: list[Point] = []
    count = 0
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != width:
            raise _refuse(line, f"expected {width} fields, found {len(row)}.")
        try:
            day = date.fromisoformat(row[i_date].strip())
        except ValueError:
            raise _refuse(line, f"{row[i_date]!r} is not a date (use YYYY-MM-DD).") from None
        try:
            value = float(row[i_value])
        except ValueError:
            raise _refuse(line, f"{row[i_value]!r} is not a number.") from None
        if not math.isfinite(value):
            raise _refuse(line, f"{row[i_value]!r} is not a finite number.")
        metric_id = lookup(row[i_metric].strip(), line)
        dimension = row[i_dim].strip() if i_dim is not None else ""
        if len(dimension) > 60:
            raise _refuse(line, "a dimension is at most 60 characters.")
        dim_id = dimensions.setdefault(dimension, len(dimensions))
        key = (metric_id << 44) | (dim_id << 22) | day.toordinal()
        if key in seen:
            raise _refuse(
                line, f"{row[i_metric].strip()} on {day} {dimension or ''} appears twice in the file."
            )
        seen.add(key)
        batch.append(Point(metric_id, day, value, dimension))
        count += 1
        if len(batch) >= BATCH:
            yield batch
            batch = []
            if progress:
                progress(count, counted.chars, total_chars)
    if batch:
        yield batch
    if progress:
        progress(count, total_chars, total_chars)


def metric_values_import(
    *, actor: User | None, path: Path | str, progress: Progress | None = None
) -> MetricImport:
    """Import a CSV of `date,metric,value[,dimension]` rows; all rows land or none do.

    `actor` None is the system (the CLI); a user may import only metrics they may change.
    """
    path = Path(path)
    if actor is not None:
        access.require_write(actor)
    try:
        total = path.stat().st_size
        stream = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc.strerror or exc}.") from None
    lookup = _MetricLookup(actor)
    rows = 0
    first: date | None = None
    last: date | None = None
    try:
        with stream, transaction.atomic(), _writer() as write:
            for batch in _rows(stream, lookup, progress, total):
                write(batch)
                rows += len(batch)
                lo = min(p.date for p in batch)
                hi = max(p.date for p in batch)
                first = lo if first is None or lo < first else first
                last = hi if last is None or hi > last else last
            if not rows:
                raise _refuse(2, "the file has a header but no rows.")
            return _finish_import(
                actor=actor,
                file_name=path.name,
                rows=rows,
                metric_ids=lookup.allowed,
                dates=[d for d in (first, last) if d is not None],
            )
    except UnicodeDecodeError:
        raise ValidationFailed(
            "The file is not UTF-8 text; save it as UTF-8 CSV. Nothing was imported."
        ) from None
