"""The initiatives API: stage moves go through every gate, and PATCH never changes a stage."""

from __future__ import annotations

from northstar.portfolio import governance
from northstar.portfolio.models import Decision, Stage
from tests.test_api import bearer, send


def test_a_move_that_jumps_stages_is_refused_by_the_gates_it_passes_over(cast):
    governance.gates_adopt_suggested(actor=cast.admin)
    item = cast.home_initiative
    refused = send(bearer(cast.pm), "post", f"/api/v1/initiatives/{item.pk}/move", {"stage": "launched"})
    assert refused.status_code == 422
    assert {"problem_statement", "evidence", "estimate", "decision"} <= set(
        refused.json()["detail"]["missing"]
    )
    item.refresh_from_db()
    assert item.stage == Stage.IDEA and not Decision.objects.exists()
    # Another line's initiative is refused before any gate is looked at.
    other = send(
        bearer(cast.pm), "post", f"/api/v1/initiatives/{cast.away_initiative.pk}/move", {"stage": "parked"}
    )
    assert other.status_code == 403


def test_patch_with_a_stage_is_refused_with_a_pointer_to_move(cast):
    item = cast.home_initiative
    refused = send(
        bearer(cast.pm), "patch", f"/api/v1/initiatives/{item.pk}", {"stage": "launched", "title": "New"}
    )
    assert refused.status_code == 422
    assert f"/api/v1/initiatives/{item.pk}/move" in refused.json()["message"]
    item.refresh_from_db()
    assert item.stage == Stage.IDEA and item.title == "Home work"
    away = send(
        bearer(cast.pm), "patch", f"/api/v1/initiatives/{cast.away_initiative.pk}", {"stage": "parked"}
    )
    assert away.status_code == 403
