"""Plans are discussed where they are read: a thread on the plan page, with @mentions, for the
people who may see draft plans."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.core.errors import PermissionDenied
from northstar.home import services
from northstar.home.models import Notification
from northstar.planning.models import PlanRun, Scenario
from northstar.strategy.models import PlanningPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(cast):
    period = PlanningPeriod.objects.create(name="2031-Q1", start="2031-01-01", end="2031-03-31")
    scenario = Scenario.objects.create(name="Base case", first_period=period, last_period=period)
    return PlanRun.objects.create(scenario=scenario, created_by=cast.leader)


def test_a_plan_comment_mentions_a_colleague_and_links_to_the_plan(cast, login, run):
    client = login(cast.pm)
    url = reverse("home:comments", args=["plan", run.pk])
    response = client.post(url, {"body": "@leader can we pull checkout in?"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "can we pull checkout in?" in response.content.decode()
    note = Notification.objects.get(recipient=cast.leader, kind=Notification.Kind.MENTION)
    assert note.title == f"pm mentioned you on plan {run.pk} of “Base case”"
    assert note.url.startswith(reverse("planning:plan_detail", args=[run.pk]))


def test_stakeholders_neither_read_nor_join_a_draft_plans_thread(cast, login, run):
    response = login(cast.stakeholder).get(
        reverse("home:comments", args=["plan", run.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=cast.stakeholder, target="plan", target_id=run.pk, body="Hi")


def test_a_decision_has_its_own_page_with_a_discussion(cast, login):
    from django.utils import timezone

    from northstar.portfolio.models import Decision

    decision = Decision.objects.create(
        initiative=cast.home_initiative,
        title="Build sync in-house",
        decision="We build the sync engine.",
        decided_on=timezone.localdate(),
    )
    client = login(cast.stakeholder)
    page = client.get(reverse("portfolio:decision_detail", args=[decision.pk])).content.decode()
    assert "Build sync in-house" in page and reverse("home:comments", args=["decision", decision.pk]) in page
    log = client.get(reverse("portfolio:decisions")).content.decode()
    assert reverse("portfolio:decision_detail", args=[decision.pk]) in log
    client.post(reverse("home:comments", args=["decision", decision.pk]), {"body": "Why not buy? @pm"})
    note = Notification.objects.get(recipient=cast.pm, kind=Notification.Kind.MENTION)
    assert note.title == "stakeholder mentioned you on the decision “Build sync in-house”"
    assert note.url.startswith(reverse("portfolio:decision_detail", args=[decision.pk]))
