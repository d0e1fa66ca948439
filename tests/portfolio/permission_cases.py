"""Prioritisation routes of the portfolio area in the permission matrix (see tests/permissions.py).

The portfolio's core routes (list, detail, create, edit, move) are in tests/test_permission_matrix.py.
Gates, active frameworks and the weighted model's criteria are changed by admins only; scores,
estimates, dependencies and decisions by whoever may change the initiative.
"""

from __future__ import annotations

from decimal import Decimal

from northstar.portfolio.models import ApprovalRequest, Approver, Dependency, ScoringCriterion, Stage
from tests.permissions import (
    DONE,
    LEADERS_ACTION,
    LEADERS_PAGE,
    READ,
    WRITERS_ACTION,
    WRITERS_PAGE,
    Case,
    _expect,
    _pk,
)

ADMINS_PAGE = _expect(stakeholder=403, pm=403, leader=403)
ADMINS_ACTION = _expect(stakeholder=403, pm=403, leader=403, admin=DONE)
NOT_GET = _expect(stakeholder=405, pm=405, leader=405, admin=405)


def _approval(attr: str):
    def build(cast, user):
        initiative = getattr(cast, attr)
        request = ApprovalRequest.objects.create(
            initiative=initiative,
            from_stage=initiative.stage,
            to_stage=Stage.DISCOVERY,
            approver=Approver.LEADER,
            why_needed="Discovery needs a leader's approval",
            requested_by=cast.leader,
        )
        return [request.pk]

    return build


_pending_approval = _approval("away_initiative")
_pending_approval_home = _approval("home_initiative")


def _both(cast, user):
    return {"ids": [cast.home_initiative.pk, cast.away_initiative.pk]}


def _scores(cast, user):
    return {"reach_source": "manual", "reach": "120", "impact": "2", "confidence": "80", "effort": "3"}


def _estimate(cast, user):
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-skill": "backend",
        "lines-0-low": "1",
        "lines-0-likely": "2",
        "lines-0-high": "4",
    }


def _dependency_on(attr: str):
    def build(cast, user):
        other = cast.away_initiative if attr == "home_initiative" else cast.home_initiative
        return {"kind": "requires", "other": other.pk}

    return build


def _existing_dependency(attr: str):
    def build(cast, user):
        mine = getattr(cast, attr)
        other = cast.away_initiative if attr == "home_initiative" else cast.home_initiative
        dependency = Dependency.objects.create(initiative=mine, requires=other)
        return [mine.pk, dependency.pk]

    return build


def _decision(cast, user):
    return {"title": "Go", "decision": "Build it", "decided_on": "2024-01-02"}


def _criterion(cast, user):
    criterion, _ = ScoringCriterion.objects.get_or_create(
        key="growth", defaults={"label": "Growth", "weight": Decimal("2")}
    )
    return [criterion.pk]


def _criterion_data(cast, user):
    return {
        "label": "Growth",
        "key": "growth",
        "weight": "3",
        "direction": "benefit",
        "minimum": "0",
        "maximum": "10",
    }


def _new_criterion(cast, user):
    return {"label": "Retention", "weight": "1", "direction": "benefit", "minimum": "0", "maximum": "5"}


def _existing_decision(cast, user) -> list[int]:
    from django.utils import timezone

    from northstar.portfolio.models import Decision

    decision = Decision.objects.create(
        initiative=cast.away_initiative,
        title="Build it",
        decision="We build it.",
        decided_on=timezone.localdate(),
    )
    return [decision.pk]


