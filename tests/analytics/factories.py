"""Factories of the analytics area: a site, its events (in bulk) and funnels."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from northstar.analytics.models import Event, EventKind, Funnel, Site
from northstar.org.models import Product

_seq = itertools.count(1)


def make_site(*, product: Product, **kw: Any) -> Site:
    defaults: dict[str, Any] = {"name": f"Site {next(_seq)}", "key": "ns_a_" + secrets.token_urlsafe(12)}
    return Site.objects.create(product=product, **{**defaults, **kw})


def make_funnel(*, site: Site, steps: list[str] | None = None, **kw: Any) -> Funnel:
    steps = steps or ["/cart", "/checkout", "/paid"]
    parsed = [
        {"kind": "event", "match": s[6:]} if s.startswith("event:") else {"kind": "page", "match": s}
        for s in steps
    ]
    return Funnel.objects.create(site=site, name=kw.pop("name", f"Funnel {next(_seq)}"), steps=parsed, **kw)


def event(
    site: Site, visitor: str, at: datetime, kind: int = EventKind.PAGEVIEW, path: str = "/", **kw: Any
) -> Event:
    return Event(site=site, visitor=visitor, at=at, kind=kind, path=path, **kw)


def store(events: list[Event]) -> None:
    Event.objects.bulk_create(events)


def ago(**delta: float) -> datetime:
    return timezone.now() - timedelta(**delta)
