"""The `northstar` command: serve, demo, createuser, migrate, check (and any manage.py command)."""

from __future__ import annotations

import argparse
import os
import sys

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
    call_command("collectstatic", interactive=False, verbosity=0)
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
