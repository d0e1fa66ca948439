"""`northstar two_factor_reset NAME`: take two-factor sign-in off a login (the operator's way back in)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.core.models import User
from northstar.core.two_factor import two_factor_reset


class Command(BaseCommand):
    help = "Reset a login's two-factor sign-in, e.g. when the only admin lost their phone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No login called {username!r}.")
        try:
            two_factor_reset(actor=None, user=user)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Two-factor sign-in reset for {username}: their password alone signs them in now.")
