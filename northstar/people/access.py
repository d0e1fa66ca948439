"""Who may read and change people records: the one place the privacy rules live.

* The career framework is open to everyone signed in; only leaders (and admins) change it.
* A review is seen by the person (the shared parts), their manager chain (manager, skip-levels) and
  the leaders. 360 feedback is never shown one author at a time, except to its author: the person
  and their managers see it aggregated, and only once at least `PEER_THRESHOLD` reviewers answered.
* 1:1 agendas and action items are for the pair; private notes for their author alone.
* Candidates are seen by their requisition's hiring team, the leaders and admins.
* Only a product leader (the role, not an admin) takes the final hire / no-hire decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from northstar.core.errors import PermissionDenied
from northstar.core.models import User
from northstar.core.roles import Role
from northstar.core.services import ancestor_ids
from northstar.org.models import Person

#: 360 answers needed before anyone but their authors sees them (aggregated).
PEER_THRESHOLD = 3

PRIVATE_REVIEW = "Reviews are seen by the person, their manager chain and the product leaders only."


@dataclass(frozen=True)
class Viewer:
    """A signed-in user as the people rules see them, resolved once per request."""

    user: User
    person_id: int | None
    leading: bool

    @property
    def is_leader(self) -> bool:
        return self.user.is_authenticated and self.user.role == Role.LEADER


def viewer_of(user: User) -> Viewer:
    person_id = (
        Person.objects.filter(user=user).values_list("pk", flat=True).first()
        if user.is_authenticated
        else None
    )
    return Viewer(user=user, person_id=person_id, leading=user.is_authenticated and user.is_leading)


def manager_chain(person_id: int) -> list[int]:
    """The person's managers, nearest first (manager, skip-level, ...)."""
    return ancestor_ids(Person, person_id, parent_field="manager_id")[1:]


def require_leading(viewer: Viewer, what: str) -> None:
    if not viewer.leading:
        raise PermissionDenied(f"Only product leaders and admins can {what}.")


def require_person(viewer: Viewer) -> int:
    if viewer.person_id is None:
        raise PermissionDenied(
            "Your login is not linked to a person in the org, so you have no reviews here."
        )
    return viewer.person_id


# Reviews -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewAccess:
    """How one viewer relates to one reviewee."""

    is_self: bool
    in_chain: bool  # manager or skip-level
    leading: bool

    @property
    def allowed(self) -> bool:
        return self.is_self or self.in_chain or self.leading

    @property
    def sees_everything_but_peers(self) -> bool:
        return self.in_chain or self.leading


def review_access(viewer: Viewer, person_id: int) -> ReviewAccess:
    is_self = viewer.person_id is not None and viewer.person_id == person_id
    in_chain = viewer.person_id is not None and not is_self and viewer.person_id in manager_chain(person_id)
    return ReviewAccess(is_self=is_self, in_chain=in_chain, leading=viewer.leading)


def require_review_reader(viewer: Viewer, person_id: int) -> ReviewAccess:
    relation = review_access(viewer, person_id)
    if not relation.allowed:
        raise PermissionDenied(PRIVATE_REVIEW)
    return relation


def readable_person_ids(viewer: Viewer) -> set[int] | None:
    """Whose reviews this viewer may open: None for everyone (leaders), else self and everyone below."""
    if viewer.leading:
        return None
    if viewer.person_id is None:
        return set()
    found = {viewer.person_id}
    frontier = {viewer.person_id}
    while frontier:
        frontier = set(Person.objects.filter(manager_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


# Hiring ---------------------------------------------------------------------------------------------

PRIVATE_CANDIDATE = "Candidates are seen by their hiring team, the product leaders and admins only."


def hiring_team_ids(requisition: Any) -> set[int]:
    """The hiring manager and the hiring team of a requisition."""
    return {requisition.hiring_manager_id, *requisition.hiring_team.values_list("pk", flat=True)}


def on_hiring_team(viewer: Viewer, requisition: Any) -> bool:
    return viewer.leading or (
        viewer.person_id is not None and viewer.person_id in hiring_team_ids(requisition)
    )


def can_see_candidate(viewer: Viewer, candidate: Any) -> bool:
    """The hiring team and leaders see every candidate of a requisition; an interviewer sees the
    candidates they interview."""
    if on_hiring_team(viewer, candidate.requisition):
        return True
    return (
        viewer.person_id is not None and candidate.interviews.filter(interviewer_id=viewer.person_id).exists()
    )


def require_candidate_reader(viewer: Viewer, candidate: Any) -> None:
    if not can_see_candidate(viewer, candidate):
        raise PermissionDenied(PRIVATE_CANDIDATE)


def require_hiring_team(viewer: Viewer, requisition: Any) -> None:
    if not on_hiring_team(viewer, requisition):
        raise PermissionDenied("Only the requisition's hiring team and the product leaders can do this.")


def require_final_say(viewer: Viewer) -> None:
    """The hire / no-hire decision is the product leader's alone: not an admin's, not a hiring manager's."""
    if not viewer.is_leader:
        raise PermissionDenied("Only the product leader approves hiring decisions for product roles.")


# 1:1s and growth ---------------------------------------------------------------------------------------

PRIVATE_ONE_ON_ONE = "A 1:1 is seen by the manager and the report it is between, nobody else."


def require_pair(viewer: Viewer, one_on_one: Any) -> int:
    """The viewer's person, if they are one side of the 1:1 (leaders are not let in: it is the pair's)."""
    if viewer.person_id is None or viewer.person_id not in (one_on_one.manager_id, one_on_one.report_id):
        raise PermissionDenied(PRIVATE_ONE_ON_ONE)
    return viewer.person_id


def require_mentoring_pair(viewer: Viewer, pair: Any) -> int:
    """The viewer's person, if they are the mentor or the mentee."""
    if viewer.person_id is None or viewer.person_id not in (pair.mentor_id, pair.mentee_id):
        raise PermissionDenied("Mentoring notes are for the mentor and the mentee only.")
    return viewer.person_id
