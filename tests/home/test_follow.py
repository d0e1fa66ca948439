"""Following an initiative: its stage moves and its changes on a newly published roadmap reach the
people who follow it, not the person who made the change."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from northstar.home import services
from northstar.home.models import Follow, Notification
from northstar.planning.models import ChangeKind, Roadmap, RoadmapChange
from northstar.portfolio import services as portfolio_services
from northstar.portfolio.models import Stage

pytestmark = pytest.mark.django_db


def _told(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=Notification.Kind.ROADMAP_CHANGE).values_list(
            "title", flat=True
        )
    )


def test_the_follow_button_follows_and_unfollows(cast, login):
    client = login(cast.stakeholder)
    url = reverse("home:follow", args=[cast.home_initiative.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-pressed="false"' in html and ">Follow<" in html
    html = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "Following" in html and 'aria-pressed="true"' in html
    assert Follow.objects.filter(user=cast.stakeholder, initiative=cast.home_initiative).exists()
    client.post(url, {"follow": "0"}, headers={"HX-Request": "true"})
    assert not Follow.objects.filter(user=cast.stakeholder).exists()


def test_a_stage_move_tells_followers_but_not_the_mover(cast):
    services.follow_set(actor=cast.stakeholder, initiative=cast.home_initiative, following=True)
    services.follow_set(actor=cast.leader, initiative=cast.home_initiative, following=True)
    portfolio_services.initiative_move(
        actor=cast.leader, initiative=cast.home_initiative, stage=Stage.DISCOVERY
    )
    assert _told(cast.stakeholder) == ["Home work moved from Idea to Discovery (leader)"]
    assert _told(cast.leader) == []
    assert _told(cast.pm) == []  # not following


def test_a_published_roadmap_tells_followers_how_it_changed_what_they_follow(
    cast, django_capture_on_commit_callbacks
):
    services.follow_set(actor=cast.pm, initiative=cast.home_initiative, following=True)
    with django_capture_on_commit_callbacks(execute=True):
        roadmap = Roadmap.objects.create(
            title="Q3 review", published_on=timezone.localdate(), published_by=cast.leader
        )
        RoadmapChange.objects.create(
            roadmap=roadmap,
            initiative=cast.home_initiative,
            title="Home work",
            kind=ChangeKind.SLIPPED,
            before="2026-Q3",
            after="2026-Q4",
            shift=1,
        )
        RoadmapChange.objects.create(
            roadmap=roadmap, initiative=cast.away_initiative, title="Away work", kind=ChangeKind.ADDED
        )
    assert _told(cast.pm) == ["Slipped on the roadmap “Q3 review”: Home work (2026-Q3 → 2026-Q4)"]
    note = Notification.objects.get(recipient=cast.pm)
    assert note.url == reverse("planning:published", args=[roadmap.pk]) + "#changes"
