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


def test_a_move_that_needs_approval_answers_202_and_the_approver_decides_over_the_api(cast):
    from northstar.portfolio.models import ApprovalRequest
    from tests import factories

    assert (
        send(
            bearer(cast.pm), "put", "/api/v1/stage-gates/planned/approval", {"approver": "leader"}
        ).status_code
        == 403
    )
    rule = send(
        bearer(cast.leader), "put", "/api/v1/stage-gates/planned/approval", {"approver": "line_director"}
    )
    assert rule.status_code == 200 and rule.json()["approver"] == "line_director"
    director = factories.make_user("pm", username="director")
    cast.home_line.director.user = director
    cast.home_line.director.save()
    item = cast.home_initiative
    item.stage = Stage.DISCOVERY
    item.save()
    waiting = send(
        bearer(cast.pm),
        "post",
        f"/api/v1/initiatives/{item.pk}/move",
        {"stage": "planned", "rationale": "Sized"},
    )
    assert waiting.status_code == 202 and waiting.json()["status"] == "pending"
    approval_id = waiting.json()["id"]
    mine = bearer(director).get("/api/v1/approvals?waiting_for=me").json()
    assert [a["id"] for a in mine["items"]] == [approval_id]
    assert bearer(cast.pm).get("/api/v1/approvals?waiting_for=me").json()["count"] == 0
    assert send(bearer(cast.pm), "post", f"/api/v1/approvals/{approval_id}/approve", {}).status_code == 403
    assert (
        send(bearer(director), "post", f"/api/v1/approvals/{approval_id}/reject", {"reason": ""}).status_code
        == 422
    )
    approved = send(bearer(director), "post", f"/api/v1/approvals/{approval_id}/approve", {"note": "Yes"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert bearer(cast.stakeholder).get(f"/api/v1/initiatives/{item.pk}").json()["stage"] == "planned"
    assert ApprovalRequest.objects.get().decided_by == director
    gates = {g["stage"]: g for g in bearer(cast.stakeholder).get("/api/v1/stage-gates").json()}
    assert gates["planned"]["approver"] == "line_director"


def test_many_initiatives_move_over_the_api_each_through_its_gates(cast):
    from northstar.portfolio import governance
    from tests import factories

    governance.gate_update(actor=cast.admin, stage=Stage.DISCOVERY, requirements=["problem_statement"])
    ready = factories.make_initiative(product=cast.home_product, title="Ready", problem_statement="Why")
    body = {"ids": [ready.pk, cast.home_initiative.pk, cast.away_initiative.pk], "stage": "discovery"}
    results = send(bearer(cast.pm), "post", "/api/v1/initiatives/bulk-move", body).json()
    assert [r["outcome"] for r in results] == ["moved", "refused", "refused"]
    assert results[0]["stage"] == "discovery" and "problem statement" in results[1]["message"]
    assert (
        send(bearer(cast.stakeholder), "post", "/api/v1/initiatives/bulk-move", body).json()[0]["outcome"]
        == "refused"
    )
    assert (
        send(
            bearer(cast.pm), "post", "/api/v1/initiatives/bulk-move", {"ids": [], "stage": "idea"}
        ).status_code
        == 422
    )
