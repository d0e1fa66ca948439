"""The `northstar` command: serve, demo, createuser, migrate, check (and any manage.py command)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from northstar import env

USAGE = """northstar <command> [options]

Commands:
  serve        Serve the app with gunicorn (production-grade), static files included.
  demo         Load the demo company (--scale standard|large; safe to run again).
  createuser   Create a login: northstar createuser NAME --role admin|leader|pm|stakeholder
  migrate      Create or upgrade the database.
  check        Check the configuration (add --deploy for production checks).

Any other Django management command works too (northstar help lists them).
Configuration comes from the environment: NORTHSTAR_DATA_DIR (default ./var), DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS, DEBUG, NORTHSTAR_HTTPS. See README.md.
"""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
    if not os.environ.get("SECRET_KEY"):
        env.ensure_secret_key_file()


def _static_sources_fingerprint() -> str:
    """A digest of every static source file's path, size and modification time (not its bytes)."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _collect_static(call_command: Any) -> None:
    """Collect (hash and compress) static files only when a source changed since the last collect.

    Compressing every asset again took about 6 s of each start; an upgrade or a changed file still
    collects, because the fingerprint of the sources is stored beside what was collected.
    """
    from django.conf import settings

    stamp = Path(settings.STATIC_ROOT) / ".sources-fingerprint"  # wiped with the folder it describes
    fingerprint = _static_sources_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="northstar serve", description="Serve Northstar with gunicorn.")
    parser.add_argument("--host", default=os.environ.get("NORTHSTAR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("NORTHSTAR_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("NORTHSTAR_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    _setup_django()

    import django
    from django.core.management import call_command

    django.setup()
    _collect_static(call_command)
    from gunicorn.app.base import BaseApplication

    from northstar.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 10)

        def load(self):
            return application

    print(f"Northstar is serving on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    Server().run()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE)
        return 0
    if argv[0] == "serve":
        return serve(argv[1:])
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["northstar", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
