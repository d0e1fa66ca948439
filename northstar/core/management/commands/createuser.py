"""`northstar createuser`: create (or reset) a login with a role, and print how to sign in."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar import env
from northstar.core.errors import ApplicationError
from northstar.core.models import User
from northstar.core.roles import Role
from northstar.core.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role (admin, leader, pm, stakeholder) and print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.ADMIN)
        parser.add_argument("--email", default="")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--password", help="Use this password (otherwise one is generated and printed).")
        group.add_argument(
            "--demo-password",
            action="store_true",
            help="Use the data directory's demo password, creating it once; an existing user keeps working "
            "with it, so `make demo` can run again and print a login that still works.",
        )

    def handle(self, *args: object, username: str, role: str, email: str, **options: object) -> None:
        password = options.get("password")
        if options.get("demo_password"):
            password = _demo_password()
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                if not existing.check_password(password):
                    self.stdout.write(
                        f"A user called {username!r} already exists with a password of its own; it is left "
                        "as it is. Sign in with that password."
                    )
                    return
                self._print(username, password, existing.role)
                return
        password = str(password or secrets.token_urlsafe(12))
        try:
            user_create(username=username, password=password, role=role, email=email)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self._print(username, password, role)

    def _print(self, username: str, password: str, role: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"Login: {username} / {password}  (role: {Role(role).label})"))


def _demo_password() -> str:
    path = env.data_dir() / "demo_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()
