"""The shared cache behind rate limits: Django's database cache by default, so limits hold across web
processes and restarts with nothing to install; Redis when CACHE_URL names one.

Django's database cache reads and rewrites a counter in two steps, so two processes counting at once
can both write the same number (and its `incr` also resets the expiry). `DatabaseCache.incr` here
locks the row and keeps its expiry, so a counter shared by every process counts every request.
The table is created by `northstar migrate` (a post-migrate hook runs `createcachetable`).
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone

#: The table `createcachetable` creates for the default cache.
TABLE = "northstar_cache"


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an atomic, expiry-keeping `incr`."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        # On SQLite the transaction starts IMMEDIATE (settings), which serialises writers the same way.
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT value, expires FROM {table} WHERE cache_key = %s{lock}", [key])  # noqa: S608
            row = cursor.fetchone()
            expires = row[1] if row else None
            for converter in converters:
                expires = converter(expires, expression, connection)
            if row is None or (expires is not None and expires < timezone.now()):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode()))  # noqa: S301 - our own table
            new = value + delta
            stored = base64.b64encode(pickle.dumps(new, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [stored, key])  # noqa: S608
        return new


def create_table(**kwargs: Any) -> None:
    """post_migrate: make sure the cache table exists (`createcachetable` is idempotent)."""
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0, database=kwargs.get("using", "default"))
