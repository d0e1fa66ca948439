"""Delivery use cases: connections (tokens sealed at rest), team mappings, syncs as background jobs,
links from containers to initiatives (suggested by name, confirmed by a person), and key results fed
by delivery progress. Every write runs in a transaction, is audited and checks who may make it."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from ipaddress import ip_address
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.jobs import job_enqueue
from northstar.core.models import Job, User
from northstar.core.services import record_delete, record_save
from northstar.delivery import selectors
from northstar.delivery.models import Connection, InitiativeLink, KeyResultFeed, TeamMapping, Tool, WorkItem
from northstar.delivery.secrets import seal
from northstar.org import access
from northstar.org.models import Team
from northstar.portfolio.models import Initiative, Stage
from northstar.strategy.models import KeyResult

DEFAULT_URLS: dict[str, str] = {
    "jira": "",
    "linear": "https://api.linear.app",
    "github": "https://api.github.com",
}
#: A suggestion needs names at least this alike (0-1).
SUGGEST_AT = 0.55
#: Words that say nothing about which initiative a container is.
STOPWORDS = frozenset(
    {
        *("a", "an", "and", "the", "of", "for", "to", "in", "on", "with", "by", "new", "improve"),
        *("v1", "v2", "mvp", "phase", "epic", "project", "milestone", "q1", "q2", "q3", "q4"),
    }
)
ACTIVE_STAGES = (Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY, Stage.LAUNCHED)


# ---------------------------------------------------------------------------------------------------
# Connections


def _base_url(raw: str, tool: str) -> str:
    url = (raw or DEFAULT_URLS.get(tool, "")).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed(
            f"The address must be a web address such as https://acme.atlassian.net; got {raw!r}."
        )
    if parts.scheme == "http":
        try:
            local = ip_address(parts.hostname).is_loopback
        except ValueError:
            local = parts.hostname == "localhost"
        if not local:
            raise ValidationFailed("Use https: tokens are never sent in clear text to another machine.")
    return url


def _scope(raw: str, tool: str) -> str:
    parts = [p.strip() for p in (raw or "").split(",") if p.strip()]
    if not parts:
        raise ValidationFailed("Name what to read: Jira project keys, Linear team keys or GitHub owner/repo.")
    pattern = r"^[\w.-]+/[\w.-]+$" if tool == Tool.GITHUB else r"^[A-Za-z0-9_]{1,40}$"
    bad = [p for p in parts if not re.match(pattern, p)]
    if bad:
        example = "owner/repo" if tool == Tool.GITHUB else "a key such as PAY"
        raise ValidationFailed(f"{', '.join(bad)}: each must be {example}.")
    return ", ".join(parts)


@transaction.atomic
def connection_save(
    *,
    actor: User,
    connection: Connection | None = None,
    name: str,
    tool: str,
    scope: str,
    base_url: str = "",
    account: str = "",
    token: str | None = None,
    webhook_secret: str | None = None,
    github_project: str = "",
    points_field: str = "customfield_10016",
) -> Connection:
    """Create or change a connection. A token or secret of None keeps the stored one; "" removes it."""
    access.require_leading(actor, "delivery connections")
    if tool not in Tool.values:
        raise ValidationFailed(f"Unknown tool {tool!r}: one of {', '.join(Tool.values)}.")
    if tool == Tool.JIRA and token and not account.strip():
        raise ValidationFailed("Jira needs the email address the API token belongs to.")
    before = audit.snapshot(connection) if connection else None
    record = connection or Connection(created_by=actor)
    record.name = name.strip()[:120]
    record.tool = tool
    record.scope = _scope(scope, tool)
    record.base_url = _base_url(base_url, tool)
    record.account = account.strip()[:200]
    record.github_project = github_project.strip()[:120]
    record.points_field = points_field.strip()[:60]
    if token is not None:
        record.token_encrypted = seal(token.strip())
    if webhook_secret is not None:
        record.webhook_secret_encrypted = seal(webhook_secret.strip())
    saved = record_save(actor=actor, instance=record, before=before)
    return saved


def connection_delete(*, actor: User, connection: Connection) -> None:
    access.require_leading(actor, "delivery connections")
    with transaction.atomic():
        record_delete(actor=actor, instance=connection, blocked_by="it is in use")


@transaction.atomic
def team_mapping_set(*, actor: User, connection: Connection, source_key: str, team: Team | None) -> int:
    """Count a project / team / repo's work as one Northstar team's (None removes the mapping);
    items already stored follow at once. Returns how many items moved."""
    access.require_leading(actor, "delivery connections")
    key = source_key.strip()
    if not key:
        raise ValidationFailed("Name the project, team or repository to map.")
    existing = TeamMapping.objects.filter(connection=connection, source_key=key).first()
    if team is None:
        if existing is not None:
            record_delete(actor=actor, instance=existing, blocked_by="it is in use")
    else:
        before = audit.snapshot(existing) if existing else None
        mapping = existing or TeamMapping(connection=connection, source_key=key)
        mapping.team = team
        record_save(actor=actor, instance=mapping, before=before)
    return WorkItem.objects.filter(connection=connection, source_key=key).update(team=team)


# ---------------------------------------------------------------------------------------------------
# Syncs


def sync_start(*, actor: User, connection: Connection) -> Job:
    """Queue a sync of the connection as a background job (it resumes an interrupted one)."""
    access.require_write(actor)
    if not connection.has_token:
        raise ValidationFailed("This connection has no token: add one, or import the tool's export file.")
    return job_enqueue(
        task="northstar.delivery.tasks.connection_sync",
        kwargs={"connection_id": connection.pk, "actor_id": actor.pk},
        actor=actor,
        title=f"Sync {connection.name}",
        unique_key=f"delivery-sync:{connection.pk}",  # the database holds one sync per connection
    )


def after_items_changed(connection: Connection | None = None) -> None:
    """What follows new or changed items: suggestions for new containers, fed key results."""
    links_suggest(connection=connection)
    key_results_refresh()


# ---------------------------------------------------------------------------------------------------
# Links to initiatives


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS and len(w) > 1}


def name_likeness(a: str, b: str) -> float:
    """How alike two names are (0-1): shared words and the same letters in the same order."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    shared = len(wa & wb) / len(wa | wb)
    order = SequenceMatcher(None, " ".join(sorted(wa)), " ".join(sorted(wb))).ratio()
    return round(0.6 * shared + 0.4 * order, 3)


