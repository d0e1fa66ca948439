"""`northstar people export|erase|purge-candidates`: a person's data on request, and candidate retention."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from northstar.people import growth, hiring
from northstar.people.models import Candidate, FeedbackKind, OneOnOne, Rating, Review, Stage, StageChange
from tests.people.factories import ask_peers, make_reporting, make_requisition, open_cycle, submit

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("people", *args, stdout=out)
    return out.getvalue()


def test_an_export_holds_the_persons_data_but_never_anothers_private_words(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    submit(world.user("person"), review, FeedbackKind.SELF, text="My own words")
    ask_peers(world, review, 2)
    submit(world.user("peer0"), review, FeedbackKind.PEER, rating=Rating.ABOVE, text="A peer's words")
    meeting = growth.one_on_one_start(actor=world.user("manager"), report=world.person)
    growth.private_note_add(actor=world.user("person"), one_on_one=meeting, body="My note")
    growth.private_note_add(actor=world.user("manager"), one_on_one=meeting, body="The manager's note")
    data = json.loads(_run("export", world.person.email))
    text = json.dumps(data)
    assert "My own words" in text and "My note" in text
    assert "A peer's words" not in text and "The manager's note" not in text
    assert data["reviews"][0]["feedback_360"] == {"answered": 1}


def test_erasing_needs_confirmation_then_removes_the_persons_people_data(cast):
    world = make_reporting(cast)
    open_cycle(cast, [world.person])
    growth.one_on_one_start(actor=world.user("manager"), report=world.person)
    with pytest.raises(CommandError, match="--yes"):
        _run("erase", str(world.person.pk))
    assert Review.objects.filter(person=world.person).exists()
    _run("erase", str(world.person.pk), "--yes")
    assert not Review.objects.filter(person=world.person).exists()
    assert not OneOnOne.objects.filter(report=world.person).exists()
    with pytest.raises(CommandError, match="No person"):
        _run("export", "nobody@example.com")


def test_closed_candidates_are_erased_after_the_retention_period(cast):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    old = hiring.candidate_add(
        actor=cast.leader, requisition=requisition, name="Old", email="old@example.com"
    )
    hiring.candidate_move(actor=cast.leader, candidate=old, stage=Stage.WITHDRAWN)
    StageChange.objects.filter(candidate=old).update(on=timezone.localdate() - timedelta(days=400))
    recent = hiring.candidate_add(
        actor=cast.leader, requisition=requisition, name="New", email="new@example.com"
    )
    hiring.candidate_move(actor=cast.leader, candidate=recent, stage=Stage.WITHDRAWN)
    active = hiring.candidate_add(
        actor=cast.leader, requisition=requisition, name="Active", email="a@example.com"
    )
    StageChange.objects.filter(candidate=active).update(on=timezone.localdate() - timedelta(days=400))
    assert "Erased 1 candidate" in _run("purge-candidates", "--days", "365")
    assert set(Candidate.objects.values_list("name", flat=True)) == {"New", "Active"}
