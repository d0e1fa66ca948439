"""Where events are scanned: the one module that knows how the event store is queried in bulk.

Reports read a site's events over a period as columns, in one SQL statement with the time already in
epoch seconds (parsing a million datetimes in Python cost more than the whole friction detection).
The embedded default is the app's own database (SQLite, or PostgreSQL via DATABASE_URL) through the
(site, at) index; `docs/analytics.md` records the figures behind that choice and how a columnar engine
would take this module's place.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from northstar.analytics.models import EVENT_COLUMNS, Event

#: Epoch seconds of the `at` column, per database.
EPOCH = {
    "sqlite": "(julianday(at) - 2440587.5) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM at)::float8",
}


#: One property of the event's props as text, per database (the parameter is the property's name).
PROPERTY = {
    "sqlite": ("CAST(json_extract(props, %s) AS TEXT)", lambda name: '$."' + name + '"'),
    "postgresql": ("props->>%s", lambda name: name),
}


def scan(
    *, site_id: int, since: datetime, until: datetime, limit: int, prop: str | None = None
) -> list[tuple]:
    """The newest `limit` events of a site from `since` up to and including `until`, oldest first, as
    (epoch seconds, kind, person, account, path, name, selector, x, y, dead, value) tuples, with the
    text of property `prop` (None when the event has none) appended when one is named."""
    ops = connection.ops
    epoch = EPOCH.get(connection.vendor)
    if epoch is None:  # another backend: let Django convert the times
        rows = (
            Event.objects.filter(site_id=site_id, at__gte=since, at__lte=until)
            .order_by("-at")
            .values_list(*EVENT_COLUMNS[1:])[:limit]  # all but the site
        )
        found = [
            (r[0].timestamp(), r[1], r[3] or r[2], *r[4:12])
            + ((None if (r[12] or {}).get(prop) is None else str(r[12][prop]),) if prop else ())
            for r in rows
        ]
    else:
        table = ops.quote_name(Event._meta.db_table)
        extra, extra_params = "", []
        if prop:
            expression, path = PROPERTY[connection.vendor]
            extra, extra_params = f", {expression}", [path(prop)]
        sql = (
            f"SELECT {epoch}, kind, CASE WHEN user_ref <> '' THEN user_ref ELSE visitor END, account, path, "  # noqa: S608
            f"name, selector, x, y, dead, value{extra} FROM {table} WHERE site_id = %s AND at >= %s "
            "AND at <= %s ORDER BY at DESC LIMIT %s"
        )
        params = [
            *extra_params,
            site_id,
            ops.adapt_datetimefield_value(since),
            ops.adapt_datetimefield_value(until),
            limit,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
    found.reverse()
    return found
