"""The suite's real OpenID provider: panva's oidc-provider (OpenID Certified) run by Node.js on 127.0.0.1.

`make test` installs it (`npm ci` in tests/oidc_provider). Tests start it with `running_provider`, get
Northstar's settings for it from its discovery document, and sign in through its login page either with
a browser (Playwright) or with `ProviderSession`, a small HTTP client that fills in the same form.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from northstar.core.sign_on import provider_discover
from tests.environment import require

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "northstar"
CLIENT_SECRET = "northstar-test-client-secret-0123456789"
OTHER_CLIENT_ID = "other-app"
OTHER_CLIENT_SECRET = "other-app-test-client-secret-0123456789"

#: The company's directory at the test provider: who is in which group.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {
        "password": "alice-password",
        "email": "alice@example.com",
        "name": "Alice Leader",
        "groups": ["product-leadership", "everyone"],
    },
    "bob": {
        "password": "bob-password",
        "email": "bob@example.com",
        "name": "Bob Manager",
        "groups": ["product-managers", "everyone"],
    },
    "carol": {
        "password": "carol-password",
        "email": "carol@example.com",
        "name": "Carol Finance",
        "groups": ["finance"],
    },
    "dana": {
        "password": "dana-password",
        "email": "dana@example.com",
        "name": "Dana Admin",
        "groups": ["product-managers", "northstar-admins"],
    },
}
#: How the company's groups map to Northstar roles (NORTHSTAR_OIDC_ROLES).
ROLE_MAP = {
    "northstar-admins": "admin",
    "product-leadership": "leader",
    "product-managers": "pm",
    "everyone": "stakeholder",
}


def provider_installed() -> bool:
    return bool(shutil.which("node")) and (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir()


def require_provider() -> None:
    require(
        "the test OpenID provider (Node.js + oidc-provider)",
        provider_installed(),
        hint="install Node.js and run `npm ci` in tests/oidc_provider (make test does)",
    )


@dataclass
class Provider:
    issuer: str
    discovered: dict[str, str] = field(default_factory=dict)

    def django_settings(self, *, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, Any]:
        """Northstar's settings for this provider, as an admin would set them from `sso_discover`."""
        found = self.discovered
        return {
            "SSO_ISSUER": found["NORTHSTAR_OIDC_ISSUER"],
            "SSO_NAME": "Test Company ID",
            "OIDC_RP_CLIENT_ID": client_id,
            "OIDC_RP_CLIENT_SECRET": secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": found["NORTHSTAR_OIDC_AUTHORIZATION_ENDPOINT"],
            "OIDC_OP_TOKEN_ENDPOINT": found["NORTHSTAR_OIDC_TOKEN_ENDPOINT"],
            "OIDC_OP_USER_ENDPOINT": found["NORTHSTAR_OIDC_USERINFO_ENDPOINT"],
            "OIDC_OP_JWKS_ENDPOINT": found["NORTHSTAR_OIDC_JWKS_URI"],
            "SSO_END_SESSION_ENDPOINT": found["NORTHSTAR_OIDC_END_SESSION_ENDPOINT"],
            "OIDC_RP_SCOPES": "openid email profile groups",
            "SSO_ROLE_MAP": dict(ROLE_MAP),
            "SSO_UNKNOWN_GROUPS": "stakeholder",
        }


def _client(client_id: str, secret: str, app_urls: list[str]) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "client_secret": secret,
        "client_name": "Northstar" if client_id == CLIENT_ID else "Another app",
        "redirect_uris": [f"{url}/sso/callback/" for url in app_urls],
        "post_logout_redirect_uris": [f"{url}/login/" for url in app_urls],
    }


@contextmanager
def running_provider(*, app_urls: list[str]) -> Iterator[Provider]:
    """Start the provider for apps served at `app_urls` (e.g. http://testserver); stop it afterwards."""
    require_provider()
    config = {
        "clients": [
            _client(CLIENT_ID, CLIENT_SECRET, app_urls),
            _client(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, app_urls),
        ],
        "accounts": ACCOUNTS,
    }
    node = shutil.which("node") or "node"
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(  # noqa: S603 - Node.js running our own script
            [node, "server.mjs"],
            cwd=PROVIDER_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(config) + "\n")
            process.stdin.flush()
            first: list[str] = []
            reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
            reader.start()
            reader.join(timeout=60)
            if not first or not first[0].strip():
                errors.seek(0)
                raise RuntimeError(f"the test OpenID provider did not start: {errors.read()[-2000:]}")
            issuer = json.loads(first[0])["issuer"]
            yield Provider(issuer=issuer, discovered=provider_discover(issuer))
        finally:
            if process.stdin:
                process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class _FirstForm(HTMLParser):
    """The first form on a page: where it posts and its hidden fields (e.g. the provider's xsrf)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action, self._inside = values.get("action", ""), True
        elif tag == "input" and self._inside and values.get("type") == "hidden":
            self.hidden[values.get("name", "")] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


class ProviderSession:
    """One person's browser at the provider, for tests without a real browser: cookies and redirects."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.http = requests.Session()
        self.last_page: requests.Response | None = None

    def _walk(self, url: str, *, method: str = "GET", data: dict[str, str] | None = None) -> str | None:
        """Follow the provider's redirects; the URL that leaves the provider, or None on a page of its own."""
        for _ in range(10):
            response = self.http.request(method, url, data=data, allow_redirects=False, timeout=30)
            if response.status_code in {301, 302, 303, 307}:
                url = urljoin(url, response.headers["location"])
                if not url.startswith(self.provider.issuer):
                    return url
                method, data = "GET", None
                continue
            self.last_page = response
            return None
        raise AssertionError("the provider redirected in circles")

    def authorize(self, authorize_url: str, username: str, password: str) -> str:
        """Sign in at the provider's login page; the callback URL it sends the browser back to."""
        leaving = self._walk(authorize_url)
        if leaving is not None:  # already signed in at the provider
            return leaving
        leaving = self.submit_form({"username": username, "password": password})
        assert leaving is not None, f"the provider did not accept the sign-in: {self.page_text()[:500]}"
        return leaving

    def submit_form(self, data: dict[str, str]) -> str | None:
        """Post the form on the provider's current page."""
        assert self.last_page is not None
        form = _FirstForm()
        form.feed(self.last_page.text)
        assert form.action is not None, f"no form on the provider's page: {self.page_text()[:500]}"
        url = urljoin(self.last_page.url, form.action)
        return self._walk(url, method="POST", data={**form.hidden, **data})

    def open(self, url: str) -> str | None:
        return self._walk(url)

    def page_text(self) -> str:
        return self.last_page.text if self.last_page is not None else ""
