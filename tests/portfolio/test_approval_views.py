"""Approval pages: a move waits in the stage panel, the approver decides from the initiative page or the
approvals page, leaders set who approves; every refusal is the service's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.portfolio import approvals
from northstar.portfolio.models import ApprovalRequest, Approver, Stage
from tests.portfolio.test_approvals import _in_discovery


@pytest.fixture
def gated(cast):
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    return _in_discovery(cast)


def test_a_move_that_needs_approval_waits_in_the_stage_panel(cast, login, gated, director):
    response = login(cast.pm).post(
        reverse("portfolio:move", args=[gated.pk]), {"stage": Stage.PLANNED}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 202
    html = response.content.decode()
    assert "Waiting for approval" in html
    assert f"{cast.home_line.director.name} decides" in html and "Planned needs the approval" in html
    assert reverse("portfolio:approval_withdraw", args=[ApprovalRequest.objects.get().pk]) in html
    assert reverse("portfolio:approval_approve", args=[ApprovalRequest.objects.get().pk]) not in html
    gated.refresh_from_db()
    assert gated.stage == Stage.DISCOVERY


def test_the_director_approves_from_the_initiative_page(cast, client, gated, director):
    request = approvals.stage_move(actor=cast.pm, initiative=gated, stage=Stage.PLANNED).request
    client.force_login(director)
    page = client.get(reverse("portfolio:detail", args=[gated.pk])).content.decode()
    approve = reverse("portfolio:approval_approve", args=[request.pk])
    assert approve in page and reverse("portfolio:approval_reject", args=[request.pk]) in page
    done = client.post(approve, {"note": "Go"}, follow=True)
    assert "moved to Planned" in done.content.decode()
    gated.refresh_from_db()
    assert gated.stage == Stage.PLANNED


def test_a_rejection_without_a_reason_is_refused_on_the_page(cast, client, gated, director):
    request = approvals.stage_move(actor=cast.pm, initiative=gated, stage=Stage.PLANNED).request
    client.force_login(director)
    refused = client.post(
        reverse("portfolio:approval_reject", args=[request.pk]), {"reason": ""}, follow=True
    )
    assert "Say why" in refused.content.decode()
    request.refresh_from_db()
    assert request.status == ApprovalRequest.Status.PENDING
    client.force_login(cast.pm)
    assert client.post(reverse("portfolio:approval_approve", args=[request.pk])).status_code == 403


def test_the_approvals_page_lists_what_waits_for_me_in_a_fixed_number_of_queries(
    cast, client, director, django_assert_max_num_queries
):
    from tests import factories

    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    for n in range(6):
        item = factories.make_initiative(product=cast.home_product, stage=Stage.DISCOVERY, title=f"Bet {n}")
        approvals.stage_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED)
    client.force_login(director)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("portfolio:approvals")).content.decode()
    waiting = page[page.index('id="waiting-heading"') : page.index('id="all-heading"')]
    assert waiting.count("Approve and move") == 6
    client.force_login(cast.pm)
    page = client.get(reverse("portfolio:approvals")).content.decode()
    assert "Nothing is waiting for you" in page and page.count("Bet ") == 6  # all requests stay visible


def test_leaders_set_who_approves_and_others_read_it(cast, client):
    client.force_login(cast.pm)
    assert client.post(reverse("portfolio:approval_rules"), {"approver-planned": "leader"}).status_code == 403
    assert 'name="approver-planned"' not in client.get(reverse("portfolio:gates")).content.decode()
    client.force_login(cast.leader)
    assert 'name="approver-planned"' in client.get(reverse("portfolio:gates")).content.decode()
    saved = client.post(
        reverse("portfolio:approval_rules"), {"approver-in_delivery": "leader", "above-in_delivery": "250000"}
    )
    assert saved.status_code == 302
    assert approvals.approval_rules()["in_delivery"].approval_above == 250000
    client.force_login(cast.stakeholder)
    assert (
        "needs the approval of a product leader above €250,000"
        in client.get(reverse("portfolio:gates")).content.decode()
    )
