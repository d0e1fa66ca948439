"""The matrix rows of core and org: sign-in, account, tokens, jobs, the audit log, lines, people, teams.

Read by tests/test_permission_matrix.py with every other area's rows; roles as in tests/conftest.py.
"""

from __future__ import annotations

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


WEB_CASES = [
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
