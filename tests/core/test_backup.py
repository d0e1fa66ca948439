"""Backup and restore round trip: every table row for row (timestamps to the microsecond) and every
file byte for byte, on the database the suite runs on."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from northstar.core import backup
from northstar.core.models import AuditEntry, Job
from northstar.portfolio.models import Initiative
from tests import factories
from tests.environment import require


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read with plain SQL (no serializer rounds anything)."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in cursor.fetchall()]
            out[table] = sorted(rows, key=repr)
    return out


def _files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.relative_to(root).parts[0] != "static"
        and not p.name.startswith("northstar.sqlite3")
    }


@pytest.fixture
def data_dir(tmp_path, settings) -> Path:
    root = tmp_path / "data"
    (root / "uploads").mkdir(parents=True)
    (root / "secret_key").write_text("a-secret-that-must-survive")
    (root / "secret_key").chmod(0o600)
    (root / "uploads" / "feedback.csv").write_bytes(b"title,text\r\nSlow export,\xe2\x9c\x93 \x00binary\r\n")
    (root / "exports").mkdir()
    (root / "exports" / "roadmap.pdf").write_bytes(os.urandom(4096))
    (root / "static").mkdir()
    (root / "static" / "app.css").write_text("rebuilt by serve, not backed up")
    settings.DATA_DIR = root
    return root


def _require_pg_tools() -> None:
    if connection.vendor == "postgresql":
        require("pg_dump and pg_restore", bool(shutil.which("pg_dump") and shutil.which("pg_restore")))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_every_file(cast, data_dir, tmp_path):
    _require_pg_tools()
    odd = timezone.now().replace(microsecond=123457) - timedelta(days=3)
    Job.objects.create(
        title="Plan", task="northstar.core.tasks.sample_count", kwargs={"to": 2}, actor=cast.pm
    )
    Job.objects.filter(title="Plan").update(created_at=odd, started_at=odd + timedelta(microseconds=1))
    factories.make_initiative(title="Résumé ✓ with emoji 🚀", product=cast.home_product)
    before_rows, before_files = _tables(), _files(data_dir)
    assert any(r for r in before_rows[Job._meta.db_table])

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    assert archive.stat().st_size > 0

    # A bad day: records changed and removed, files lost or overwritten.
    Initiative.objects.filter(title__startswith="Résumé").delete()
    Initiative.objects.update(title="overwritten")
    Job.objects.all().delete()
    AuditEntry.objects.all().delete()
    (data_dir / "uploads" / "feedback.csv").unlink()
    (data_dir / "secret_key").write_text("changed")
    assert _tables() != before_rows

    call_command("restore", str(archive), "--yes")
    assert _tables() == before_rows
    assert _files(data_dir) == before_files
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db(transaction=True)
def test_the_backup_leaves_out_rebuilt_files_and_names_what_it_holds(cast, data_dir, tmp_path):
    _require_pg_tools()
    import json
    import tarfile

    archive = tmp_path / "b.tar.gz"
    summary = backup.installation_backup(path=archive)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"data/secret_key", "data/uploads/feedback.csv", "data/exports/roadmap.pdf"} <= names
    assert not any(n.startswith("data/static") for n in names)
    assert manifest["engine"] == connection.vendor and "core.0001_initial" in manifest["migrations"]
    assert summary.files == 3


@pytest.mark.django_db(transaction=True)
def test_a_damaged_or_foreign_backup_is_refused_and_changes_nothing(cast, data_dir, tmp_path):
    _require_pg_tools()
    import io
    import json
    import tarfile

    archive = tmp_path / "b.tar.gz"
    backup.installation_backup(path=archive)
    rows = _tables()

    not_a_backup = tmp_path / "x.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    with pytest.raises(CommandError, match="not a Northstar backup"):
        call_command("restore", str(not_a_backup), "--yes")

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(foreign, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), "engine": other}).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="onto the same kind of database"):
        call_command("restore", str(foreign), "--yes")
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")
    assert _tables() == rows
