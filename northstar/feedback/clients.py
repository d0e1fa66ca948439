"""Who is writing to the portal, for rate limits; shared by the portal pages and the public API."""

from __future__ import annotations

from django.http import HttpRequest


def client_id(request: HttpRequest) -> str:
    """The signed-in user, else the address the request came from (behind a proxy, the proxy sets it)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', 'unknown')}"
