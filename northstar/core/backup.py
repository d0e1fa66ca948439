"""Backup and restore of a whole installation: the database and the data directory, in one file.

`northstar backup FILE` writes a gzipped tar holding
- `manifest.json`: when, from which database engine and migration state, and a SHA-256 per file;
- the database: `database.sqlite3`, a consistent copy made with SQLite's online backup API while the
  app keeps running, or `database.pgdump`, `pg_dump`'s custom format (one snapshot transaction);
- `data/…`: the data directory (the secret key file, uploads, generated files, mail), without the
  live SQLite files and the collected static files, which `northstar serve` rebuilds.

`northstar restore FILE` puts both back: the database through the same backup API (SQLite) or
`pg_restore --clean` (PostgreSQL), then the files, byte for byte with their permissions. A backup
restores onto the same kind of database it came from.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from northstar.core.errors import ValidationFailed

FORMAT = 1
SKIPPED = {"static"}  # rebuilt by `northstar serve`


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str
    files: int
    bytes: int


def _sqlite_files() -> set[Path]:
    if connection.vendor != "sqlite":
        return set()
    name = Path(str(connection.settings_dict["NAME"]))
    return {name, name.with_name(name.name + "-wal"), name.with_name(name.name + "-shm")}


def _data_files(data_dir: Path) -> list[Path]:
    live = {p.resolve() for p in _sqlite_files()}
    out = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts[0] in SKIPPED or not path.is_file() or path.resolve() in live:
            continue
        out.append(path)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise ValidationFailed(
            f"{command[0]} is not installed: install the PostgreSQL client tools of your server's version."
        ) from None
    if done.returncode != 0:
        raise ValidationFailed(f"{command[0]} failed: {done.stderr.strip()[-1000:]}")


def _dump_database(into: Path) -> str:
    """A consistent copy of the live database; returns the member name it was written as."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = into / "database.sqlite3"
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # online: readers and writers carry on meanwhile
        copy.close()
        return target.name
    if connection.vendor == "postgresql":
        target = into / "database.pgdump"
        args, env = _pg_env()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env
        )
        return target.name
    raise ValidationFailed(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")


def installation_backup(*, path: Path) -> BackupSummary:
    """Write the database and the data directory into one archive at `path`."""
    data_dir = Path(settings.DATA_DIR)
    files = _data_files(data_dir) if data_dir.exists() else []
    with tempfile.TemporaryDirectory(prefix="northstar-backup-") as work:
        member = _dump_database(Path(work))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database": member,
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "files": {str(p.relative_to(data_dir)): _sha256(p) for p in files},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            raw = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(raw), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(raw))
            archive.add(Path(work) / member, arcname=member)
            for file in files:
                archive.add(file, arcname=f"data/{file.relative_to(data_dir)}", recursive=False)
        partial.replace(path)  # a backup file is either whole or absent
    total = sum(f.stat().st_size for f in files)
    return BackupSummary(path=path, engine=manifest["engine"], files=len(files), bytes=total)


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = archive.extractfile("manifest.json")
    except KeyError:
        raise ValidationFailed("This is not a Northstar backup: it has no manifest.json.") from None
    if handle is None:
        raise ValidationFailed("This is not a Northstar backup: its manifest is not a file.")
    manifest = json.loads(handle.read())
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(f"Backup format {manifest.get('format')!r} is not one this version reads.")
    return manifest


def _restore_database(source: Path, engine: str) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup:
            backup.backup(connection.connection)
        backup.close()
        return
    args, env = _pg_env()
    connection.close()  # pg_restore drops and recreates tables: hold no locks on them
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(source),
        ],
        env,
    )


def installation_restore(*, path: Path) -> BackupSummary:
    """Replace the database and the data directory's files with those in the archive at `path`."""
    if not path.is_file():
        raise ValidationFailed(f"No backup file at {path}.")
    data_dir = Path(settings.DATA_DIR)
    with (
        tempfile.TemporaryDirectory(prefix="northstar-restore-") as work,
        tarfile.open(path, "r:*") as archive,
    ):
        manifest = _read_manifest(archive)
        if manifest["engine"] != connection.vendor:
            raise ValidationFailed(
                f"This backup is of a {manifest['engine']} database and this installation uses "
                f"{connection.vendor}: restore it onto the same kind of database."
            )
        archive.extractall(work, filter="data")  # refuses absolute paths, '..' and links out
        root = Path(work)
        for name, digest in manifest["files"].items():
            if _sha256(root / "data" / name) != digest:
                raise ValidationFailed(f"The backup is damaged: {name} does not match its checksum.")
        _restore_database(root / manifest["database"], manifest["engine"])
        for name in manifest["files"]:
            target = data_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / "data" / name, target)
    total = sum((data_dir / n).stat().st_size for n in manifest["files"])
    return BackupSummary(path=path, engine=manifest["engine"], files=len(manifest["files"]), bytes=total)
