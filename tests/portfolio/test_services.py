"""Initiatives: stage moves, permissions by product line, parents and tags, safe Markdown."""

from __future__ import annotations

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.markdown import render_markdown
from northstar.core.models import AuditEntry
from northstar.portfolio import services
from northstar.portfolio.models import Initiative, Kind, Stage
from tests import factories


def test_create_with_tags_and_parent(cast):
    parent = cast.home_initiative
    child = services.initiative_create(
        actor=cast.pm,
        title="Saved carts",
        kind=Kind.FEATURE,
        product_id=cast.home_product.pk,
        parent_id=parent.pk,
        tags=["Retention", "retention", "smb"],
        description="**bold**",
    )
    assert child.parent == parent
    assert sorted(t.name for t in child.tags.all()) == ["retention", "smb"]
    assert AuditEntry.objects.filter(record_type="portfolio.initiative", record_id=str(child.pk)).exists()


def test_pm_cannot_touch_another_lines_work(cast):
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=cast.pm, initiative=cast.away_initiative, title="Mine now")
    with pytest.raises(PermissionDenied):
        services.initiative_create(actor=cast.pm, title="x", product_id=cast.away_product.pk)
    with pytest.raises(PermissionDenied):
        services.initiative_update(
            actor=cast.pm, initiative=cast.home_initiative, product_id=cast.away_product.pk
        )
    cast.away_initiative.refresh_from_db()
    assert cast.away_initiative.title == "Away work"


def test_stage_moves_follow_the_path(cast):
    item = cast.home_initiative
    services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.DISCOVERY)
    services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.IN_DELIVERY)
    with pytest.raises(ValidationFailed, match="In delivery can move to Planned, Launched"):
        services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.IDEA)
    services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.KILLED)
    with pytest.raises(ValidationFailed, match="not to Planned"):
        services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED)
    item.refresh_from_db()
    assert item.stage == Stage.KILLED
    moves = AuditEntry.objects.filter(record_id=str(item.pk), action="update").order_by("id")
    assert [m.changes["stage"][1] for m in moves] == ["discovery", "in_delivery", "killed"]


def test_unknown_stage_is_refused(cast):
    with pytest.raises(ValidationFailed, match="Unknown stage"):
        services.initiative_move(actor=cast.leader, initiative=cast.home_initiative, stage="shipped")


def test_parent_cannot_be_own_descendant(cast):
    parent = cast.home_initiative
    child = factories.make_initiative(product=cast.home_product, parent=parent)
    with pytest.raises(ValidationFailed, match="inside itself"):
        services.initiative_update(actor=cast.leader, initiative=parent, parent_id=child.pk)
    with pytest.raises(ValidationFailed, match="Unknown parent"):
        services.initiative_update(actor=cast.leader, initiative=parent, parent_id=999999)


def test_unplaced_idea_editable_by_its_owner_only(cast):
    mine = services.initiative_create(actor=cast.pm, title="Loose idea", owner_id=cast.pm_person.pk)
    services.initiative_update(actor=cast.pm, initiative=mine, title="Loose idea v2")
    theirs = factories.make_initiative(product=None, title="Someone else's")
    with pytest.raises(PermissionDenied, match="owner"):
        services.initiative_update(actor=cast.pm, initiative=theirs, title="nope")


def test_delete_is_audited(cast):
    pk = cast.home_initiative.pk
    services.initiative_delete(actor=cast.leader, initiative=cast.home_initiative)
    assert not Initiative.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(record_id=str(pk), action="delete")
    assert entry.changes["title"] == ["Home work", None]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_markdown_never_runs_script(text):
    html = str(render_markdown(text)).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "<iframe" not in html


def test_markdown_keeps_formatting():
    html = str(render_markdown("## Why\n- **bold** and [docs](https://example.com)"))
    assert "<h2>Why</h2>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html


def test_restaging_many_applies_each_ones_gates_and_approvals(cast, director):
    from northstar.portfolio import approvals, governance
    from northstar.portfolio.models import Approver, Decision

    governance.gate_update(actor=cast.admin, stage=Stage.DISCOVERY, requirements=["problem_statement"])
    ready = factories.make_initiative(product=cast.home_product, title="Ready", problem_statement="Why")
    bare = factories.make_initiative(product=cast.home_product, title="Bare")
    theirs = factories.make_initiative(product=cast.away_product, title="Theirs", problem_statement="Why")
    results = services.initiatives_restage(
        actor=cast.pm, ids=[ready.pk, bare.pk, theirs.pk], stage=Stage.DISCOVERY, rationale="Q3 review"
    )
    assert [(r.initiative.title, r.outcome) for r in results] == [
        ("Ready", "moved"),
        ("Bare", "refused"),
        ("Theirs", "refused"),
    ]
    assert "a problem statement" in results[1].message and "product lines" in results[2].message
    assert Decision.objects.get(initiative=ready).rationale == "Q3 review"
    bare.refresh_from_db()
    assert bare.stage == Stage.IDEA

    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    (waiting,) = services.initiatives_restage(actor=cast.pm, ids=[ready.pk], stage=Stage.PLANNED)
    assert waiting.outcome == "waiting" and list(approvals.approvals_waiting_for(director)) != []
    with pytest.raises(ValidationFailed, match="At most 500"):
        services.initiatives_restage(actor=cast.pm, ids=range(1, 600), stage=Stage.PLANNED)
