"""Named locks held by the database for the length of a transaction.

Two writers that touch the same set of rows in different orders (two re-clusterings, a re-clustering
and an import sorting its new items into themes) can deadlock on PostgreSQL. Taking one named lock
first makes them queue instead. SQLite needs nothing: Northstar opens every SQLite write transaction
IMMEDIATE, which already lets one writer in at a time.
"""

from __future__ import annotations

import zlib

from django.db import connection, transaction


def lock_named(name: str) -> None:
    """Hold `name` until the surrounding transaction ends; wait while another transaction holds it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_named() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"northstar:{name}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
