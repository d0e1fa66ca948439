"""Delivery: connections to the engineering tools (Jira Cloud, Linear, GitHub), the work items they
hold, the links from their epics / projects / milestones to initiatives, and delivery forecasts.

A connection's token and webhook secret are stored encrypted (`northstar.delivery.secrets`). Work items
are upserted by (connection, id in the tool), so a sync or a webhook can deliver the same item twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from northstar.core.concurrency import Versioned
from northstar.core.models import Job
from northstar.org.models import Team
from northstar.portfolio.models import Initiative
from northstar.strategy.models import KeyResult


class Tool(models.TextChoices):
    JIRA = "jira", "Jira Cloud"
    LINEAR = "linear", "Linear"
    GITHUB = "github", "GitHub"


class State(models.TextChoices):
    """The tool's status category: every tool's statuses fold into these four."""

    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Connection(Versioned):
    """One workspace of an engineering tool Northstar reads work from.

    `scope` names what to read: Jira project keys, Linear team keys or GitHub `owner/repo`s, comma
    separated. `synced_through` is the "updated since" mark of the last complete sync: the next sync
    asks only for what changed after it.
    """

    name = models.CharField(max_length=120, unique=True)
    tool = models.CharField(max_length=10, choices=Tool.choices)
    base_url = models.URLField(help_text="e.g. https://acme.atlassian.net, https://api.linear.app")
    account = models.CharField(max_length=200, blank=True, help_text="Jira: the email the token belongs to.")
    scope = models.CharField(
        max_length=500, help_text="Project keys, team keys or owner/repo, comma separated."
    )
    github_project = models.CharField(
        max_length=120, blank=True, help_text="GitHub: 'org/number' of a Projects board whose Status to read."
    )
    points_field = models.CharField(
        max_length=60, blank=True, default="customfield_10016", help_text="Jira: the story points field."
    )
    token_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    synced_through = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scopes(self) -> list[str]:
        return [part.strip() for part in self.scope.split(",") if part.strip()]

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)


class TeamMapping(models.Model):
    """Work from one Jira project / Linear team / GitHub repo counts as one Northstar team's work."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="team_mappings")
    source_key = models.CharField(max_length=120)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="delivery_mappings")

    class Meta:
        ordering = ["connection", "source_key"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "source_key"], name="team_mapping_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source_key} → {self.team_id}"


