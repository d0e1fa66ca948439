"""Every web page and action, and the REST API, against every role.

The web half is checked against the URL configuration: each area lists its routes' rows in
tests/<area>/permission_cases.py (core and org in tests/core/), and a route in no list fails
`test_every_web_route_is_in_the_matrix`.

Roles (see tests/conftest.py): `pm` belongs to `home_line` only; `stakeholder` only reads;
`leader` and `admin` may change everything; only they read the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from northstar.core.models import User
from tests.conftest import Cast
from tests.permissions import (
    DONE,
    LOGIN,
    ROLES,
    Case,
)

#: Areas whose routes live in their own case lists (tests/<area>/permission_cases.py).
AREA_CASE_MODULES = (
    "tests.core.permission_cases",
    "tests.portfolio.permission_cases",
    "tests.strategy.permission_cases",
    "tests.feedback.permission_cases",
    "tests.planning.permission_cases",
    "tests.finance.permission_cases",
    "tests.delivery.permission_cases",
    "tests.people.permission_cases",
    "tests.market.permission_cases",
    "tests.analytics.permission_cases",
    "tests.home.permission_cases",
    "tests.reports.permission_cases",
)
WEB_CASES = [case for module in AREA_CASE_MODULES for case in getattr(import_module(module), "WEB_CASES", [])]
WEB_NAMESPACES = (
    "core",
    "org",
    "portfolio",
    "strategy",
    "feedback",
    "portal",
    "planning",
    "finance",
    "delivery",
    "people",
    "market",
    "analytics",
    "home",
    "reports",
)


def _route_names(patterns: list, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _route_names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_web_route_is_in_the_matrix():
    routes = {n for n in _route_names(get_resolver().url_patterns) if n.split(":")[0] in WEB_NAMESPACES}
    covered = {case.name for case in WEB_CASES}
    assert routes - covered == set(), "add these routes to WEB_CASES"
    assert covered - routes == set(), "these matrix rows name routes that no longer exist"


def _client_for(cast: Cast, role: str) -> tuple[Client, User | None]:
    client = Client()
    if role == "anonymous":
        return client, None
    user = cast.user(role)
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", WEB_CASES, ids=[c.id for c in WEB_CASES])
def test_web_matrix(cast, case: Case, role: str):
    client, user = _client_for(cast, role)
    url = reverse(case.name, args=case.args(cast, user))
    response = getattr(client, case.method)(url, case.data(cast, user))
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:500]
        assert response["Location"].startswith(reverse("core:login"))
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith(reverse("core:login"))
    else:
        assert response.status_code == expected, response.content.decode()[:2000]
    if response.status_code in (403, 404):
        assert b"Traceback" not in response.content


# REST API -----------------------------------------------------------------------------------------


@dataclass
class ApiCase:
    method: str
    path: Callable[[Cast], str]
    expect: dict[str, int]
    body: Callable[[Cast], dict] | None = None
    label: str = ""


def _api_expect(stakeholder: int = 200, pm: int = 200, leader: int = 200, admin: int = 200) -> dict[str, int]:
    return {"anonymous": 401, "stakeholder": stakeholder, "pm": pm, "leader": leader, "admin": admin}


def _analytics_site(cast: Cast, where: str) -> int:
    from northstar.analytics.models import Site

    product = getattr(cast, f"{where}_product")
    site, _ = Site.objects.get_or_create(
        product=product, name="Matrix site", defaults={"key": f"ns_a_m_{where}"}
    )
    return site.pk


API_READ = _api_expect()
API_LEADERS_WRITE = _api_expect(403, 403, 201, 201)
API_WRITERS_WRITE = _api_expect(403, 201, 201, 201)

API_CASES = [
    ApiCase("get", lambda c: "/api/v1/me", API_READ),
    ApiCase("get", lambda c: "/api/v1/tokens", API_READ),
    ApiCase("get", lambda c: "/api/v1/audit", _api_expect(403, 403)),
    ApiCase("get", lambda c: "/api/v1/people", API_READ),
    ApiCase("get", lambda c: "/api/v1/lines", API_READ),
    ApiCase("get", lambda c: "/api/v1/products", API_READ),
    ApiCase("get", lambda c: "/api/v1/teams", API_READ),
    ApiCase("get", lambda c: "/api/v1/initiatives", API_READ),
    ApiCase("get", lambda c: f"/api/v1/initiatives/{c.away_initiative.pk}", API_READ),
    ApiCase(
        "post", lambda c: "/api/v1/tokens", _api_expect(201, 201, 201, 201), lambda c: {"name": "matrix"}
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/people",
        API_LEADERS_WRITE,
        lambda c: {"name": "Api Person", "email": "api@example.com", "title": "PM", "level": "pm"},
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/lines",
        API_LEADERS_WRITE,
        lambda c: {"name": "Api line", "director_id": c.home_line.director_id},
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/products",
        API_WRITERS_WRITE,
        lambda c: {"line_id": c.home_line.pk, "name": "Api product"},
        "home",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/products",
        API_LEADERS_WRITE,
        lambda c: {"line_id": c.away_line.pk, "name": "Api product"},
        "away",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/teams",
        API_WRITERS_WRITE,
        lambda c: {"line_id": c.home_line.pk, "name": "Api team"},
        "home",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/initiatives",
        API_WRITERS_WRITE,
        lambda c: {"title": "Api work", "product_id": c.home_product.pk},
        "home",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/initiatives",
        API_LEADERS_WRITE,
        lambda c: {"title": "Api work", "product_id": c.away_product.pk},
        "away",
    ),
    ApiCase(
        "post",
        lambda c: f"/api/v1/initiatives/{c.home_initiative.pk}/move",
        _api_expect(403, 200, 200, 200),
        lambda c: {"stage": "discovery"},
        "home",
    ),
    ApiCase(
        "post",
        lambda c: f"/api/v1/initiatives/{c.away_initiative.pk}/move",
        _api_expect(403, 403, 200, 200),
        lambda c: {"stage": "discovery"},
        "away",
    ),
    # home: search, notifications and comments are for everyone signed in
    ApiCase("get", lambda c: "/api/v1/search?q=work", API_READ),
    ApiCase("get", lambda c: "/api/v1/notifications", API_READ),
    ApiCase("post", lambda c: "/api/v1/notifications/read", API_READ, lambda c: {}),
    ApiCase(
        "get", lambda c: f"/api/v1/comments?target=initiative&target_id={c.away_initiative.pk}", API_READ
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/comments",
        _api_expect(201, 201, 201, 201),
        lambda c: {"target": "initiative", "target_id": c.away_initiative.pk, "body": "Api comment"},
    ),
    ApiCase("get", lambda c: "/api/v1/analytics/sites", API_READ),
    ApiCase(
        "patch",
        lambda c: f"/api/v1/analytics/sites/{_analytics_site(c, 'home')}",
        _api_expect(403, 200, 200, 200),
        lambda c: {"name": "Renamed"},
        "home",
    ),
    ApiCase(
        "patch",
        lambda c: f"/api/v1/analytics/sites/{_analytics_site(c, 'away')}",
        _api_expect(403, 403, 200, 200),
        lambda c: {"name": "Renamed"},
        "away",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/analytics/sites",
        API_WRITERS_WRITE,
        lambda c: {"product_id": c.home_product.pk, "name": "Api site"},
        "home",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/analytics/sites",
        API_LEADERS_WRITE,
        lambda c: {"product_id": c.away_product.pk, "name": "Api site"},
        "away",
    ),
]

# Areas may list API cases as (method, path, expect, body, label) tuples beside their WEB_CASES.
API_CASES += [
    ApiCase(*case) for module in AREA_CASE_MODULES for case in getattr(import_module(module), "API_CASES", [])
]


def _lost_reason(cast: Cast) -> str:
    from tests.market.factories import lost_reason

    return lost_reason("price")


API_CASES += [
    ApiCase("get", lambda c: "/api/v1/market/segments", API_READ),
    ApiCase(
        "post", lambda c: "/api/v1/market/segments", API_WRITERS_WRITE, lambda c: {"name": "Api segment"}
    ),
    ApiCase("get", lambda c: "/api/v1/market/matrix", API_READ),
    ApiCase("get", lambda c: "/api/v1/market/win-loss", API_READ),
    ApiCase(
        "post",
        lambda c: "/api/v1/market/reason-links",
        API_WRITERS_WRITE,
        lambda c: {"reason": _lost_reason(c), "initiative_id": c.home_initiative.pk},
        "home",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/market/reason-links",
        API_LEADERS_WRITE,
        lambda c: {"reason": _lost_reason(c), "initiative_id": c.away_initiative.pk},
        "away",
    ),
    ApiCase(
        "post",
        lambda c: "/api/v1/market/notes",
        API_WRITERS_WRITE,
        lambda c: {"title": "Api note", "noted_on": "2026-01-01", "tags": "ai"},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "case", API_CASES, ids=[f"{c.method}-{i}-{c.label}" for i, c in enumerate(API_CASES)]
)
def test_api_matrix(cast, case: ApiCase, role: str):
    """The API honours the same roles, over the browser session (CSRF is not enforced by the test client)."""
    client, _ = _client_for(cast, role)
    body = case.body(cast) if case.body else None
    response = getattr(client, case.method)(
        case.path(cast), data=json.dumps(body) if body is not None else None, content_type="application/json"
    )
    assert response.status_code == case.expect[role], response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert response.json()["message"]
