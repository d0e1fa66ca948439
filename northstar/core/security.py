"""Sign-in protection helpers used by django-axes (see the settings)."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from northstar.feedback.clients import visitor_address


def login_client_address(request: HttpRequest) -> str | None:
    """The address sign-in attempts are counted against (proxies honoured), or None when unknown.

    None rather than a placeholder: the attempt log stores addresses in an IP column, and a sign-in
    made by code (no network peer) has no address to count.
    """
    address = visitor_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
