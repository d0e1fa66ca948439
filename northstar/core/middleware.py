"""Request guards every page and API call shares, each rule in one place.

* `RejectUnstorableInputMiddleware`: text with a NUL character (PostgreSQL cannot store it, and no
  person types it) is refused with a 400, and whole numbers beyond 64 bits with a 422, before any
  view runs, for every form, query string, address and JSON body.
* `ApiSessionCsrfMiddleware`: an API write carried by a signed-in browser session must pass Django's
  CSRF check, public portal endpoints included; token-authenticated calls stay CSRF-free.
* `SecurityHeadersMiddleware`: a Content-Security-Policy (the app's own scripts only, no inline
  script) and a Permissions-Policy on every response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render

from northstar.core.numbers import MAX_INT

API_PREFIX = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Bodies Django parses into request.POST: once parsed, the raw body can no longer be read.
FORM_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
NUL = "\x00"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def refusal(request: HttpRequest, status: int, message: str, detail: Any = None) -> HttpResponse:
    """A refusal in the shape of its front door: the API's {"message", "detail"} JSON, or a page."""
    if is_api(request):
        return JsonResponse({"message": message, "detail": detail}, status=status)
    return render(request, "400.html", {"message": message, "code": status}, status=status)


# NUL bytes ---------------------------------------------------------------------------------------


def _first_nul(pairs: Iterable[tuple[str, Any]]) -> str | None:
    for key, value in pairs:
        if NUL in key or (isinstance(value, str) and NUL in value):
            return key.replace(NUL, "\\x00") or "?"
    return None


def _nul_in_json(value: Any, where: str = "body") -> str | None:
    """The path of the first JSON string (or key) holding a NUL, e.g. `items[2].title`."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = str(key) if where == "body" else f"{where}.{key}"
            found = inner if NUL in str(key) else _nul_in_json(item, inner)
            if found:
                return found.replace(NUL, "\\x00")
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in_json(item, f"{where}[{i}]")
            if found:
                return found
    return None


def nul_field(request: HttpRequest) -> str | None:
    """Where a request carries a NUL character (a field name, 'path' or 'body'), or None."""
    if NUL in request.path:
        return "path"
    found = _first_nul(request.GET.items())
    if found:
        return found
    if request.method not in UNSAFE_METHODS:
        return None
    content_type = request.content_type or ""
    if content_type in FORM_CONTENT_TYPES:
        return _first_nul(request.POST.items())
    body = request.body
    if b"\x00" in body:
        return "body"
    if b"\\u0000" not in body.lower():
        return None
    try:
        return _nul_in_json(json.loads(body))
    except ValueError:  # not JSON after all: the view explains what is wrong with it
        return None


_BIG_INT = re.compile(rb"\d{19,}")
_INT_TEXT = re.compile(r"-?\d+")


def _too_big(text: object) -> bool:
    if not isinstance(text, str):
        return False
    text = text.strip()
    if not _INT_TEXT.fullmatch(text):
        return False
    digits = text.lstrip("-").lstrip("0")
    return len(digits) > 19 or abs(int(text)) > MAX_INT


def _big_in_json(value: Any, where: str = "body") -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return where if abs(value) > MAX_INT else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _big_in_json(item, str(key) if where == "body" else f"{where}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _big_in_json(item, f"{where}[{i}]")
            if found:
                return found
    return None


def oversized_number_field(request: HttpRequest) -> str | None:
    """Where a request carries a whole number no database column holds (beyond 64 bits), or None."""
    if any(_too_big(part) for part in request.path.split("/")):
        return "path"
    for key, value in request.GET.items():
        if _too_big(value):
            return key
    if request.method not in UNSAFE_METHODS:
        return None
    content_type = request.content_type or ""
    if content_type in FORM_CONTENT_TYPES:
        return next((key for key, value in request.POST.items() if _too_big(value)), None)
    if not _BIG_INT.search(request.body):
        return None
    try:
        return _big_in_json(json.loads(request.body))
    except ValueError:
        return None


class RejectUnstorableInputMiddleware:
    """Refuse, before any view runs, input no database can store: text with a NUL character (400) and
    whole numbers beyond 64 bits in addresses, query strings, forms and JSON (422), naming the field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_field(request)
        if where is not None:
            return refusal(
                request,
                400,
                f"Text cannot contain the NUL character (\\x00): remove it from {where}.",
                {"field": where},
            )
        where = oversized_number_field(request)
        if where is not None:
            return refusal(
                request,
                422,
                f"{where}: numbers here must be between {-MAX_INT - 1:,} and {MAX_INT:,}.",
                {"field": where},
            )
        return self.get_response(request)


# CSRF on session-authenticated API writes ---------------------------------------------------------


class ApiSessionCsrfMiddleware:
    """The API answers browsers too: a write that a signed-in session carries must prove it came from
    our own pages (CSRF token and origin), or a cross-site form could vote or post in someone's name.
    Calls with an Authorization header (personal access tokens) cannot be forged by another site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            is_api(request)
            and request.method in UNSAFE_METHODS
            and "Authorization" not in request.headers
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            refused = self.csrf.process_view(request, _checked, (), {})
            if refused is not None:
                return refusal(
                    request,
                    403,
                    "This change came with your signed-in session but not from Northstar's own pages "
                    "(CSRF check failed): send the X-CSRFToken header, or use a personal access token.",
                )
        return self.get_response(request)


def _checked(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError


# Security headers --------------------------------------------------------------------------------


@cache
def content_security_policy(sign_on_origin: str = "") -> str:
    """Scripts, fonts and frames from this site only; no inline script, no eval, no plugins.

    Forms post to this site only, and to the identity provider when single sign-on is on: signing out
    posts here and is redirected to the provider's sign-out page, and browsers apply form-action to
    that redirect too.
    """
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # Plotly sizes its charts with inline style attributes; styles cannot run code.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": f"'self' {sign_on_origin}".strip(),
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def sign_on_origin() -> str:
    """The identity provider's sign-out origin (scheme://host[:port]) when single sign-on is on, else ""."""
    parts = urlsplit(settings.SSO_END_SESSION_ENDPOINT or settings.SSO_ISSUER or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (pages, API, files)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.fixed_policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = self.fixed_policy or content_security_policy(sign_on_origin())
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
