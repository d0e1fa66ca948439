"""Writing imported feedback in bulk: rows go to the table as values, never as model instances.

A million-row import spent most of its time building and saving model objects one by one. Here each
chunk of rows is written in one statement: on SQLite an `executemany` of INSERT .. ON CONFLICT DO
NOTHING, on PostgreSQL a COPY into a temporary table, moved into the real one with a single
INSERT .. SELECT .. ON CONFLICT DO NOTHING at the end. The unique dedupe key skips items already
stored (or repeated in the file), so re-imports add nothing twice. Everything runs in the caller's
transaction: a refused or cancelled import leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from northstar.feedback.models import Contact, Customer, FeedbackItem
from northstar.feedback.services import ITEM_COLUMNS

#: Columns each stored row fills: the item's own values, then what the import adds.
COLUMNS = (*ITEM_COLUMNS, "customer_id", "batch_id", "status", "embedder", "created_at", "version")
_TABLE = FeedbackItem._meta.db_table
_STAGE = "feedback_import_stage"


class Customers:
    """Customer ids by name (any case) or by a contact's email; new names are created in bulk."""

    def __init__(self) -> None:
        self.by_name = {name.lower(): pk for pk, name in Customer.objects.values_list("id", "name")}
        self.by_email = dict(Contact.objects.exclude(email="").values_list("email", "customer_id"))

    def create_missing(self, names: Sequence[str]) -> None:
        new: dict[str, str] = {}
        for name in names:
            if name and name.lower() not in self.by_name:
                new.setdefault(name.lower(), name)
        if new:
            created = Customer.objects.bulk_create([Customer(name=n[:200]) for n in new.values()])
            for customer in created:
                self.by_name[customer.name.lower()] = customer.pk

    def of(self, name: str, email: str) -> int | None:
        return self.by_name.get(name.lower()) if name else self.by_email.get(email)


class Writer:
    """Stores chunks of (item values, customer name) rows for one import batch."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.customers = Customers()
        self.postgres = connection.vendor == "postgresql"
        self.now: Any = timezone.now()
        self._when: dict[Any, Any] = {}
        self.written = 0
        self.added = 0
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(  # the same column types, no key, no index: the fastest COPY target
                    f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "  # noqa: S608 - our own names
                    f"SELECT {', '.join(COLUMNS)} FROM {_TABLE} WITH NO DATA"
                )
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            self.sql = f"INSERT INTO {_TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
            self.now = connection.ops.adapt_datetimefield_value(self.now)

    def _db_time(self, value: Any) -> Any:
        """SQLite stores datetimes as UTC text; dates repeat, so each is converted once."""
        stored = self._when.get(value)
        if stored is None:
            if len(self._when) > 50_000:
                self._when.clear()
            stored = self._when[value] = connection.ops.adapt_datetimefield_value(value)
        return stored

    def write(self, rows: list[tuple[tuple[Any, ...], str]]) -> None:
        self.customers.create_missing([customer for _, customer in rows])
        of, batch, now = self.customers.of, self.batch_id, self.now
        tail = ("new", "", now, 1)
        if self.postgres:
            values = [(*v, of(c, v[4]), batch, *tail) for v, c in rows]
            with connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
                with raw.copy(f"COPY {_STAGE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
        else:
            when = self._db_time
            values = [(*v[:5], when(v[5]), *v[6:], of(c, v[4]), batch, *tail) for v, c in rows]
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, values)
                self.added += max(cursor.rowcount, 0)
        self.written += len(rows)

    def finish(self) -> int:
        """Move staged rows into place (PostgreSQL); how many items were new."""
        if self.postgres:
            columns = ", ".join(COLUMNS)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {_TABLE} ({columns}) SELECT {columns} FROM {_STAGE} ON CONFLICT DO NOTHING"  # noqa: S608
                )
                self.added = cursor.rowcount
                cursor.execute(f"DROP TABLE {_STAGE}")
        return self.added
