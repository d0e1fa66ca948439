"""The tools' own export files: Jira's CSV export, Linear's CSV export and a GitHub Projects export.

A file lands whole or not at all: every row is read and checked first (a bad date, a missing key or
a repeated item names its row and nothing is stored), then all items are upserted in one transaction,
by the same ids a sync uses, so a file and a later sync update the same items.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.csv_read import AmbiguousDate, CsvFile, csv_open, date_order, parse_datetime
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.delivery.models import Connection, SyncRun, Tool, WorkItem
from northstar.delivery.sources.base import Record, parse_time
from northstar.delivery.sync import items_upsert, parents_resolve, team_map
from northstar.org import access

MAX_ROWS = 200_000
MAX_ERRORS = 20
_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-\d+$")
_ISSUE_URL = re.compile(r"^https://github\.com/([\w.-]+/[\w.-]+)/issues/(\d+)")
JIRA_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d")


class Table:
    """A CSV file with a header, where a name may repeat (Jira exports one column per sprint)."""

    def __init__(self, reader: CsvFile, order: str = "") -> None:
        try:
            self.header = [h.strip() for h in next(iter(reader))]
        except StopIteration:
            raise ValidationFailed("The file is empty: export it again with its header row.") from None
        self.rows = reader
        self.order = order  # how to read dates like 01/02/2024 (see core.csv_read)
        self.positions: dict[str, list[int]] = {}
        for i, name in enumerate(self.header):
            self.positions.setdefault(name.lower(), []).append(i)

    def has(self, *names: str) -> bool:
        return any(n.lower() in self.positions for n in names)

    def get(self, row: list[str], *names: str) -> str:
        """The last non-empty value among the columns of the first name present."""
        for name in names:
            for i in reversed(self.positions.get(name.lower(), [])):
                if i < len(row) and row[i].strip():
                    return row[i].strip()
        return ""

    def require(self, *names: str) -> None:
        missing = [n for n in names if n.lower() not in self.positions]
        if missing:
            raise ValidationFailed(
                f"The file has no {', '.join(missing)} column: is it the tool's own export?"
            )


def _jira_time(raw: str, order: str = "") -> datetime | None:
    if not raw:
        return None
    parsed = (
        parse_time(raw.replace(" ", "T", 1)) if re.match(r"^\d{4}-\d{2}-\d{2} \d", raw) else parse_time(raw)
    )
    if parsed is not None:
        return parsed
    value = parse_datetime(raw, order)  # Jira's own 02/Jan/24 3:15 PM, or a locale's numeric dates
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _number(raw: str) -> float | None:
    if not raw:
        return None
    return float(raw.replace(",", "."))


def _state_from_name(status: str) -> str:
    lowered = status.lower()
    if lowered in ("done", "closed", "resolved", "released", "shipped", "completed"):
        return "done"
    if lowered in ("canceled", "cancelled", "won't do", "duplicate"):
        return "cancelled"
    if any(word in lowered for word in ("progress", "review", "testing", "qa", "doing")):
        return "in_progress"
    return "todo"


def _jira(table: Table, row: list[str], ids: dict[str, str]) -> Record:
    table_key = table.get(row, "Issue key")
    if not _KEY.match(table_key):
        raise ValueError(f"Issue key {table_key!r} is not a Jira key such as PAY-12")
    issue_type = table.get(row, "Issue Type").lower()
    kind = (
        "epic" if issue_type == "epic" else issue_type if issue_type in ("bug", "story", "task") else "issue"
    )
    status = table.get(row, "Status")
    category = table.get(row, "Status Category").lower()
    state = {"done": "done", "in progress": "in_progress", "to do": "todo"}.get(category) or _state_from_name(
        status
    )
    if state == "done" and table.get(row, "Resolution").lower() in ("won't do", "won't fix", "duplicate"):
        state = "cancelled"
    parent = table.get(row, "Parent key", "Parent", "Custom field (Epic Link)")
    if parent and not _KEY.match(parent):
        parent = ids.get(parent, "")
    when: dict[str, datetime | None] = {}
    for field, column in (("created", "Created"), ("updated", "Updated"), ("resolved", "Resolved")):
        raw = table.get(row, column)
        try:
            when[field] = _jira_time(raw, table.order)
        except AmbiguousDate as exc:
            raise ValueError(f"{column} {exc}") from None
        except ValueError:
            raise ValueError(f"{column} {raw!r} is not a date") from None
    points_raw = table.get(
        row, "Custom field (Story Points)", "Custom field (Story point estimate)", "Story Points"
    )
    try:
        points = _number(points_raw)
    except ValueError:
        raise ValueError(f"story points {points_raw!r} is not a number") from None
    project = table.get(row, "Project key") or table_key.split("-")[0]
    return Record(
        external_id=table.get(row, "Issue id") or table_key,
        key=table_key,
        title=table.get(row, "Summary") or table_key,
        kind=kind,
        status=status,
        state=state,
        points=points,
        parent_key=parent,
        source_key=project,
        sprint=table.get(row, "Sprint"),
        created=when["created"],
        updated=when["updated"],
        done_at=when["resolved"] if state in ("done", "cancelled") else None,
    )


def _iso(table: Table, row: list[str], column: str) -> datetime | None:
    raw = table.get(row, column)
    if not raw:
        return None
    parsed = parse_time(raw.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", raw) else raw)
    if parsed is None:
        raise ValueError(f"{column} {raw!r} is not a date")
    return parsed


def _linear(table: Table, row: list[str], projects: dict[str, Record]) -> Record:
    identifier = table.get(row, "ID")
    if not re.match(r"^[A-Z0-9_]+-\d+$", identifier):
        raise ValueError(f"ID {identifier!r} is not a Linear issue id such as ENG-42")
    completed, canceled = _iso(table, row, "Completed"), _iso(table, row, "Canceled")
    status = table.get(row, "Status")
    state = "done" if completed else "cancelled" if canceled else _state_from_name(status)
    project_id = table.get(row, "Project ID") or table.get(row, "Project")
    team = table.get(row, "Team") or identifier.split("-")[0]
    if project_id and project_id not in projects:
        projects[project_id] = Record(
            external_id=project_id,
            key=project_id,
            title=table.get(row, "Project") or project_id,
            kind="project",
            status="",
            state="in_progress",
            source_key=team,
        )
    estimate = table.get(row, "Estimate")
    try:
        points = _number(estimate)
    except ValueError:
        raise ValueError(f"Estimate {estimate!r} is not a number") from None
    return Record(
        external_id=identifier,
        key=identifier,
        title=table.get(row, "Title") or identifier,
        kind="issue",
        status=status,
        state=state,
        points=points,
        parent_key=project_id,
        source_key=team,
        sprint=table.get(row, "Cycle Name"),
        created=_iso(table, row, "Created"),
        updated=_iso(table, row, "Updated"),
        done_at=completed or canceled,
    )


def _github(
    table: Table, row: list[str], milestones: dict[str, Record], known: dict[tuple[str, str], str]
) -> Record | None:
    url = table.get(row, "URL")
    if not url:
        return None  # a draft item of the board: nothing in a repository to count
    match = _ISSUE_URL.match(url)
    if not match:
        if "/pull/" in url:
            return None
        raise ValueError(f"URL {url!r} is not a GitHub issue")
    repo, number = match.group(1), match.group(2)
    status = table.get(row, "Status")
    state = _state_from_name(status)
    milestone = table.get(row, "Milestone")
    parent = ""
    if milestone:
        parent = known.get((repo, milestone)) or f"{repo}@{milestone}"
        if parent not in milestones and (repo, milestone) not in known:
            milestones[parent] = Record(
                external_id=parent,
                key=parent,
                title=milestone,
                kind="milestone",
                state="in_progress",
                source_key=repo,
            )
    labels = table.get(row, "Labels").lower()
    key = f"{repo}#{number}"
    return Record(
        external_id=key,
        key=key,
        title=table.get(row, "Title") or key,
        kind="bug" if "bug" in labels else "issue",
        status=status,
        state=state,
        parent_key=parent,
        source_key=repo,
        url=url,
    )


def _records(connection: Connection, reader: CsvFile, order: str = "") -> list[Record]:
    table = Table(reader, order)
    records: list[Record] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    containers: dict[str, Record] = {}
    parse: Callable[[list[str]], Record | None]
    if connection.tool == Tool.JIRA:
        table.require("Issue key", "Issue id", "Summary", "Issue Type", "Status")
        rows = list(table.rows)
        ids = {table.get(r, "Issue id"): table.get(r, "Issue key") for r in rows}
        ids.update(
            dict(WorkItem.objects.filter(connection=connection).values_list("external_id", "key")[:MAX_ROWS])
        )
        parse = lambda r: _jira(table, r, ids)  # noqa: E731
    elif connection.tool == Tool.LINEAR:
        table.require("ID", "Title", "Status")
        rows = list(table.rows)
        parse = lambda r: _linear(table, r, containers)  # noqa: E731
    else:
        table.require("Title", "URL")
        rows = list(table.rows)
        known = {
            (source_key, title): key
            for source_key, title, key in WorkItem.objects.filter(
                connection=connection, kind="milestone"
            ).values_list("source_key", "title", "key")
        }
        parse = lambda r: _github(table, r, containers, known)  # noqa: E731
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            f"The file has more than {MAX_ROWS:,} rows; export it in parts. Nothing was imported."
        )
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            record = parse(row)
        except ValueError as exc:
            errors.append(f"Row {number}: {exc}.")
        else:
            if record is None:
                continue
            if record.external_id in seen:
                errors.append(f"Row {number}: {record.key} repeats row {seen[record.external_id]}.")
            else:
                seen[record.external_id] = number
                records.append(record)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ValidationFailed(f"{errors[0]} Nothing was imported.", detail=errors)
    if not records:
        raise ValidationFailed("The file has no items. Nothing was imported.")
    return [*containers.values(), *records]


def work_items_import(
    *,
    actor: User | None,
    connection: Connection,
    stream: IO[bytes] | IO[str],
    file_name: str,
    order: str = "",
) -> SyncRun:
    """Take in a tool's export file for a connection; all items land or none do.
    `order` reads dates like 01/02/2024 ("dmy" or "mdy"; refused when not given)."""
    if actor is not None:
        access.require_write(actor)
    order = date_order(order)
    with csv_open(stream) as reader:
        try:
            records = _records(connection, reader, order)
        except (csv.Error, UnicodeError) as exc:
            raise ValidationFailed(f"{reader.reading_error(exc)}. Nothing was imported.") from None
    with transaction.atomic():
        stored = items_upsert(connection, records, teams=team_map(connection))
        parents_resolve(connection)
        run = SyncRun.objects.create(
            connection=connection,
            kind=SyncRun.Kind.FILE,
            status=SyncRun.Status.SUCCEEDED,
            file_name=file_name[:255],
            pages=1,
            items=stored,
            actor=actor,
            finished_at=timezone.now(),
        )
        audit.audit_create(actor=actor, instance=run, after=audit.snapshot(run))
    from northstar.delivery.services import after_items_changed

    after_items_changed(connection)
    return run
