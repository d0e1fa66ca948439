"""Serve the portal at `/` of its own host name (set under Portal → Branding)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from northstar.feedback.portal_branding import current_branding

PORTAL_HOST_URLCONF = "northstar.portal_host_urls"


class PortalHostMiddleware:
    """A request for the portal's host name gets the portal's routes at the root.

    Django has already refused hosts missing from ALLOWED_HOSTS by the time `get_host` answers here, so
    the portal's host must be listed there too (README, Configuration)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        portal_host = current_branding().host
        if portal_host and request.get_host().split(":")[0].lower() == portal_host:
            request.urlconf = PORTAL_HOST_URLCONF
        return self.get_response(request)