WEB_CASES = [
    Case("portfolio:ranked", "get", READ),
    Case("portfolio:ranked_csv", "get", READ),
    Case("portfolio:matrix", "get", READ),
    Case("portfolio:compare", "get", READ, data=_both),
    Case("portfolio:why", "get", READ, args=lambda cast, user: [cast.away_initiative.pk, "rice"]),
    Case("portfolio:scores", "get", WRITERS_PAGE, args=_pk("home_initiative"), label="home"),
    Case("portfolio:scores", "get", LEADERS_PAGE, args=_pk("away_initiative"), label="away"),
    Case("portfolio:scores", "post", WRITERS_ACTION, args=_pk("home_initiative"), data=_scores, label="home"),
    Case("portfolio:scores", "post", LEADERS_ACTION, args=_pk("away_initiative"), data=_scores, label="away"),
    Case("portfolio:score_inline", "get", NOT_GET, args=_pk("home_initiative")),
    Case(
        "portfolio:score_inline",
        "post",
        WRITERS_ACTION,
        args=_pk("home_initiative"),
        data=lambda cast, user: {"framework": "rice", "reach": "300"},
        label="home",
    ),
    Case(
        "portfolio:score_inline",
        "post",
        LEADERS_ACTION,
        args=_pk("away_initiative"),
        data=lambda cast, user: {"framework": "rice", "reach": "300"},
        label="away",
    ),
    Case("portfolio:estimate", "get", READ, args=_pk("away_initiative")),
    Case(
        "portfolio:estimate",
        "post",
        WRITERS_ACTION,
        args=_pk("home_initiative"),
        data=_estimate,
        label="home",
    ),
    Case(
        "portfolio:estimate",
        "post",
        LEADERS_ACTION,
        args=_pk("away_initiative"),
        data=_estimate,
        label="away",
    ),
    Case("portfolio:dependency_add", "get", NOT_GET, args=_pk("home_initiative")),
    Case(
        "portfolio:dependency_add",
        "post",
        WRITERS_ACTION,
        args=_pk("home_initiative"),
        data=_dependency_on("home_initiative"),
        label="home",
    ),
    Case(
        "portfolio:dependency_add",
        "post",
        LEADERS_ACTION,
        args=_pk("away_initiative"),
        data=_dependency_on("away_initiative"),
        label="away",
    ),
    Case("portfolio:dependency_remove", "get", NOT_GET, args=_existing_dependency("home_initiative")),
    Case(
        "portfolio:dependency_remove",
        "post",
        WRITERS_ACTION,
        args=_existing_dependency("home_initiative"),
        label="home",
    ),
    Case(
        "portfolio:dependency_remove",
        "post",
        LEADERS_ACTION,
        args=_existing_dependency("away_initiative"),
        label="away",
    ),
    Case("portfolio:dependency_graph", "get", READ),
    Case("portfolio:decisions", "get", READ),
    Case("portfolio:decision_detail", "get", READ, args=_existing_decision),
    Case("portfolio:decision_create", "get", WRITERS_PAGE, args=_pk("home_initiative"), label="home"),
    Case("portfolio:decision_create", "get", LEADERS_PAGE, args=_pk("away_initiative"), label="away"),
    Case(
        "portfolio:decision_create",
        "post",
        WRITERS_ACTION,
        args=_pk("home_initiative"),
        data=_decision,
        label="home",
    ),
    Case(
        "portfolio:decision_create",
        "post",
        LEADERS_ACTION,
        args=_pk("away_initiative"),
        data=_decision,
        label="away",
    ),
    Case("portfolio:gates", "get", READ),
    Case(
        "portfolio:gates", "post", ADMINS_ACTION, data=lambda cast, user: {"discovery": ["problem_statement"]}
    ),
    Case("portfolio:gates_suggested", "get", NOT_GET),
    Case("portfolio:gates_suggested", "post", ADMINS_ACTION),
    Case("portfolio:scoring_settings", "get", READ),
    Case(
        "portfolio:scoring_settings",
        "post",
        ADMINS_ACTION,
        data=lambda cast, user: {"active": ["rice", "ice"]},
    ),
    Case("portfolio:criterion_create", "get", ADMINS_PAGE),
    Case("portfolio:criterion_create", "post", ADMINS_ACTION, data=_new_criterion),
    Case("portfolio:criterion_edit", "get", ADMINS_PAGE, args=_criterion),
    Case("portfolio:criterion_edit", "post", ADMINS_ACTION, args=_criterion, data=_criterion_data),
    Case("portfolio:criterion_delete", "get", NOT_GET, args=_criterion),
    Case("portfolio:criterion_delete", "post", ADMINS_ACTION, args=_criterion),
    # many at once: archiving asks first; the archive itself is each initiative's own rule
    Case("portfolio:bulk", "get", NOT_GET),
    Case(
        "portfolio:bulk",
        "post",
        WRITERS_PAGE,
        data=lambda c, u: {"ids": [c.home_initiative.pk], "action": "archive"},
        label="archive asks",
    ),
    Case(
        "portfolio:bulk",
        "post",
        WRITERS_ACTION,
        data=lambda c, u: {"ids": [c.home_initiative.pk], "action": "archive", "confirm": "yes"},
        label="archive home",
    ),
    Case(
        "portfolio:bulk",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"ids": [c.away_initiative.pk], "action": "archive", "confirm": "yes"},
        label="archive away",
    ),
    # approvals: everyone reads what waits; a leader (or the line's director) decides; who may change
    # the initiative may withdraw; leaders say who approves which stage
    Case("portfolio:approvals", "get", READ),
    Case("portfolio:approval_approve", "get", NOT_GET, args=_pending_approval),
    Case("portfolio:approval_approve", "post", LEADERS_ACTION, args=_pending_approval),
    Case(
        "portfolio:approval_reject",
        "post",
        LEADERS_ACTION,
        args=_pending_approval,
        data=lambda c, u: {"reason": "Not this quarter"},
    ),
    Case("portfolio:approval_withdraw", "post", LEADERS_ACTION, args=_pending_approval, label="away"),
    Case("portfolio:approval_withdraw", "post", WRITERS_ACTION, args=_pending_approval_home, label="home"),
    Case(
        "portfolio:approval_rules",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"approver-planned": "leader", "above-planned": ""},
    ),
]