class WorkItem(models.Model):
    """An issue, epic, Linear project or GitHub milestone as the tool last described it.

    Containers (epics, projects, milestones) hold items through `parent`; `parent_key` keeps the
    tool's reference so a parent that arrives after its children is still found.
    """

    class Kind(models.TextChoices):
        EPIC = "epic", "Epic"
        PROJECT = "project", "Project"
        MILESTONE = "milestone", "Milestone"
        STORY = "story", "Story"
        TASK = "task", "Task"
        BUG = "bug", "Bug"
        ISSUE = "issue", "Issue"

    CONTAINERS = (Kind.EPIC, Kind.PROJECT, Kind.MILESTONE)

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="items")
    external_id = models.CharField(max_length=120)
    key = models.CharField(max_length=160, help_text="What people call it: PAY-123, ENG-42, acme/app#7.")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ISSUE)
    status = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.TODO)
    points = models.FloatField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    parent_key = models.CharField(max_length=120, blank=True)
    source_key = models.CharField(max_length=120, blank=True, help_text="Project, team or repo in the tool.")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_items"
    )
    sprint = models.CharField(max_length=120, blank=True)
    url = models.URLField(max_length=500, blank=True)
    due_on = models.DateField(null=True, blank=True)
    created_in_tool = models.DateTimeField(null=True, blank=True)
    updated_in_tool = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connection", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "external_id"], name="work_item_once_per_connection"
            )
        ]
        indexes = [
            models.Index(fields=["team", "state", "done_at"]),
            models.Index(fields=["connection", "key"]),
            models.Index(fields=["connection", "parent_key"]),
            models.Index(fields=["parent", "state"]),
            models.Index(fields=["connection", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def is_container(self) -> bool:
        return self.kind in self.CONTAINERS


class SyncRun(models.Model):
    """One sync of a connection (or one export file taken in), and how far it got.

    A sync writes page by page, each page in one transaction with its cursor, so an interruption
    leaves every stored item whole and the next sync resumes from `phase` and `cursor`. The
    connection's `synced_through` moves only when a sync completes.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed (will resume)"
        RESUMED = "resumed", "Resumed by a later sync"

    class Kind(models.TextChoices):
        API = "api", "Sync"
        FILE = "file", "Export file"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.API)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    since = models.DateTimeField(null=True, blank=True, help_text="Asked for items updated after this.")
    started_through = models.DateTimeField(null=True, blank=True, help_text="Clock when the sync began.")
    phase = models.CharField(max_length=20, blank=True)
    cursor = models.TextField(blank=True, help_text="Where the next page starts, in the tool's terms.")
    pages = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.connection_id} ({self.get_status_display()})"


class InitiativeLink(Versioned):
    """An epic, Linear project or GitHub milestone doing an initiative's work.

    Northstar suggests links by name; only a person's confirmation makes a link count.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="delivery_links")
    container = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="initiative_links")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    score = models.FloatField(default=0, help_text="How alike the names are (0-1), for suggestions.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["initiative", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "container"], name="link_once_per_pair"),
        ]
        indexes = [models.Index(fields=["status", "initiative"])]

    def __str__(self) -> str:
        return f"{self.container_id} → {self.initiative_id} ({self.status})"


class KeyResultFeed(models.Model):
    """A key result whose current value follows a delivery container: the share of its work done
    (a metric key result, 0-100) or whether all of it is done (a milestone key result)."""

    key_result = models.OneToOneField(KeyResult, on_delete=models.CASCADE, related_name="delivery_feed")
    container = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="key_result_feeds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key_result_id} ← {self.container_id}"


class DeliveryForecast(models.Model):
    """A Monte Carlo forecast of the published roadmap, frozen when it was run, so pages and packs
    read it without simulating again (GETs never write)."""

    roadmap = models.ForeignKey(
        "planning.Roadmap", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateField(help_text="Week 1 ends seven days after this.")
    simulations = models.PositiveIntegerField()
    scope_growth = models.FloatField(help_text="Average share remaining work grows by (0.1 = 10%).")
    history_weeks = models.PositiveSmallIntegerField()
    seed = models.PositiveIntegerField(default=0)
    p50 = models.DateField(null=True, blank=True, help_text="When the last initiative lands.")
    p85 = models.DateField(null=True, blank=True)
    p95 = models.DateField(null=True, blank=True)
    unforecastable = models.JSONField(default=dict, blank=True, help_text="{initiative id: why}")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Forecast of {self.start}"


class ForecastLine(models.Model):
    """One initiative's forecast: its team, remaining work and P50/P85/P95 dates against its date."""

    forecast = models.ForeignKey(DeliveryForecast, on_delete=models.CASCADE, related_name="lines")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="forecast_lines"
    )
    title = models.CharField(max_length=200)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(help_text="Place in its team's queue (plan order).")
    remaining = models.FloatField(help_text="Work items left, grown by the scope allowance in simulation.")
    from_delivery = models.BooleanField(default=False, help_text="Remaining work counted from linked items.")
    p50 = models.DateField(null=True, blank=True)
    p85 = models.DateField(null=True, blank=True)
    p95 = models.DateField(null=True, blank=True)
    committed = models.DateField(null=True, blank=True, help_text="End of its period on the roadmap.")
    on_time = models.FloatField(null=True, blank=True, help_text="Probability of meeting the committed date.")
    late = models.BooleanField(default=False, help_text="P85 is after the committed date.")
    unfinished = models.FloatField(default=0)

    class Meta:
        ordering = ["forecast", "team", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "initiative"],
                condition=Q(initiative__isnull=False),
                name="forecast_line_once_per_initiative",
            )
        ]
        indexes = [models.Index(fields=["forecast", "late"]), models.Index(fields=["initiative", "forecast"])]

    def __str__(self) -> str:
        return self.title
