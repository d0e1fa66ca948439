"""The full-text index over search entries, in each database's own kind.

SQLite: an external-content FTS5 table (`home_search_fts`) kept in step by triggers, plus its
vocabulary (`home_search_vocab`) for typo suggestions. PostgreSQL: a GIN index over the same
`to_tsvector` expression the search query uses, so the query is answered from the index.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE home_search_fts USING fts5(
        title, body, content='home_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    "CREATE VIRTUAL TABLE home_search_vocab USING fts5vocab(home_search_fts, 'row')",
    """CREATE TRIGGER home_search_ai AFTER INSERT ON home_searchentry BEGIN
        INSERT INTO home_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER home_search_ad AFTER DELETE ON home_searchentry BEGIN
        INSERT INTO home_search_fts(home_search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER home_search_au AFTER UPDATE ON home_searchentry BEGIN
        INSERT INTO home_search_fts(home_search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO home_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS home_search_au",
    "DROP TRIGGER IF EXISTS home_search_ad",
    "DROP TRIGGER IF EXISTS home_search_ai",
    "DROP TABLE IF EXISTS home_search_vocab",
    "DROP TABLE IF EXISTS home_search_fts",
]
#: Must match `home.search.PG_DOCUMENT` exactly, or PostgreSQL will not use the index.
POSTGRES_UP = [
    "CREATE INDEX home_search_document ON home_searchentry USING GIN "
    "(to_tsvector('simple'::regconfig, title || ' ' || body))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS home_search_document"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("home", "0002_search_entry")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
