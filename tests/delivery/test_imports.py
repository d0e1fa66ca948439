"""The tools' export files: whole or nothing, the bad row named, the same ids a sync uses."""

from __future__ import annotations

import io

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.delivery.imports import work_items_import
from northstar.delivery.models import SyncRun, WorkItem
from northstar.delivery.services import connection_save

JIRA = (
    "Summary,Issue key,Issue id,Issue Type,Status,Status Category,Project key,Created,Updated,Resolved,"
    "Sprint,Sprint,Custom field (Story Points),Parent\n"
    "Checkout revamp,PAY-1,10001,Epic,In Progress,In Progress,PAY,01/Dec/25 9:00 AM,02/Dec/25 9:00 AM,,,,,\n"
    "Wallet button,PAY-2,10002,Story,Done,Done,PAY,01/Dec/25 9:00 AM,05/Dec/25 3:30 PM,05/Dec/25 3:30 PM,"
    "Sprint 8,Sprint 9,3,10001\n"
    "Card errors,PAY-3,10003,Bug,To Do,To Do,PAY,2025-12-01 10:00,2025-12-02 10:00,,,,,PAY-1\n"
)
LINEAR = (
    "ID,Team,Title,Status,Estimate,Project,Project ID,Cycle Name,Created,Updated,Completed,Canceled\n"
    "ENG-1,ENG,Sign in with Google,Done,2,Auth,proj-a,Cycle 3,2025-11-01T10:00:00.000Z,"
    "2025-11-05T10:00:00.000Z,2025-11-05T10:00:00.000Z,\n"
    "ENG-2,ENG,Passkeys,In Progress,3,Auth,proj-a,,2025-11-01T10:00:00.000Z,2025-11-06T10:00:00.000Z,,\n"
)
PROJECTS = (
    "Title,URL,Assignees,Status,Labels,Milestone,Repository\n"
    "Dark mode,https://github.com/acme/app/issues/4,ana,Done,,Release 1,acme/app\n"
    "Draft idea,,,Todo,,,\n"
    "Bug in export,https://github.com/acme/app/issues/5,,In Progress,bug,Release 1,acme/app\n"
)


def _connection(cast, tool: str, scope: str):
    return connection_save(
        actor=cast.leader, name=tool, tool=tool, scope=scope, base_url="https://tool.example"
    )


def _take(cast, connection, text: str, actor=None):
    return work_items_import(
        actor=actor or cast.pm,
        connection=connection,
        stream=io.BytesIO(text.encode()),
        file_name="export.csv",
    )


def test_jira_export_lands_with_epics_sprints_points_and_parents(cast):
    connection = _connection(cast, "jira", "PAY")
    run = _take(cast, connection, JIRA)
    assert run.kind == SyncRun.Kind.FILE and run.items == 3
    epic = WorkItem.objects.get(key="PAY-1")
    assert epic.kind == "epic" and epic.external_id == "10001"
    story = WorkItem.objects.get(key="PAY-2")
    assert story.parent == epic and story.sprint == "Sprint 9" and story.points == 3 and story.state == "done"
    assert story.done_at.day == 5 and story.done_at.hour == 15
    assert WorkItem.objects.get(key="PAY-3").parent == epic
    # The same file again updates, never duplicates.
    _take(cast, connection, JIRA)
    assert WorkItem.objects.count() == 3


def test_linear_and_github_exports_land(cast):
    linear = _connection(cast, "linear", "ENG")
    _take(cast, linear, LINEAR)
    project = WorkItem.objects.get(key="proj-a")
    assert project.kind == "project" and project.children.count() == 2
    assert WorkItem.objects.get(key="ENG-1").state == "done"
    github = _connection(cast, "github", "acme/app")
    run = _take(cast, github, PROJECTS)
    assert run.items == 3  # the milestone and two issues; the draft has nothing to count
    assert WorkItem.objects.get(key="acme/app#5").kind == "bug"
    assert WorkItem.objects.get(key="acme/app@Release 1").children.count() == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Oops,PAY-9,10009,Story,Done,Done,PAY,yesterday,,,,,,", "Row 5: Created 'yesterday' is not a date"),
        ("Oops,pay 9,10009,Story,Done,Done,PAY,,,,,,,", "Row 5: Issue key 'pay 9' is not a Jira key"),
        ("Oops,PAY-9,10009,Story,Done,Done,PAY,,,,,,lots,", "Row 5: story points 'lots' is not a number"),
        ("Again,PAY-2,10002,Story,Done,Done,PAY,,,,,,,", "Row 5: PAY-2 repeats row 3"),
    ],
)
def test_a_bad_row_is_named_and_nothing_lands(cast, row, reason):
    connection = _connection(cast, "jira", "PAY")
    with pytest.raises(ValidationFailed) as refused:
        _take(cast, connection, JIRA + row + "\n")
    assert refused.value.message.startswith(reason), refused.value.message
    assert not WorkItem.objects.exists() and not SyncRun.objects.exists()


def test_a_file_from_another_tool_or_a_stakeholder_is_refused(cast):
    connection = _connection(cast, "jira", "PAY")
    with pytest.raises(ValidationFailed, match="no Issue key, Issue id"):
        _take(cast, connection, LINEAR)
    with pytest.raises(PermissionDenied):
        _take(cast, connection, JIRA, actor=cast.stakeholder)