def links_suggest(*, connection: Connection | None = None, limit: int = 2000) -> int:
    """Suggest initiatives for containers nobody linked yet, by name; a person confirms. Returns how
    many suggestions were added. Only initiatives sharing a word are compared, so this stays cheap."""
    linked = InitiativeLink.objects.values("container_id")
    containers = WorkItem.objects.filter(kind__in=WorkItem.CONTAINERS).exclude(pk__in=linked)
    if connection is not None:
        containers = containers.filter(connection=connection)
    rows = list(containers.values_list("id", "title")[:limit])
    if not rows:
        return 0
    index: dict[str, list[tuple[int, str]]] = {}
    for pk, title in Initiative.objects.filter(stage__in=ACTIVE_STAGES).values_list("id", "title").iterator():
        for word in _words(title):
            index.setdefault(word, []).append((pk, title))
    created = []
    for container_id, title in rows:
        candidates = {pk: t for word in _words(title) for pk, t in index.get(word, [])[:500]}
        scored = sorted(((name_likeness(title, t), pk) for pk, t in candidates.items()), reverse=True)
        for score, pk in scored[:2]:
            if score >= SUGGEST_AT:
                created.append(InitiativeLink(initiative_id=pk, container_id=container_id, score=score))
    InitiativeLink.objects.bulk_create(created, ignore_conflicts=True)
    return len(created)


