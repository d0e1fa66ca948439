"""The organisation's rules: one director per line, no reporting cycles, teams belong to a line."""

from __future__ import annotations

import pytest

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.org import selectors, services
from northstar.org.models import Level, Person, ProductLine, Team
from tests import factories


def test_line_refuses_a_second_director(cast):
    other_director = factories.make_person(name="Dana Director", level=Level.DIRECTOR)
    with pytest.raises(Conflict, match=r"Home line already has a director .* exactly one"):
        services.line_update(actor=cast.leader, line=cast.home_line, owner_ids=[other_director.pk])
    assert list(cast.home_line.owners.all()) == []


def test_line_create_needs_a_director(cast):
    with pytest.raises(ValidationFailed, match="exactly one director"):
        services.line_create(actor=cast.leader, name="Orphan line")
    assert not ProductLine.objects.filter(name="Orphan line").exists()


def test_reporting_cycle_is_refused_and_nothing_changes(cast):
    boss = factories.make_person(name="Boss", level=Level.VP)
    middle = factories.make_person(name="Middle", level=Level.DIRECTOR, manager=boss)
    report = factories.make_person(name="Report", level=Level.PM, manager=middle)
    with pytest.raises(Conflict, match="reporting cycle"):
        services.person_update(actor=cast.leader, person=boss, manager_id=report.pk)
    boss.refresh_from_db()
    assert boss.manager_id is None


def test_nobody_manages_themselves(cast):
    with pytest.raises(Conflict, match="own manager"):
        services.person_update(actor=cast.leader, person=cast.pm_person, manager_id=cast.pm_person.pk)


def test_team_without_a_line_is_refused(cast):
    with pytest.raises(ValidationFailed, match="must belong to a product line"):
        services.team_create(actor=cast.leader, name="Floating team", line_id=None)
    assert not Team.objects.filter(name="Floating team").exists()


def test_line_keeps_at_least_one_team(cast):
    with pytest.raises(Conflict, match="at least one team"):
        services.team_delete(actor=cast.leader, team=cast.home_team)


def test_team_skills_are_normalised_and_audited(cast):
    team = services.team_create(
        actor=cast.leader,
        name="Growth squad",
        line_id=cast.home_line.pk,
        skills=["Backend", " data ", ""],
        cost_rate="15000.50",
        member_ids=[cast.pm_person.pk],
    )
    assert sorted(s.name for s in team.skills.all()) == ["backend", "data"]
    entry = AuditEntry.objects.get(record_type="org.team", record_id=str(team.pk))
    assert entry.action == "create"
    assert entry.actor == cast.leader
    assert entry.changes["cost_rate"] == [None, "15000.50"]
    assert entry.changes["members"] == [None, ["Pat PM"]]
    assert entry.changes["skills"] == [None, ["backend", "data"]]


def test_update_audits_only_changed_fields(cast):
    services.person_update(actor=cast.leader, person=cast.pm_person, title="Senior PM", name="Pat PM")
    entry = AuditEntry.objects.get(record_type="org.person", action="update")
    assert entry.changes == {"title": ["Product Manager", "Senior PM"]}


def test_delete_of_a_manager_is_refused_with_names(cast):
    cpo = Person.objects.get(name="Cora CPO")
    with pytest.raises(Conflict, match="Pat PM"):
        services.person_delete(actor=cast.leader, person=cpo)
    assert Person.objects.filter(pk=cpo.pk).exists()


def test_invalid_email_gives_field_message(cast):
    with pytest.raises(ValidationFailed, match="email") as exc:
        services.person_create(actor=cast.leader, name="X", email="not-an-email", title="PM", level=Level.PM)
    assert "email" in exc.value.detail


def test_pm_edits_teams_in_own_line_only(cast):
    services.team_update(actor=cast.pm, team=cast.home_team, cost_rate="9000")
    with pytest.raises(PermissionDenied, match="product lines you belong to"):
        services.team_update(actor=cast.pm, team=cast.away_team, cost_rate="9000")
    with pytest.raises(PermissionDenied, match="Only product leaders"):
        services.person_update(actor=cast.pm, person=cast.pm_person, title="CPO")


def test_stakeholder_changes_nothing(cast):
    with pytest.raises(PermissionDenied, match="read-only"):
        services.product_create(actor=cast.stakeholder, line_id=cast.home_line.pk, name="Sneaky")


def test_org_chart_nests_reports_by_seniority(cast, django_assert_num_queries):
    vp = factories.make_person(name="Zed VP", level=Level.VP, manager=Person.objects.get(name="Cora CPO"))
    factories.make_person(name="Ann Lead", level=Level.UX_LEAD, manager=Person.objects.get(name="Cora CPO"))
    with django_assert_num_queries(3):
        roots = selectors.org_chart()
    cpo = next(n for n in roots if n.person.name == "Cora CPO")
    assert [n.person.name for n in cpo.reports] == ["Zed VP", "Pat PM", "Ann Lead"]
    assert vp.pk == cpo.reports[0].person.pk
    director = next(n for n in roots if n.person.pk == cast.home_line.director_id)
    assert director.lines == ["Home line"]
