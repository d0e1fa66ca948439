"""Every web page and action, and the REST API, against every role.

The web half is checked against the URL configuration: adding a route to core, org or portfolio
without adding it here fails `test_every_web_route_is_in_the_matrix`.

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
from django.utils import timezone

from northstar.core.models import Job, User
from northstar.core.services import api_token_create
from northstar.org.models import Level, Person, ProductLine
from northstar.portfolio.models import Initiative, Stage
from tests.conftest import Cast
from tests.permissions import (
    DONE,
    LEADERS_ACTION,
    LEADERS_PAGE,
    LOGIN,
    READ,
    ROLES,
    WRITERS_ACTION,
    WRITERS_PAGE,
    Builder,
    Case,
    _expect,
    _pk,
)


def _cpo(cast: Cast) -> Person:
    return Person.objects.get(name="Cora CPO")


def _person_data(cast: Cast, user: User | None) -> dict:
    return {
        "name": "Pat PM",
        "email": "pat@example.com",
        "title": "PM",
        "level": Level.PM,
        "manager": _cpo(cast).pk,
    }


def _new_person(cast: Cast, user: User | None) -> dict:
    return {"name": "New Person", "email": "new@example.com", "title": "APM", "level": Level.APM}


def _job(cast: Cast) -> int:
    """A running job the PM started: the PM and leaders may see and cancel it, others may not."""
    return Job.objects.create(title="Plan", task="northstar.core.tasks.sample_count", actor=cast.pm).pk


def _line_data(line: str) -> Builder:
    def build(cast: Cast, user: User | None) -> dict:
        target: ProductLine = getattr(cast, line)
        return {"name": target.name, "description": "edited", "director": target.director_id}

    return build


def _new_line(cast: Cast, user: User | None) -> dict:
    return {"name": "New line", "director": _cpo(cast).pk}


def _product_data(line: str, name: str) -> Builder:
    return lambda cast, user: {"line": getattr(cast, line).pk, "name": name}


def _team_data(line: str, name: str) -> Builder:
    return lambda cast, user: {
        "line": getattr(cast, line).pk,
        "name": name,
        "skills": "backend",
        "cost_rate": "100",
        "currency": "EUR",
    }


def _initiative_data(product: str, title: str, *, create: bool = False) -> Builder:
    def build(cast: Cast, user: User | None) -> dict:
        data = {"title": title, "kind": "feature", "product": getattr(cast, product).pk}
        if create:
            data["stage"] = Stage.IDEA
        return data

    return build


def _initiative_kind(attr: str) -> Builder:
    return lambda cast, user: ["initiative", getattr(cast, attr).pk]


def _archived(attr: str) -> Builder:
    def build(cast: Cast, user: User | None) -> list:
        initiative = getattr(cast, attr)
        Initiative.all_objects.filter(pk=initiative.pk).update(archived_at=timezone.now())
        return ["initiative", initiative.pk]

    return build


def _own_token(cast: Cast, user: User | None) -> list:
    token, _ = api_token_create(user=user or cast.admin, name="matrix")
    return [token.pk]


CORE_CASES = [
    # core
    Case("core:login", "get", _expect(anonymous=200, stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE)),
    Case(
        "core:login",
        "post",
        _expect(anonymous=200, stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE),
        data=lambda cast, user: {"username": user.username if user else "nobody", "password": "x"},
        label="(signed-in users are sent home; a wrong password stays on the form)",
    ),
    Case("core:logout", "get", _expect(405, 405, 405, 405, 405)),
    Case("core:logout", "post", _expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    Case("core:home", "get", READ),
    Case("core:plotly_js", "get", _expect(anonymous=200)),
    Case("core:audit", "get", _expect(stakeholder=403, pm=403)),
    Case("core:tokens", "get", READ),
    Case("core:tokens", "post", READ, data=lambda cast, user: {"name": "matrix"}),
    Case(
        "core:token_revoke", "get", _expect(stakeholder=405, pm=405, leader=405, admin=405), args=_own_token
    ),
    Case(
        "core:token_revoke",
        "post",
        _expect(stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE),
        args=_own_token,
    ),
    # sign-in: the code step needs a password step first; single sign-on is off unless configured
    Case("core:login_verify", "get", _expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    Case(
        "core:login_verify",
        "post",
        _expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        data=lambda c, u: {"code": "1"},
    ),
    Case("core:sso_login", "get", _expect(404, 404, 404, 404, 404)),
    Case("core:sso_callback", "get", _expect(404, 404, 404, 404, 404)),
    # sign-in security: everyone their own; nothing to confirm, turn off or renew before enrolling
    Case("core:security", "get", READ),
    Case("core:two_factor_start", "post", _expect(stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE)),
    Case(
        "core:two_factor_confirm",
        "post",
        _expect(stakeholder=404, pm=404, leader=404, admin=404),
        data=lambda cast, user: {"confirm-code": "123456"},
    ),
    Case(
        "core:two_factor_disable",
        "post",
        _expect(stakeholder=404, pm=404, leader=404, admin=404),
        data=lambda cast, user: {"off-code": "123456"},
    ),
    Case(
        "core:recovery_codes_renew",
        "post",
        _expect(stakeholder=404, pm=404, leader=404, admin=404),
        data=lambda cast, user: {"renew-code": "123456"},
    ),
    # logins: admins only (the PM has no second factor, so there is nothing to reset)
    Case("core:logins", "get", _expect(stakeholder=403, pm=403, leader=403)),
    Case(
        "core:two_factor_reset",
        "post",
        _expect(stakeholder=403, pm=403, leader=403, admin=404),
        args=lambda cast, user: [cast.pm.pk],
    ),
    Case("core:job_status", "get", _expect(stakeholder=403, pm=200), args=lambda cast, user: [_job(cast)]),
    Case(
        "core:job_cancel",
        "post",
        _expect(stakeholder=403, pm=DONE, leader=DONE, admin=DONE),
        args=lambda cast, user: [_job(cast)],
    ),
    Case("core:favicon", "get", _expect(301, 301, 301, 301, 301)),
    # the archive: everyone sees what was set aside; each record's own rule says who may change it
    Case("core:archive", "get", READ),
    Case("core:archive_record", "get", WRITERS_PAGE, args=_initiative_kind("home_initiative"), label="home"),
    Case("core:archive_record", "get", LEADERS_PAGE, args=_initiative_kind("away_initiative"), label="away"),
    Case(
        "core:archive_record", "post", WRITERS_ACTION, args=_initiative_kind("home_initiative"), label="home"
    ),
    Case(
        "core:archive_record", "post", LEADERS_ACTION, args=_initiative_kind("away_initiative"), label="away"
    ),
    Case(
        "core:archive_restore",
        "get",
        _expect(stakeholder=405, pm=405, leader=405, admin=405),
        args=_archived("away_initiative"),
    ),
    Case("core:archive_restore", "post", WRITERS_ACTION, args=_archived("home_initiative"), label="home"),
    Case("core:archive_restore", "post", LEADERS_ACTION, args=_archived("away_initiative"), label="away"),
    Case("core:archive_delete", "get", WRITERS_PAGE, args=_initiative_kind("home_initiative")),
    Case(
        "core:archive_delete",
        "post",
        LEADERS_ACTION,
        args=_initiative_kind("away_initiative"),
        data=lambda cast, user: {"confirm": "yes"},
        label="away",
    ),
    # org: reading
    Case("org:chart", "get", READ),
    Case("org:people", "get", READ),
    Case("org:person_detail", "get", READ, args=_pk("pm_person")),
    Case("org:lines", "get", READ),
    Case("org:line_detail", "get", READ, args=_pk("away_line")),
    Case("org:teams", "get", READ),
    Case("org:team_detail", "get", READ, args=_pk("away_team")),
    # org: the shape of the organisation is for leaders
    Case("org:person_create", "get", LEADERS_PAGE),
    Case("org:person_create", "post", LEADERS_ACTION, data=_new_person),
    Case("org:person_edit", "get", LEADERS_PAGE, args=_pk("pm_person")),
    Case("org:person_edit", "post", LEADERS_ACTION, args=_pk("pm_person"), data=_person_data),
    Case("org:line_create", "get", LEADERS_PAGE),
    Case("org:line_create", "post", LEADERS_ACTION, data=_new_line),
    Case("org:line_edit", "get", LEADERS_PAGE, args=_pk("home_line"), label="home line"),
    Case("org:line_edit", "post", LEADERS_ACTION, args=_pk("home_line"), data=_line_data("home_line")),
    # org: products and teams, PMs inside their own line
    Case("org:product_create", "get", WRITERS_PAGE),
    Case("org:product_create", "post", WRITERS_ACTION, data=_product_data("home_line", "New"), label="home"),
    Case(
        "org:product_create",
        "post",
        _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE),
        data=_product_data("away_line", "New"),
        label="away",
    ),
    Case("org:product_edit", "get", WRITERS_PAGE, args=_pk("home_product"), label="home"),
    Case("org:product_edit", "get", LEADERS_PAGE, args=_pk("away_product"), label="away"),
    Case(
        "org:product_edit",
        "post",
        WRITERS_ACTION,
        args=_pk("home_product"),
        data=_product_data("home_line", "Renamed"),
        label="home",
    ),
    Case(
        "org:product_edit",
        "post",
        LEADERS_ACTION,
        args=_pk("away_product"),
        data=_product_data("away_line", "Renamed"),
        label="away",
    ),
    Case("org:team_create", "get", WRITERS_PAGE),
    Case("org:team_create", "post", WRITERS_ACTION, data=_team_data("home_line", "New team"), label="home"),
    Case(
        "org:team_create",
        "post",
        _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE),
        data=_team_data("away_line", "New team"),
        label="away",
    ),
    Case("org:team_edit", "get", WRITERS_PAGE, args=_pk("home_team"), label="home"),
    Case("org:team_edit", "get", LEADERS_PAGE, args=_pk("away_team"), label="away"),
    Case(
        "org:team_edit",
        "post",
        WRITERS_ACTION,
        args=_pk("home_team"),
        data=_team_data("home_line", "Home team"),
        label="home",
    ),
    Case(
        "org:team_edit",
        "post",
        LEADERS_ACTION,
        args=_pk("away_team"),
        data=_team_data("away_line", "Away team"),
        label="away",
    ),
    # portfolio
    Case("portfolio:list", "get", READ),
    Case("portfolio:detail", "get", READ, args=_pk("away_initiative")),
    Case("portfolio:create", "get", WRITERS_PAGE),
    Case(
        "portfolio:create",
        "post",
        WRITERS_ACTION,
        data=_initiative_data("home_product", "New", create=True),
        label="home",
    ),
    Case(
        "portfolio:create",
        "post",
        LEADERS_ACTION,
        data=_initiative_data("away_product", "New", create=True),
        label="away",
    ),
    Case("portfolio:edit", "get", WRITERS_PAGE, args=_pk("home_initiative"), label="home"),
    Case("portfolio:edit", "get", LEADERS_PAGE, args=_pk("away_initiative"), label="away"),
    Case(
        "portfolio:edit",
        "post",
        WRITERS_ACTION,
        args=_pk("home_initiative"),
        data=_initiative_data("home_product", "Edited"),
        label="home",
    ),
    Case(
        "portfolio:edit",
        "post",
        LEADERS_ACTION,
        args=_pk("away_initiative"),
        data=_initiative_data("away_product", "Edited"),
        label="away",
    ),
    Case(
        "portfolio:move",
        "get",
        _expect(stakeholder=405, pm=405, leader=405, admin=405),
        args=_pk("home_initiative"),
    ),
    Case(
        "portfolio:move",
        "post",
        WRITERS_ACTION,
        args=_pk("home_initiative"),
        data=lambda cast, user: {"stage": Stage.DISCOVERY},
        label="home",
    ),
    Case(
        "portfolio:move",
        "post",
        LEADERS_ACTION,
        args=_pk("away_initiative"),
        data=lambda cast, user: {"stage": Stage.DISCOVERY},
        label="away",
    ),
]

#: Areas whose routes live in their own case lists (tests/<area>/permission_cases.py).
AREA_CASE_MODULES = (
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
WEB_CASES = CORE_CASES + [
    case for module in AREA_CASE_MODULES for case in getattr(import_module(module), "WEB_CASES", [])
]
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
