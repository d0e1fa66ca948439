"""Syncing from the fake tools: pages, incremental "updated since", rate limits honoured, and a sync
interrupted half-way that leaves whole pages only and resumes from its cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError

from northstar.core.jobs import job_get
from northstar.core.models import Job
from northstar.delivery import services, sync
from northstar.delivery.models import Connection, SyncRun, TeamMapping, WorkItem
from northstar.delivery.secrets import reveal, seal
from northstar.delivery.sources import SourceError
from northstar.delivery.sources.base import Http
from northstar.delivery.sources.jira import JiraSource
from northstar.delivery.sync import delivery_sync
from tests.delivery.conftest import github_connection, jira_connection, linear_connection
from tests.delivery.fakes import github, jira, linear

BASE = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _issues(count: int) -> list[dict]:
    epic = jira.issue(1, kind="Epic", state="in_progress", updated=BASE, summary="Checkout revamp")
    rest = [
        jira.issue(
            n,
            state=("done", "in_progress", "todo")[n % 3],
            updated=BASE + timedelta(minutes=n),
            parent="PAY-1",
            points=2,
            sprint="Sprint 9",
        )
        for n in range(2, count + 1)
    ]
    return [epic, *rest]


def test_a_full_sync_stores_every_issue_with_its_epic_state_points_and_team(cast, fake_jira, waits):
    fake_jira.issues = _issues(250)
    connection = jira_connection(cast, fake_jira)
    TeamMapping.objects.create(connection=connection, source_key="PAY", team=cast.home_team)
    result = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert result["items"] == 250 and result["pages"] == 3 and result["status"] == "succeeded"
    epic = WorkItem.objects.get(key="PAY-1")
    assert epic.kind == "epic" and epic.children.count() == 249
    done = WorkItem.objects.get(key="PAY-3")
    assert (
        done.state == "done" and done.points == 2 and done.sprint == "Sprint 9" and done.done_at is not None
    )
    assert done.team == cast.home_team and done.url.endswith("/browse/PAY-3")
    connection.refresh_from_db()
    assert connection.synced_through is not None
    assert SyncRun.objects.get().status == SyncRun.Status.SUCCEEDED
    assert waits == []


def test_the_next_sync_asks_only_for_what_changed_since(cast, fake_jira, waits):
    fake_jira.issues = _issues(20)
    connection = jira_connection(cast, fake_jira)
    delivery_sync(connection_id=connection.pk, sleep=waits.append)
    connection.refresh_from_db()
    fake_jira.put(
        jira.issue(
            5,
            state="done",
            updated=datetime.now(UTC) + timedelta(minutes=5),
            parent="PAY-1",
            summary="Renamed",
        )
    )
    before = len(fake_jira.requests)
    result = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    asked = fake_jira.requests[before].arg("jql")
    assert f'updated >= "{connection.synced_through:%Y-%m-%d %H:%M}"' in asked
    assert result["items"] == 1
    assert WorkItem.objects.get(key="PAY-5").title == "Renamed"
    assert WorkItem.objects.count() == 20


def test_rate_limits_are_waited_out_as_the_tool_asks(cast, fake_jira, waits):
    fake_jira.issues = _issues(150)
    fake_jira.limit_at = {2}
    connection = jira_connection(cast, fake_jira)
    result = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert waits == [1.0]  # Retry-After: 1
    assert result["items"] == 150 and result["requests"] == 3


class Clock:
    """Time shared by the fake Jira and the client: sleeping moves it on, so waits cost nothing."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _jira_reader(fake: jira.FakeJira, clock: Clock) -> tuple[Http, JiraSource]:
    http = Http(base_url=fake.url, headers={}, auth=(jira.EMAIL, jira.TOKEN), sleep=clock.sleep, clock=clock)
    return http, JiraSource(http, base_url=fake.url, projects=["PAY"], points_field="")


def _read_all(source: JiraSource) -> int:
    page, count = source.fetch("issues", "", None), 0
    while True:
        count += len(page.records)
        if not page.next_cursor:
            return count
        page = source.fetch("issues", page.next_cursor, None)


