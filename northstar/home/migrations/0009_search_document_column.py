"""PostgreSQL: keep each entry's `tsvector` in a stored column, with the GIN index on that column.

Migration 0003 indexed the expression `to_tsvector(title || ' ' || body)`. The index found the
matching rows quickly, but ranking them (`ts_rank`) re-parsed every matching row's text: a common
prefix such as "ch" matches 6,000 entries of the large demo and the query took 180-240 ms. A stored
generated column is parsed once, when the row is written, and both the match and the rank read it
(about 20 ms for the same query). The database keeps the column in step on every insert and update,
so `home.indexing` does not change. SQLite is untouched (its FTS5 table already stores its index).

The column is not a field of the model: Django never reads or writes it, only `home.search` does.
Note for later migrations: PostgreSQL refuses to change the type of `title` or `body` while the
column depends on them; drop and re-add the column around such a change.
"""

from django.db import migrations

POSTGRES_UP = [
    "ALTER TABLE home_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, title || ' ' || body)) STORED",
    "CREATE INDEX home_search_document_stored ON home_searchentry USING GIN (document)",
    "DROP INDEX IF EXISTS home_search_document",
]
POSTGRES_DOWN = [
    "CREATE INDEX IF NOT EXISTS home_search_document ON home_searchentry USING GIN "
    "(to_tsvector('simple'::regconfig, title || ' ' || body))",
    "DROP INDEX IF EXISTS home_search_document_stored",
    "ALTER TABLE home_searchentry DROP COLUMN IF EXISTS document",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("home", "0008_comment_on_plans_and_decisions")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
