"""A small reporting line for people tests: skip-level -> manager -> the reviewee and three peers.

Everyone has a login (product manager role), so each relationship can be tried as a user. The cast's
`pm` (Pat PM, reporting to the CPO) is the unrelated product manager; its `stakeholder` only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from northstar.core.models import User
from northstar.core.roles import Role
from northstar.org.models import Level, Person
from northstar.people import services
from northstar.people.models import Competency, Feedback, FeedbackKind, Rating, Review, ReviewCycle
from tests import factories
from tests.conftest import Cast


@dataclass
class Reporting:
    skip: Person
    manager: Person
    person: Person
    peers: list[Person]

    def user(self, who: str) -> User:
        person = {"skip": self.skip, "manager": self.manager, "person": self.person}.get(who)
        if person is None:
            person = self.peers[int(who.removeprefix("peer"))]
        assert person.user is not None
        return person.user


def _member(name: str, level: str, manager: Person | None) -> Person:
    user = factories.make_user(Role.PRODUCT_MANAGER, username=name.lower().replace(" ", "."))
    return factories.make_person(name=name, level=level, manager=manager, user=user)


def make_reporting(cast: Cast) -> Reporting:
    services.install_framework()
    cpo = Person.objects.get(name="Cora CPO")
    skip = _member("Sam Skip", Level.DIRECTOR, cpo)
    manager = _member("Mia Manager", Level.GROUP_PM, skip)
    person = _member("Rae Reviewee", Level.PM, manager)
    peers = [_member(f"Peer {n}", Level.PM, manager) for n in range(4)]
    return Reporting(skip=skip, manager=manager, person=person, peers=peers)


def open_cycle(cast: Cast, people: list[Person], name: str = "2031 H1") -> ReviewCycle:
    return services.cycle_open(
        actor=cast.leader,
        name=name,
        period_start=date(2031, 1, 1),
        period_end=date(2031, 6, 30),
        self_due=date(2031, 7, 10),
        feedback_due=date(2031, 7, 15),
        manager_due=date(2031, 7, 20),
        participant_ids=[p.pk for p in people],
    )


def ratings(rating: str = Rating.MEETS, evidence: str = "") -> dict[int, tuple[str, str]]:
    return {c.pk: (rating, evidence) for c in Competency.objects.all()}


def submit(user: User, review: Review, kind: str, *, rating: str = Rating.MEETS, text: str = "") -> Feedback:
    feedback = Feedback.objects.get(review=review, author__user=user, kind=kind)
    return services.feedback_submit(
        actor=user, feedback=feedback, overall=rating, summary=text, ratings=ratings(rating, text)
    )


def ask_peers(world: Reporting, review: Review, count: int) -> list[Feedback]:
    return [
        services.feedback_request(actor=world.user("person"), review=review, reviewer_id=peer.pk)
        for peer in world.peers[:count]
    ]


__all__ = ["FeedbackKind"]


def make_requisition(cast: Cast, world: Reporting, **kw: object):
    from northstar.people import hiring
    from northstar.people.models import CareerLevel, RequisitionStatus

    requisition = hiring.requisition_create(
        actor=cast.leader,
        title=kw.pop("title", "Senior PM, Payments"),
        level_id=CareerLevel.objects.get(org_level=kw.pop("level", Level.SENIOR_PM)).pk,
        line_id=cast.home_line.pk,
        hiring_manager_id=world.manager.pk,
        hiring_team_ids=[world.peers[0].pk],
        annual_cost="120000",
        **kw,
    )
    hiring.requisition_set_status(
        actor=cast.leader, requisition=requisition, status=RequisitionStatus.APPROVED
    )
    return hiring.requisition_set_status(
        actor=cast.leader, requisition=requisition, status=RequisitionStatus.OPEN
    )
