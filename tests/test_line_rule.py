"""One rule for product lines, checked by every service that writes: a product manager is refused any
change to what belongs to a line they are not in, however they reach it (web, API, CLI or another
service), evidence links included (they re-score the idea).

Every public service with an `actor` in the modules below must appear here: in CASES (a call on the
other line's records, which must be refused) or in NOT_LINE_BOUND with the reason it is not.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from importlib import import_module
from typing import Any

import pytest

from northstar.core.errors import PermissionDenied
from northstar.feedback.models import EvidenceLink
from northstar.planning.models import Assumption, AssumptionKind, PlanRun
from northstar.portfolio.models import Dependency, Initiative, Stage
from northstar.strategy.models import Alignment, MetricValue
from tests import factories
from tests.conftest import Cast
from tests.feedback import factories as feedback_factories
from tests.market import factories as market_factories
from tests.planning.factories import make_quarters, make_scenario
from tests.strategy.factories import make_key_result, make_metric, make_objective

MODULES = [
    "northstar.org.services",
    "northstar.portfolio.services",
    "northstar.portfolio.scoring",
    "northstar.portfolio.governance",
    "northstar.strategy.services",
    "northstar.strategy.metrics",
    "northstar.strategy.metric_values",
    "northstar.planning.services",
    "northstar.planning.plans",
    "northstar.feedback.services",
    "northstar.feedback.portal_services",
    "northstar.people.services",
    "northstar.people.hiring",
    "northstar.people.growth",
    "northstar.market.services",
    "northstar.market.imports",
    "northstar.analytics.services",
    "northstar.analytics.ingest",
    "northstar.home.services",
    "northstar.reports.services",
]

#: Writes that belong to no product line, and why.
NOT_LINE_BOUND = {
    # The shape of the organisation and the portfolio's rules: leaders (or admins) only.
    **dict.fromkeys(
        [
            "line_create",
            "line_update",
            "line_delete",
            "person_create",
            "person_update",
            "person_delete",
            "criterion_create",
            "criterion_update",
            "criterion_delete",
            "frameworks_activate",
            "gate_update",
            "gates_set",
            "gates_adopt_suggested",
            "period_create",
            "vision_save",
            "budget_set",
            "capacity_derive",
            "periods_ensure",
            "scenario_make_primary",
            "share_link_create",
            "share_link_revoke",
            "change_reason_set",
            "roadmap_publish",
            "board_create",
            "widget_site_create",
            "customer_delete",
            "feedback_delete",
        ],
        "leaders only",
    ),
    # The organisation's shared customer voice: every writer may add to it and sort it.
    **dict.fromkeys(
        [
            "customer_create",
            "customer_update",
            "contact_create",
            "feedback_create",
            "feedback_set_status",
            "moderate",
            "changelog_create",
            "changelog_publish",
        ],
        "customer voice, shared by the whole organisation",
    ),
    # Market knowledge (segments, competitors, the matrix, deals, notes) is shared by the whole
    # organisation like the customer voice; leaders alone delete segments and competitors.
    **dict.fromkeys(
        [
            "segment_create",
            "segment_update",
            "estimate_add",
            "competitor_create",
            "competitor_update",
            "capability_create",
            "capability_update",
            "rating_set",
            "deal_create",
            "deals_import",
            "note_create",
            "note_update",
            "note_delete",
        ],
        "market knowledge, shared by the whole organisation",
    ),
    **dict.fromkeys(["segment_delete", "competitor_delete"], "leaders only"),
    # tests/portfolio/test_services.py::test_restaging_many_applies_each_ones_gates_and_approvals
    "initiatives_restage": "each goes through initiative_move's rule; a refusal is reported per initiative",
    "plan_compute": "the CLI and the demo loader plan as the system",
    "metric_values_import": "the CLI imports KPI values as the system",
    # People: the career framework and review cycles are the leaders'; assessments follow the reporting
    # line (the person, their manager chain, the author), never a product line (see people.access).
    **dict.fromkeys(
        [
            "competency_create",
            "competency_update",
            "level_update",
            "expectation_set",
            "framework_install",
            "cycle_open",
            "cycle_start_calibration",
            "cycle_sign_off",
            "cycle_remind",
            "review_calibrate",
        ],
        "leaders only",
    ),
    **dict.fromkeys(
        ["feedback_request", "feedback_submit", "feedback_for_author"],
        "reviews follow the reporting line, not product lines",
    ),
    **dict.fromkeys(["requisition_create", "requisition_set_status", "headcount_set"], "leaders only"),
    **dict.fromkeys(
        [
            "candidate_add",
            "candidate_move",
            "interview_plan",
            "scorecard_submit",
            "decision_propose",
            "decision_decide",
            "offer_outcome",
        ],
        "a requisition's hiring team and the product leader, whatever their lines (people.access)",
    ),
    **dict.fromkeys(
        [
            "plan_create",
            "goal_add",
            "goal_check_in",
            "one_on_one_start",
            "agenda_add",
            "action_add",
            "action_done",
            "meeting_held",
            "private_note_add",
            "mentoring_start",
            "mentoring_note_add",
        ],
        "growth and 1:1s follow the reporting line; 1:1s and mentoring are the pair's alone",
    ),
    # Discussion: whoever reads a record may talk about it; a comment changes nothing of the line's.
    **dict.fromkeys(
        ["comment_create", "comment_update", "comment_delete", "require_comment_edit"],
        "a conversation about the record, not a change to it (its author or a leader edits it)",
    ),
    # Reports: packs, their share links and the slide template speak for the whole portfolio.
    **dict.fromkeys(
        [
            "pack_create",
            "pack_update",
            "pack_issue_start",
            "pack_issue",
            "pack_delete",
            "pack_share_link_create",
            "pack_share_link_revoke",
            "slide_template_upload",
            "slide_template_clear",
        ],
        "leaders only",
    ),
    "pack_freeze": "no check by design: the issue job (pack_issue_start checked), the CLI and the demo",
    "pack_issue_enqueue": "no check by design: pack_issue_start (which checks) and the demo loader",
    "notification_create": "tells people what another service did; `actor` is who did it",
    "notification_settings_set": "a person's own email choice",
    "follow_set": "a person's own choice to hear of an initiative they may read, on any line",
    "initiative_moved_notify": "tells followers what the move service did (that service keeps the rule)",
}


def _world(cast: Cast) -> dict[str, Any]:
    """Records of the line the PM is not in (the cast's away line)."""
    periods = make_quarters(2031, 2)
    scenario = make_scenario(periods, line=cast.away_line, name="Away plan")
    run = PlanRun.objects.create(scenario=scenario, status=PlanRun.Status.DONE, kind=PlanRun.Kind.EDITED)
    other = factories.make_initiative(title="Away other", product=cast.away_product)
    objective = make_objective(line=cast.away_line)
    metric = make_metric(line=cast.away_line)
    item = feedback_factories.make_item("Customers want it")
    return {
        "periods": periods,
        "scenario": scenario,
        "run": run,
        "assumption": Assumption.objects.create(
            scenario=scenario, kind=AssumptionKind.EXCLUDE, initiative=cast.away_initiative
        ),
        "dependency": Dependency.objects.create(initiative=cast.away_initiative, requires=other),
        "objective": objective,
        "key_result": make_key_result(objective=objective),
        "alignment": Alignment.objects.create(initiative=cast.away_initiative, objective=objective),
        "metric": metric,
        "point": MetricValue.objects.create(metric=metric, date=date(2031, 1, 5), value=3),
        "item": item,
        "link": EvidenceLink.objects.create(item=item, initiative=cast.away_initiative),
        "post": feedback_factories.make_post(),
        **_analytics_world(cast),
    }


def _analytics_world(cast: Cast) -> dict[str, Any]:
    from northstar.analytics.models import FrictionEvidence, Funnel, Site

    site = Site.objects.create(product=cast.away_product, name="Away app", key="ns_a_away_rule")
    steps = [{"kind": "page", "match": "/a"}, {"kind": "page", "match": "/b"}]
    return {
        "site": site,
        "funnel": Funnel.objects.create(site=site, name="Away funnel", steps=steps),
        "friction_link": FrictionEvidence.objects.create(
            site=site, initiative=cast.away_initiative, signal="dead_click", path="/a"
        ),
    }


Case = Callable[[Cast, dict[str, Any]], dict[str, Any]]

CASES: dict[str, Case] = {
    # Products and teams
    "product_create": lambda c, w: {"line_id": c.away_line.pk, "name": "P"},
    "product_update": lambda c, w: {"product": c.away_product, "name": "P"},
    "product_delete": lambda c, w: {"product": c.away_product},
    "team_create": lambda c, w: {"line_id": c.away_line.pk, "name": "T"},
    "team_update": lambda c, w: {"team": c.away_team, "skills": []},
    "team_delete": lambda c, w: {"team": c.away_team},
    # Initiatives and what hangs off them
    "initiative_create": lambda c, w: {"title": "X", "product_id": c.away_product.pk},
    "initiative_update": lambda c, w: {"initiative": c.away_initiative, "title": "X"},
    "initiative_move": lambda c, w: {"initiative": c.away_initiative, "stage": Stage.DISCOVERY},
    "initiative_delete": lambda c, w: {"initiative": c.away_initiative},
    "scoring_update": lambda c, w: {"initiative": c.away_initiative, "reach": 1000},
    "estimate_set": lambda c, w: {"initiative": c.away_initiative, "lines": []},
    "decision_record": lambda c, w: {"initiative": c.away_initiative, "title": "T", "decision": "D"},
    "dependency_add": lambda c, w: {"initiative": c.away_initiative, "other_id": c.home_initiative.pk},
    "dependency_remove": lambda c, w: {"dependency": w["dependency"], "initiative": c.away_initiative},
    "log_stage_change": lambda c, w: {
        "initiative": c.away_initiative,
        "from_stage": Stage.IDEA,
        "to_stage": Stage.DISCOVERY,
    },
    "link_create": lambda c, w: {"item": w["item"], "initiative": c.away_initiative, "quote": "Customers"},
    "link_delete": lambda c, w: {"link": w["link"]},
    "idea_from_feedback": lambda c, w: {"item": w["item"], "title": "Idea", "product_id": c.away_product.pk},
    "feedback_triage_many": lambda c, w: {"items": [w["item"]], "initiative": c.away_initiative},
    "idea_from_feedback_many": lambda c, w: {
        "items": [w["item"]],
        "title": "Idea",
        "product_id": c.away_product.pk,
    },
    "post_update": lambda c, w: {"post": w["post"], "initiative": c.away_initiative},
    "alignment_create": lambda c, w: {"initiative": c.away_initiative, "objective": w["objective"]},
    "alignment_delete": lambda c, w: {"alignment": w["alignment"]},
    # Objectives, key results, KPIs
    "objective_create": lambda c, w: {
        "period_id": w["objective"].period_id,
        "title": "O",
        "line_id": c.away_line.pk,
    },
    "objective_update": lambda c, w: {"objective": w["objective"], "title": "O"},
    "objective_delete": lambda c, w: {"objective": w["objective"]},
    "key_result_create": lambda c, w: {"objective": w["objective"], "title": "K", "baseline": 1, "target": 2},
    "key_result_update": lambda c, w: {"key_result": w["key_result"], "title": "K"},
    "key_result_delete": lambda c, w: {"key_result": w["key_result"]},
    "check_in_create": lambda c, w: {"key_result": w["key_result"], "value": 15, "confidence": 5},
    "require_objective_edit": lambda c, w: {"objective": w["objective"]},
    "require_metric_edit": lambda c, w: {"metric": w["metric"]},
    "metric_create": lambda c, w: {"key": "away_kpi", "name": "KPI", "line_id": c.away_line.pk},
    "metric_update": lambda c, w: {"metric": w["metric"], "name": "KPI"},
    "metric_delete": lambda c, w: {"metric": w["metric"]},
    "metric_value_record": lambda c, w: {"metric": w["metric"], "date": date(2031, 2, 1), "value": 4},
    "metric_value_delete": lambda c, w: {"point": w["point"]},
    "metric_values_push": lambda c, w: {"metric": w["metric"], "points": [(date(2031, 2, 2), 5.0, "")]},
    # Capacity, scenarios and plans
    "capacity_set": lambda c, w: {
        "team": c.away_team,
        "skill": c.away_team.skills.first(),
        "period": w["periods"][0],
        "weeks": "5",
    },
    "scenario_create": lambda c, w: {
        "name": "S",
        "line": c.away_line,
        "first_period": w["periods"][0],
        "last_period": w["periods"][1],
    },
    "scenario_update": lambda c, w: {"scenario": w["scenario"], "name": "S2"},
    "scenario_delete": lambda c, w: {"scenario": w["scenario"]},
    "assumption_add": lambda c, w: {
        "scenario": w["scenario"],
        "kind": AssumptionKind.MANDATORY,
        "initiative": c.away_initiative,
    },
    "assumption_remove": lambda c, w: {"assumption": w["assumption"]},
    "plan_run_start": lambda c, w: {"scenario": w["scenario"]},
    "plan_edit": lambda c, w: {"run": w["run"], "initiative": c.away_initiative, "action": "remove"},
    "plan_reoptimise": lambda c, w: {"run": w["run"]},
    # Market evidence for ideas (a loss reason feeds the idea's demand; a segment it serves)
    "reason_link_create": lambda c, w: {
        "reason": market_factories.lost_reason(),
        "initiative": c.away_initiative,
    },
    "reason_link_delete": lambda c, w: {"link": market_factories.reason_link(c.away_initiative)},
    "segment_serves_set": lambda c, w: {
        "segment": market_factories.make_segment(),
        "objective_ids": [],
        "initiative_ids": [c.away_initiative.pk],
    },
    # Analytics: sites, imports and funnels follow the site's product line; evidence the initiative's
    "site_create": lambda c, w: {"product": c.away_product, "name": "S"},
    "site_update": lambda c, w: {"site": w["site"], "name": "S2"},
    "events_import": lambda c, w: {"site": w["site"], "text": "at,type,visitor,path\n"},
    "funnel_create": lambda c, w: {"site": w["site"], "name": "F", "steps": w["funnel"].steps},
    "funnel_delete": lambda c, w: {"funnel": w["funnel"]},
    "evidence_link": lambda c, w: {
        "site": w["site"],
        "initiative": c.away_initiative,
        "signal": "rage_click",
        "path": "/b",
    },
    "evidence_unlink": lambda c, w: {"link": w["friction_link"]},
    # Reports: a line's status is posted by its people (director, owners, team members) and leaders
    "status_update_create": lambda c, w: {
        "line": c.away_line,
        "period": w["periods"][0],
        "status": "at_risk",
        "override_reason": "Partner slipped",
    },
    "kpi_publish": lambda c, w: {"site": w["site"], "metric": w["metric"], "measure": "weekly_active_people"},
}


def _services() -> dict[str, Callable[..., Any]]:
    found = {}
    for name in MODULES:
        module = import_module(name)
        for attr, fn in inspect.getmembers(module, inspect.isfunction):
            if (
                fn.__module__ == name
                and not attr.startswith("_")
                and "actor" in inspect.signature(fn).parameters
            ):
                found[attr] = fn
    return found


def test_every_writing_service_is_in_the_line_rule_table() -> None:
    services = _services()
    unlisted = sorted(set(services) - set(CASES) - set(NOT_LINE_BOUND))
    assert unlisted == [], "add each to CASES (refused on another line) or NOT_LINE_BOUND (and why)"
    assert sorted(set(CASES) - set(services)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_pm_is_refused_every_write_on_another_line(cast: Cast, name: str) -> None:
    world = _world(cast)
    service = _services()[name]
    counts = (Initiative.objects.count(), EvidenceLink.objects.count(), Dependency.objects.count())
    with pytest.raises(PermissionDenied):
        service(actor=cast.pm, **CASES[name](cast, world))
    assert counts == (Initiative.objects.count(), EvidenceLink.objects.count(), Dependency.objects.count())


def test_the_same_pm_may_do_it_on_their_own_line(cast: Cast) -> None:
    """The refusals above are about the line, not the PM: their own line's evidence links work."""
    from northstar.feedback import services as feedback_services

    item = feedback_factories.make_item("Customers want it")
    link = feedback_services.link_create(actor=cast.pm, item=item, initiative=cast.home_initiative)
    feedback_services.link_delete(actor=cast.pm, link=link)
    assert not EvidenceLink.objects.exists()


def test_evidence_links_of_another_line_are_refused_over_the_api(cast: Cast) -> None:
    from tests.test_api import bearer, send

    item = feedback_factories.make_item("Customers want it")
    theirs = EvidenceLink.objects.create(item=item, initiative=cast.away_initiative)
    api = bearer(cast.pm)
    added = send(api, "post", f"/api/v1/feedback/{item.pk}/links", {"initiative_id": cast.away_initiative.pk})
    assert added.status_code == 403 and "product lines you belong to" in added.json()["message"]
    removed = send(api, "delete", f"/api/v1/links/{theirs.pk}")
    assert removed.status_code == 403
    assert EvidenceLink.objects.filter(pk=theirs.pk).exists()
    own = send(api, "post", f"/api/v1/feedback/{item.pk}/links", {"initiative_id": cast.home_initiative.pk})
    assert own.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "leader", "pm", "stakeholder"])
def test_the_line_rule_as_a_filter_agrees_with_the_rule_record_by_record(cast: Cast, role: str) -> None:
    """Pickers narrow lists with `LineScope.where`: it must pick exactly what `allows` allows."""
    from northstar.org.access import line_scope
    from northstar.portfolio.permissions import can_edit_initiative, editable_initiatives

    factories.make_initiative(title="Own, no line", owner=cast.pm_person, product=None)
    factories.make_initiative(title="Someone else's, no line", product=None)
    factories.make_initiative(title="Own, other line", owner=cast.pm_person, product=cast.away_product)
    user = cast.user(role)
    scope = line_scope(user)
    filtered = set(editable_initiatives(user, Initiative.objects.all()).values_list("title", flat=True))
    everything = list(Initiative.objects.select_related("product"))
    allowed = {
        i.title
        for i in everything
        if scope.allows(i.product.line_id if i.product else None, owner_id=i.owner_id)
    }
    assert filtered == allowed
    assert allowed == {
        i.title for i in everything if can_edit_initiative(user, product_id=i.product_id, owner_id=i.owner_id)
    }
