"""Who is writing to the portal, for rate limits; shared by the portal pages and the public API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def visitor_address(request: HttpRequest) -> str:
    """The visitor's address: the peer, or, when the peer is a trusted proxy, the nearest address
    in X-Forwarded-For that is not one of ours (earlier entries can be forged by the client)."""
    peer = request.META.get("REMOTE_ADDR", "unknown")
    trusted = set(settings.TRUSTED_PROXIES)
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer


def client_id(request: HttpRequest) -> str:
    """The signed-in user, else the visitor's address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{visitor_address(request)}"