def test_a_spent_jira_quota_is_waited_out_before_the_next_request(fake_jira):
    """Jira says `X-RateLimit-Remaining: 0` with its reset time (ISO 8601, to the minute): the next
    page waits until then instead of asking early and being refused with a 429."""
    clock = Clock(1_800_000_030.0)  # 30 s into a minute
    fake_jira.issues, fake_jira.quota, fake_jira.window, fake_jira.clock = _issues(250), 2, 30.0, clock
    http, source = _jira_reader(fake_jira, clock)
    assert _read_all(source) == 250
    assert clock.waits == [30.0]  # the second page spent the quota; the window ends at the minute
    assert fake_jira.refused == 0 and http.requests == len(fake_jira.requests) == 3


def test_a_jira_429_waits_retry_after_and_a_far_reset_stops_the_page_naming_the_limit(fake_jira):
    clock = Clock(1_800_000_000.0)
    fake_jira.issues, fake_jira.clock, fake_jira.limit_at = _issues(150), clock, {1}
    _http, source = _jira_reader(fake_jira, clock)
    assert _read_all(source) == 150
    assert clock.waits == [1.0]  # Retry-After: 1, the server's advice, though its reset is later
    # A quota spent for the next ten minutes is not slept through inside a job: the page fails and
    # the sync resumes later. The reader that spent it knows before asking again...
    fake_jira.quota, fake_jira.window = 1, 600.0
    clock.now = 1_800_003_600.0  # an hour later, on the minute
    _http, spender = _jira_reader(fake_jira, clock)
    spender.fetch("issues", "", None)
    asked = len(fake_jira.requests)
    with pytest.raises(SourceError, match=r"rate limit resets in 600 s"):
        spender.fetch("issues", "", None)
    assert len(fake_jira.requests) == asked
    # ...another one is refused by Jira, which names the limit it applied.
    _http, other = _jira_reader(fake_jira, clock)
    with pytest.raises(SourceError, match=r"rate limit \(jira-burst-based\) resets in 600 s"):
        other.fetch("issues", "", None)
    assert fake_jira.refused == 1 and clock.waits == [1.0]


def test_an_interrupted_sync_keeps_whole_pages_and_resumes_from_its_cursor(cast, fake_jira, waits):
    fake_jira.issues = _issues(350)
    fake_jira.fail_from = 3  # pages 1 and 2 answer, then the tool goes down
    connection = jira_connection(cast, fake_jira)
    with pytest.raises(SourceError, match="Gave up after 5 attempts"):
        delivery_sync(connection_id=connection.pk, sleep=waits.append)
    failed = SyncRun.objects.get()
    assert failed.status == SyncRun.Status.FAILED and failed.pages == 2 and failed.cursor
    assert WorkItem.objects.count() == 200  # two whole pages, nothing of the third
    connection.refresh_from_db()
    assert connection.synced_through is None  # a sync that did not finish moves no mark
    fake_jira.fail_from = None
    before = len(fake_jira.requests)
    result = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert fake_jira.requests[before].arg("nextPageToken") == failed.cursor  # no page asked twice
    assert result["resumed_from"] == ["issues", 2] and result["items"] == 350
    assert WorkItem.objects.count() == 350 and WorkItem.objects.get(key="PAY-1").children.count() == 349
    failed.refresh_from_db()
    assert failed.status == SyncRun.Status.RESUMED
    connection.refresh_from_db()
    assert connection.synced_through is not None


