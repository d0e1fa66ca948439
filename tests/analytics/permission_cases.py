"""Analytics routes in the permission matrix (see tests/permissions.py).

Everyone signed in reads; sites, funnels and imports are changed by leaders and by PMs of the site's
product line; linking evidence needs the right to change the initiative.
"""

from __future__ import annotations

from northstar.analytics.models import FrictionEvidence, Funnel, Site
from northstar.core.models import User
from tests.conftest import Cast
from tests.permissions import DONE, READ, WRITERS_ACTION, WRITERS_PAGE, Case, _expect


def _site(where: str):
    def build(cast: Cast, user: User | None) -> Site:
        site, _ = Site.objects.get_or_create(
            name=f"{where} site",
            defaults={"product": getattr(cast, f"{where}_product"), "key": f"ns_a_{where}"},
        )
        return site

    return build


def _funnel(where: str):
    def build(cast: Cast, user: User | None) -> Funnel:
        funnel, _ = Funnel.objects.get_or_create(
            name=f"{where} funnel",
            defaults={
                "site": _site(where)(cast, user),
                "steps": [{"kind": "page", "match": "/a"}, {"kind": "page", "match": "/b"}],
            },
        )
        return funnel

    return build


def _link(where: str):
    def build(cast: Cast, user: User | None) -> FrictionEvidence:
        link, _ = FrictionEvidence.objects.get_or_create(
            site=_site(where)(cast, user),
            initiative=getattr(cast, f"{where}_initiative"),
            signal="dead_click",
            path="/cart",
            selector="button#pay",
        )
        return link

    return build


def _pk(builder):
    return lambda cast, user: [builder(cast, user).pk]


def _site_data(where: str, name: str):
    return lambda cast, user: {
        "product": getattr(cast, f"{where}_product").pk,
        "name": name,
        "allowed_origins": "https://app.example.com",
        "retention_days": "90",
    }


def _edit_data(name: str):
    return lambda cast, user: {"name": name, "allowed_origins": "", "retention_days": "30"}


def _funnel_data(cast: Cast, user: User | None) -> dict:
    return {"name": "Cart to paid", "steps": "/cart\n/checkout\nevent:paid", "window_hours": "24"}


def _evidence_data(where: str):
    return lambda cast, user: {
        "initiative": getattr(cast, f"{where}_initiative").pk,
        "signal": "rage_click",
        "path": "/checkout",
        "selector": "button#pay",
        "users": "3",
    }


LEADERS_ONLY_ACTION = _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE)
LEADERS_ONLY_PAGE = _expect(stakeholder=403, pm=403)


def _kpi_data(where: str):
    def build(cast: Cast, user: User | None) -> dict:
        from northstar.strategy.models import Metric

        metric, _ = Metric.objects.get_or_create(
            key=f"{where}_events_kpi",
            defaults={"name": f"{where} events KPI", "line": getattr(cast, f"{where}_line")},
        )
        return {"metric": metric.pk, "measure": "weekly_active_people"}

    return build


WEB_CASES = [
    Case(
        "analytics:kpi_publish",
        "post",
        WRITERS_ACTION,
        args=_pk(_site("home")),
        data=_kpi_data("home"),
        label="home",
    ),
    Case(
        "analytics:kpi_publish",
        "post",
        LEADERS_ONLY_ACTION,
        args=_pk(_site("home")),
        data=_kpi_data("away"),
        label="away",
    ),
    Case("analytics:index", "get", READ),
    Case("analytics:site_create", "get", WRITERS_PAGE),
    Case("analytics:site_create", "post", WRITERS_ACTION, data=_site_data("home", "New site"), label="home"),
    Case(
        "analytics:site_create",
        "post",
        _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE),
        data=_site_data("away", "New site"),
        label="away",
    ),
    Case("analytics:site_detail", "get", READ, args=_pk(_site("away"))),
    Case("analytics:site_edit", "get", WRITERS_PAGE, args=_pk(_site("home")), label="home"),
    Case("analytics:site_edit", "get", LEADERS_ONLY_PAGE, args=_pk(_site("away")), label="away"),
    Case(
        "analytics:site_edit",
        "post",
        WRITERS_ACTION,
        args=_pk(_site("home")),
        data=_edit_data("Renamed"),
        label="home",
    ),
    Case(
        "analytics:site_edit",
        "post",
        LEADERS_ONLY_ACTION,
        args=_pk(_site("away")),
        data=_edit_data("Renamed"),
        label="away",
    ),
    Case("analytics:site_import", "get", WRITERS_PAGE, args=_pk(_site("home")), label="home"),
    Case("analytics:site_import", "get", LEADERS_ONLY_PAGE, args=_pk(_site("away")), label="away"),
    Case("analytics:friction", "get", READ, args=_pk(_site("away"))),
    Case("analytics:person", "get", READ, args=_pk(_site("away"))),
    Case("analytics:funnel_create", "get", WRITERS_PAGE, args=_pk(_site("home")), label="home"),
    Case(
        "analytics:funnel_create",
        "post",
        WRITERS_ACTION,
        args=_pk(_site("home")),
        data=_funnel_data,
        label="home",
    ),
    Case(
        "analytics:funnel_create",
        "post",
        LEADERS_ONLY_ACTION,
        args=_pk(_site("away")),
        data=_funnel_data,
        label="away",
    ),
    Case("analytics:funnel_detail", "get", READ, args=_pk(_funnel("away"))),
    Case(
        "analytics:funnel_delete",
        "get",
        _expect(stakeholder=405, pm=405, leader=405, admin=405),
        args=_pk(_funnel("home")),
    ),
    Case("analytics:funnel_delete", "post", WRITERS_ACTION, args=_pk(_funnel("home")), label="home"),
    Case("analytics:funnel_delete", "post", LEADERS_ONLY_ACTION, args=_pk(_funnel("away")), label="away"),
    Case(
        "analytics:evidence_link",
        "post",
        WRITERS_ACTION,
        args=_pk(_site("home")),
        data=_evidence_data("home"),
        label="home",
    ),
    Case(
        "analytics:evidence_link",
        "post",
        LEADERS_ONLY_ACTION,
        args=_pk(_site("home")),
        data=_evidence_data("away"),
        label="away",
    ),
    Case("analytics:evidence_unlink", "post", WRITERS_ACTION, args=_pk(_link("home")), label="home"),
    Case("analytics:evidence_unlink", "post", LEADERS_ONLY_ACTION, args=_pk(_link("away")), label="away"),
]
