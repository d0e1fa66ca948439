"""`northstar sso_discover ISSUER`: print the single sign-on settings from the provider's discovery."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.core.errors import ApplicationError
from northstar.core.sign_on import provider_discover


class Command(BaseCommand):
    help = "Read an OpenID provider's discovery document and print the NORTHSTAR_OIDC_* settings it gives."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "issuer", help="The provider's issuer URL, e.g. https://id.example.com/realms/acme"
        )

    def handle(self, *args: object, issuer: str, **options: object) -> None:
        try:
            found = provider_discover(issuer)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for name, value in found.items():
            self.stdout.write(f"{name}={value}")
        self.stdout.write(
            "# and your client's NORTHSTAR_OIDC_CLIENT_ID and NORTHSTAR_OIDC_CLIENT_SECRET; register "
            "https://<northstar>/sso/callback/ as its redirect URI and https://<northstar>/login/ as its "
            "post-logout redirect URI."
        )