def _require_link_edit(actor: User, initiative: Initiative) -> None:
    line_id = initiative.product.line_id if initiative.product is not None else None
    access.require_line_edit(actor, line_id, "delivery links")


def _decide(actor: User, link: InitiativeLink, status: str, before: audit.Snapshot | None) -> InitiativeLink:
    """Record a person's decision on a link; fed key results follow at once."""
    link.status = status
    link.decided_by = actor
    link.decided_at = timezone.now()
    record_save(actor=actor, instance=link, before=before)
    key_results_refresh()
    return link


@transaction.atomic
def link_decide(*, actor: User, link: InitiativeLink, confirm: bool) -> InitiativeLink:
    """Confirm a suggested link (its work then counts for the initiative) or reject it."""
    _require_link_edit(actor, link.initiative)
    status = InitiativeLink.Status.CONFIRMED if confirm else InitiativeLink.Status.REJECTED
    return _decide(actor, link, status, audit.snapshot(link))


@transaction.atomic
def link_create(*, actor: User, initiative: Initiative, container: WorkItem) -> InitiativeLink:
    """Link a container to an initiative by hand (confirmed at once)."""
    _require_link_edit(actor, initiative)
    if not container.is_container:
        raise ValidationFailed(
            f"{container.key} is a {container.get_kind_display().lower()}, not an epic, project or milestone."
        )
    existing = InitiativeLink.objects.filter(initiative=initiative, container=container).first()
    before = audit.snapshot(existing) if existing else None
    link = existing or InitiativeLink(initiative=initiative, container=container, score=1.0)
    return _decide(actor, link, InitiativeLink.Status.CONFIRMED, before)


# ---------------------------------------------------------------------------------------------------
# Key results fed by delivery


@transaction.atomic
def key_result_feed_set(
    *, actor: User, key_result: KeyResult, container: WorkItem | None
) -> KeyResultFeed | None:
    """Let a key result follow a container's progress (None stops it). A metric key result counts
    percent done from 0 to 100; a milestone key result is done when all the work is."""
    objective = key_result.objective
    line_id = objective.line_id or (objective.team.line_id if objective.team_id and objective.team else None)
    if line_id is None:
        access.require_leading(actor, "company key results")
    else:
        access.require_line_edit(actor, line_id, "key results")
    existing = KeyResultFeed.objects.filter(key_result=key_result).first()
    if container is None:
        if existing is not None:
            record_delete(actor=actor, instance=existing, blocked_by="it is in use")
        return None
    if not container.is_container:
        raise ValidationFailed(f"{container.key} is not an epic, project or milestone.")
    before = audit.snapshot(existing) if existing else None
    feed = existing or KeyResultFeed(key_result=key_result, created_by=actor)
    feed.container = container
    record_save(actor=actor, instance=feed, before=before)
    if key_result.kind == KeyResult.Kind.METRIC and (
        key_result.baseline is None or key_result.target is None
    ):
        kr_before = audit.snapshot(key_result)
        key_result.baseline, key_result.target, key_result.unit = 0.0, 100.0, "% done"
        record_save(actor=actor, instance=key_result, before=kr_before)
    key_results_refresh()
    return feed


def key_results_refresh() -> int:
    """Move every fed key result to its container's progress; returns how many changed."""
    changed = 0
    for feed in KeyResultFeed.objects.select_related("key_result", "container"):
        progress = selectors.container_progress(feed.container)
        kr = feed.key_result
        if kr.kind == KeyResult.Kind.MILESTONE:
            value = 1.0 if progress.total_items and progress.done_items >= progress.total_items else 0.0
        else:
            value = round(progress.percent, 1)
        if kr.current != value:
            before = audit.snapshot(kr)
            kr.current = value
            record_save(actor=None, instance=kr, before=before)
            changed += 1
    return changed
