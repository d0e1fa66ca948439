"""Serve the portal at `/` of its own host name (NORTHSTAR_PORTAL_HOST)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PORTAL_HOST_URLCONF = "northstar.portal_host_urls"


class PortalHostMiddleware:
    """A request for the portal's host name gets the portal's routes at the root.

    The host is a deployment setting, read once: the check costs nothing per request. Settings add it
    to ALLOWED_HOSTS (README, Configuration); any other unknown host is refused with 400 as before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        portal_host = getattr(settings, "PORTAL_HOST", "")
        if portal_host and request.get_host().split(":")[0].lower() == portal_host:
            request.urlconf = PORTAL_HOST_URLCONF
        return self.get_response(request)
