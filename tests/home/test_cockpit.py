"""Home as the leader's cockpit: each panel finds what needs attention, links to it, and fits the role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from northstar.core.models import AuditEntry
from northstar.home import cockpit
from northstar.home.models import Visit
from northstar.planning.models import ChangeKind, Roadmap, RoadmapChange
from northstar.portfolio.models import ApprovalRequest, Approver, Dependency, Stage
from northstar.strategy.models import CheckIn, KeyResult
from tests import factories
from tests.feedback.factories import make_item, make_theme
from tests.strategy.factories import make_key_result, make_metric, make_objective, make_period, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter():
    today = timezone.localdate()
    return make_period(name="Now", start=today - timedelta(days=60), end=today + timedelta(days=30))


def _objective(quarter, *, title, current, confidence=None, checked_in=True, **kw):
    objective = make_objective(period=quarter, title=title, **kw)
    kr = make_key_result(
        objective=objective, baseline=0.0, target=100.0, current=current, confidence=confidence
    )
    if checked_in:
        CheckIn.objects.create(key_result=kr, value=current, confidence=confidence or 7)
    return objective


def test_objective_behind_time_is_at_risk_and_one_on_track_is_not(cast, login, quarter):
    behind = _objective(quarter, title="Grow self-serve", current=10.0)
    _objective(quarter, title="Cut churn", current=90.0)

    page = login(cast.leader).get(reverse("core:home")).content.decode()

    assert "Grow self-serve" in page
    assert reverse("strategy:objective_detail", args=[behind.pk]) in page
    assert "10% done with" in page
    assert "Cut churn" not in page


def test_low_confidence_and_stale_check_ins_put_an_objective_at_risk(cast, quarter):
    unsure = _objective(quarter, title="Unsure", current=90.0, confidence=3)
    quiet = _objective(quarter, title="Quiet", current=90.0, checked_in=False)
    KeyResult.objects.filter(objective=quiet).update(created_at=timezone.now() - timedelta(days=30))

    risks = {r.objective.pk: r for r in cockpit.objectives_at_risk(cockpit.outlook_for(cast.leader))}

    assert risks[unsure.pk].reasons == ["confidence 3.0/10"]
    assert risks[quiet.pk].stale == 1
    assert "not checked in" in risks[quiet.pk].reasons[0]


def test_a_pm_sees_objectives_of_their_lines_a_stakeholder_the_whole_picture(cast, login, quarter):
    _objective(quarter, title="Home line goal", current=5.0, line=cast.home_line)
    _objective(quarter, title="Away line goal", current=5.0, line=cast.away_line)

    pm_page = login(cast.pm).get(reverse("core:home")).content.decode()
    assert "Home line goal" in pm_page
    assert "Away line goal" not in pm_page

    stakeholder_page = login(cast.stakeholder).get(reverse("core:home")).content.decode()
    assert "Home line goal" in stakeholder_page and "Away line goal" in stakeholder_page


def test_a_new_kpi_anomaly_is_listed_with_a_link(cast, login):
    metric = make_metric(name="Weekly signups", direction="up")
    values = [100.0 + (i % 3) for i in range(60)] + [40.0]
    make_series(metric, values, start=timezone.localdate() - timedelta(weeks=60))
    old = make_metric(name="Old news")
    make_series(old, [100.0 + (i % 3) for i in range(30)] + [40.0] + [100.0 + (i % 3) for i in range(30)])

    page = login(cast.leader).get(reverse("core:home")).content.decode()

    assert "Weekly signups" in page
    assert reverse("strategy:metric_detail", args=[metric.pk]) in page
    assert "bad news" in page
    assert "Old news" not in page  # flagged, but months before its newest value


def test_slipped_and_blocked_roadmap_items_are_listed(cast, login):
    roadmap = Roadmap.objects.create(title="Roadmap December", published_on=timezone.localdate())
    RoadmapChange.objects.create(
        roadmap=roadmap,
        initiative=cast.home_initiative,
        title=cast.home_initiative.title,
        kind=ChangeKind.SLIPPED,
        before="2030-Q1",
        after="2030-Q2",
        shift=1,
    )
    waiting = factories.make_initiative(
        title="Checkout v2", product=cast.away_product, stage=Stage.IN_DELIVERY
    )
    prerequisite = factories.make_initiative(
        title="Payments API", product=cast.away_product, stage=Stage.DISCOVERY
    )
    done = factories.make_initiative(title="Old API", product=cast.away_product, stage=Stage.LAUNCHED)
    Dependency.objects.create(initiative=waiting, requires=prerequisite)
    Dependency.objects.create(initiative=waiting, requires=done)

    page = login(cast.leader).get(reverse("core:home")).content.decode()

    assert "2030-Q1 → 2030-Q2" in page
    assert reverse("portfolio:detail", args=[cast.home_initiative.pk]) in page
    blocked = cockpit.blocked_work(cockpit.outlook_for(cast.leader))
    assert [(b.initiative.title, b.requires.title) for b in blocked] == [("Checkout v2", "Payments API")]
    assert "Payments API" in page
    # a PM of the home line sees their slip, not the away line's blocked work
    pm_page = login(cast.pm).get(reverse("core:home")).content.decode()
    assert "2030-Q1 → 2030-Q2" in pm_page
    assert "Checkout v2" not in pm_page


def test_new_themes_and_demand_spikes(cast, login):
    spiking = make_theme("Bulk export")
    for days in (0, 1, 2, 3, 4, 200):
        make_item(theme=spiking, received_at=timezone.now() - timedelta(days=days))
    steady = make_theme("Dark mode")
    for days in (0, 40, 60, 80, 100, 110, 115):
        make_item(theme=steady, received_at=timezone.now() - timedelta(days=days))
    fresh = make_theme("SSO for contractors")
    for days in (3, 5, 9):
        make_item(theme=fresh, received_at=timezone.now() - timedelta(days=days))
    lone = make_theme("A single remark")
    make_item(theme=lone, received_at=timezone.now() - timedelta(days=3))
    renamed_by_a_recluster = make_theme("Old topic, new name")  # made today, raised for months
    for days in (90, 150):
        make_item(theme=renamed_by_a_recluster, received_at=timezone.now() - timedelta(days=days))

    signals = {s.theme.name: s for s in cockpit.theme_signals()}

    assert signals["Bulk export"].is_spike and not signals["Bulk export"].is_new
    assert "Dark mode" not in signals
    assert "Old topic, new name" not in signals
    assert "A single remark" not in signals
    assert signals["SSO for contractors"].is_new and not signals["SSO for contractors"].is_spike
    page = login(cast.stakeholder).get(reverse("core:home")).content.decode()
    assert reverse("feedback:theme_detail", args=[fresh.pk]) in page
    assert reverse("feedback:theme_detail", args=[spiking.pk]) in page


def test_approvals_waiting_show_for_the_approver_not_the_stakeholder(cast, login):
    ApprovalRequest.objects.create(
        initiative=cast.home_initiative,
        from_stage=Stage.DISCOVERY,
        to_stage=Stage.PLANNED,
        approver=Approver.LEADER,
        why_needed="Planned needs a leader's yes",
        requested_by=cast.pm,
    )

    leader_page = login(cast.leader).get(reverse("core:home")).content.decode()
    assert "Approvals waiting for you" in leader_page
    assert "Discovery → Planned" in leader_page

    stakeholder_page = login(cast.stakeholder).get(reverse("core:home")).content.decode()
    assert "Approvals waiting for you" not in stakeholder_page


def _audit(record, actor, **kw):
    return AuditEntry.objects.create(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        record_type=f"{record._meta.app_label}.{record._meta.model_name}",
        record_id=str(record.pk),
        record_repr=str(record),
        changes={"title": ["a", "b"]},
        **kw,
    )


def test_changes_since_last_visit_until_marked_seen(cast, login):
    _audit(cast.home_initiative, cast.admin)
    _audit(cast.away_initiative, cast.admin)
    _audit(cast.home_initiative, cast.leader)  # my own change is not news to me

    client = login(cast.leader)
    rows, count = cockpit.changes_since(
        cast.leader, cockpit.outlook_for(cast.leader), since=cockpit.last_visit(cast.leader)
    )
    assert count == 2
    assert {r.url for r in rows} == {
        reverse("portfolio:detail", args=[cast.home_initiative.pk]),
        reverse("portfolio:detail", args=[cast.away_initiative.pk]),
    }

    response = client.post(reverse("home:seen"))
    assert response.status_code == 302
    assert Visit.objects.get(user=cast.leader).seen_at <= timezone.now()
    page = client.get(reverse("core:home")).content.decode()
    assert "Nothing changed since then." in page


def test_a_pm_sees_changes_to_their_lines_only(cast):
    _audit(cast.home_initiative, cast.admin)
    _audit(cast.away_initiative, cast.admin)

    rows, count = cockpit.changes_since(
        cast.pm, cockpit.outlook_for(cast.pm), since=cockpit.last_visit(cast.pm)
    )

    assert count == 1
    assert rows[0].title == cast.home_initiative.title


def test_a_stakeholder_sees_published_roadmap_changes_not_the_audit_log(cast, login):
    _audit(cast.home_initiative, cast.admin)
    roadmap = Roadmap.objects.create(title="Roadmap January", published_on=timezone.localdate())
    RoadmapChange.objects.create(roadmap=roadmap, title="Offline mode", kind=ChangeKind.ADDED)

    rows, count = cockpit.changes_since(
        cast.stakeholder, cockpit.outlook_for(cast.stakeholder), since=cockpit.last_visit(cast.stakeholder)
    )

    assert count == 1
    assert (rows[0].title, rows[0].what, rows[0].who) == ("Offline mode", "added", "Roadmap January")


def test_reading_home_writes_nothing(cast, login):
    client = login(cast.leader)
    client.get(reverse("core:home"))
    assert not Visit.objects.exists()


#: What home may cost in queries for any role (leader 20, PM 21, stakeholder 18 on the large demo).
HOME_QUERIES = 22


def _world(cast, quarter, n, offset=0):
    for i in range(offset, offset + n):
        line = cast.home_line if i % 2 else cast.away_line
        _objective(quarter, title=f"Goal {i}", current=5.0, confidence=3, line=line)
        theme = make_theme(f"Theme {i}")
        make_item(theme=theme)
        _audit(factories.make_initiative(product=cast.home_product), cast.admin)
        metric = make_metric(name=f"KPI {i}", line=line)
        make_series(metric, [10.0] * 20 + [30.0], start=timezone.localdate() - timedelta(weeks=21))


@pytest.mark.parametrize("role", ["leader", "pm", "stakeholder"])
def test_home_costs_a_fixed_number_of_queries(cast, login, quarter, role, django_assert_max_num_queries):
    client = login(cast.user(role))
    _world(cast, quarter, 2)
    with django_assert_max_num_queries(HOME_QUERIES) as small:
        assert client.get(reverse("core:home")).status_code == 200
    _world(cast, quarter, 12, offset=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("core:home")).status_code == 200


def test_home_builds_records_only_for_what_its_panels_show(cast, login):
    """The large demo has 600 themes: home made a throw-away Theme for every one of them per request
    (a third of its time). Now only themes that are news are read, and the blocked panel reads its
    rows and its count, not every dependency."""
    from django.db.models.signals import pre_init

    from northstar.feedback.models import Theme

    for i in range(40):
        make_item(theme=make_theme(f"Quiet theme {i}"), received_at=timezone.now() - timedelta(days=2))
    made = []

    def count(sender, **kwargs):
        made.append(sender)

    pre_init.connect(count, sender=Theme)
    try:
        assert login(cast.stakeholder).get(reverse("core:home")).status_code == 200
    finally:
        pre_init.disconnect(count, sender=Theme)
    assert made == []


def test_blocked_work_counts_all_of_it_and_lists_a_panel_of_it(cast, login):
    prerequisite = factories.make_initiative(
        title="Payments API", product=cast.away_product, stage=Stage.IDEA
    )
    for i in range(cockpit.PANEL_ROWS + 3):
        waiting = factories.make_initiative(
            title=f"Waiting {i}", product=cast.away_product, stage=Stage.PLANNED
        )
        Dependency.objects.create(initiative=waiting, requires=prerequisite)
    launched = factories.make_initiative(title="Shipped", product=cast.away_product, stage=Stage.LAUNCHED)
    Dependency.objects.create(
        initiative=factories.make_initiative(title="Fine", product=cast.away_product, stage=Stage.PLANNED),
        requires=launched,
    )
    board = cockpit.cockpit(cast.leader)
    assert board.blocked_count == cockpit.PANEL_ROWS + 3
    assert len(board.blocked_shown) == cockpit.PANEL_ROWS
    assert "Fine" not in {b.initiative.title for b in board.blocked}