def test_a_crash_while_writing_a_page_leaves_none_of_it(cast, fake_jira, waits, monkeypatch):
    fake_jira.issues = _issues(250)
    connection = jira_connection(cast, fake_jira)
    calls = {"n": 0}
    real = sync.patches_apply

    def crash_on_second_page(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise DatabaseError("disk full")  # after the page's items were written, before it committed
        return real(*args, **kwargs)

    monkeypatch.setattr(sync, "patches_apply", crash_on_second_page)
    with pytest.raises(DatabaseError):
        delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert WorkItem.objects.count() == 100
    assert SyncRun.objects.get().pages == 1
    monkeypatch.setattr(sync, "patches_apply", real)
    delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert WorkItem.objects.count() == 250


def test_a_wrong_token_is_refused_with_a_clear_message(cast, fake_jira, waits):
    connection = jira_connection(cast, fake_jira, token="wrong")
    with pytest.raises(SourceError, match=r"refused the token \(401\)"):
        delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_a_sync_runs_as_a_background_job(cast, fake_jira, django_capture_on_commit_callbacks):
    fake_jira.issues = _issues(30)
    connection = jira_connection(cast, fake_jira)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.sync_start(actor=cast.pm, connection=connection)
    job = job_get(job_id=job.pk, user=cast.pm)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["items"] == 30
    assert SyncRun.objects.get().job_id == job.pk


def test_tokens_are_encrypted_at_rest(cast, fake_jira, settings):
    connection = jira_connection(cast, fake_jira)
    stored = Connection.objects.values_list("token_encrypted", "webhook_secret_encrypted").get(
        pk=connection.pk
    )
    assert jira.TOKEN not in stored[0] and "jira-secret" not in stored[1]
    assert reveal(stored[0]) == jira.TOKEN
    assert seal("") == ""
    settings.SECRET_KEY = "another-key"
    with pytest.raises(Exception, match="cannot be read"):
        reveal(stored[0])


def test_linear_sync_reads_projects_then_issues_and_waits_out_ratelimited(cast, fake_linear, waits):
    issues, projects = linear.history(230)
    fake_linear.issues, fake_linear.projects = issues, projects
    fake_linear.limit_at = {2}
    connection = linear_connection(cast, fake_linear)
    result = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert result["items"] == 233
    assert len(waits) == 1 and 0 < waits[0] <= 1.5  # until X-RateLimit-Requests-Reset
    project = WorkItem.objects.get(key="proj-1")
    assert project.kind == "project" and project.children.count() == 76  # n % 3 == 0 of 1..230
    done = WorkItem.objects.get(key="ENG-3")
    assert done.state == "done" and done.points == 1 and done.done_at is not None
    fake_linear.issues[0]["updatedAt"] = linear.iso(datetime.now(UTC) + timedelta(minutes=1))
    again = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert again["items"] == 1


def test_github_sync_pages_by_link_skips_pull_requests_and_reads_the_board(cast, fake_github, waits):
    issues, milestones = github.history(250)
    fake_github.issues = {"acme/app": issues}
    fake_github.milestones = {"acme/app": milestones}
    fake_github.board = [("acme/app", 1, "In Progress"), ("acme/app", 2, "Done")]
    fake_github.limit_at = {3}
    connection = github_connection(cast, fake_github, github_project="acme/7")
    result = delivery_sync(connection_id=connection.pk, sleep=waits.append)
    assert waits == [1.0]  # the secondary limit's Retry-After
    assert result["items"] == 2 + 225  # 25 of the 250 are pull requests
    assert not WorkItem.objects.filter(key="acme/app#10").exists()
    release = WorkItem.objects.get(key="acme/app@m2")
    assert release.kind == "milestone" and release.title == "Release 2"
    assert WorkItem.objects.get(key="acme/app#1").state == "in_progress"
    assert WorkItem.objects.get(key="acme/app#1").status == "In Progress"
    assert WorkItem.objects.get(key="acme/app#2").state == "done"


def test_one_connection_syncs_once_at_a_time(cast, fake_jira):
    connection = jira_connection(cast, fake_jira)
    Job.objects.create(
        title="Sync Jira",
        task="northstar.delivery.tasks.connection_sync",
        kwargs={"connection_id": connection.pk},
        status=Job.Status.RUNNING,
        unique_key=f"delivery-sync:{connection.pk}",
    )
    with pytest.raises(Exception, match="Sync Jira is already queued or running"):
        services.sync_start(actor=cast.leader, connection=connection)
