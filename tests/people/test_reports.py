"""The board pack's org and hiring section: counts from the people area, never names or content."""

from __future__ import annotations

from datetime import date

import pytest

from northstar.people import hiring
from northstar.reports.sections import SECTIONS, Context
from tests.people.factories import make_reporting, make_requisition

pytestmark = pytest.mark.django_db


def test_the_pack_shows_headcount_and_open_roles_without_candidates(cast):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    hiring.candidate_add(
        actor=cast.leader, requisition=requisition, name="Secret Candidate", email="s@example.com"
    )
    section = SECTIONS["org"].build(Context(cut_off=date(2031, 1, 1)))
    figures = {f.key: f for f in section.figures}
    assert figures["org.open_roles"].value == 1
    # The cast: the CPO, the PM and two line directors; the reporting line: seven more.
    assert figures["org.headcount"].value == 11
    assert figures["org.open_cost"].text == "120,000 EUR"
    assert [[c.text for c in row] for row in section.tables[0].rows] == [
        ["Senior PM, Payments", "Senior Product Manager", "Home line", "1"]
    ]
    assert "Secret Candidate" not in repr(section)
    away = SECTIONS["org"].build(Context(cut_off=date(2031, 1, 1), line=cast.away_line))
    assert {f.key: f.value for f in away.figures}["org.open_roles"] == 0
