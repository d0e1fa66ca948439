"""Why no plan is possible, in a leader's words: every finding names its initiatives, never an engine id."""

from __future__ import annotations

import re

import pytest

from northstar.engines.planner import Conflict
from northstar.planning import explain
from northstar.planning import problem as translate
from tests.planning.factories import make_world


@pytest.fixture
def inputs(cast):
    world = make_world(cast)
    return translate.build(world.scenario), world


def _ids(world) -> tuple[str, str]:
    return str(world.home[0].pk), str(world.away[0].pk)


@pytest.mark.parametrize(
    ("kind", "message", "constraints", "expected"),
    [
        (
            "cycle",
            "precedence cycle: {a} -> {b} -> {a}; none of these can start first",
            (),
            "none of them can start first",
        ),
        ("excluded", "{a} is mandatory but also excluded", ("excluded",), "also excluded"),
        ("exclusive", "{a}, {b} are all forced but mutually exclusive", (), "only one of them may be"),
        (
            "budget",
            "forced items cost 120000 but the budget of X is 90000",
            ("budget of X",),
            "costs 120,000",
        ),
        (
            "capacity",
            "forced items need 40 of backend but their teams have 30 in the whole horizon",
            ("capacity (backend)",),
            "40 team-weeks of backend",
        ),
        (
            "forced",
            "the forced items {a}, {b} cannot all be scheduled: blocked by capacity of team Home team",
            ("capacity of team Home team", "earliest starts and deadlines"),
            "Any one of these changes would make room: capacity of team Home team; earliest starts",
        ),
    ],
)
def test_every_kind_of_finding_names_its_initiatives(inputs, kind, message, constraints, expected):
    built, world = inputs
    a, b = _ids(world)
    conflict = Conflict(kind, message.format(a=a, b=b), (a, b), constraints)
    entry = explain.conflict_entry(conflict, built)
    assert expected in entry["message"]
    assert "“Home big”" in entry["message"]
    assert not re.search(rf"\b({a}|{b})\b", entry["message"])
    assert "forced items" not in entry["message"] and "_" not in entry["message"]
    assert entry["label"] != kind
    linked = [p["initiative"] for p in entry["parts"] if "initiative" in p]
    assert world.home[0].pk in linked
