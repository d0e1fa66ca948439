"""The upgrade path: a database made by the last release, with data in it, migrates to today's schema
and keeps its data.

The release's schema is rebuilt from its migration leaf nodes (the state at commit 13df7b7), filled
through the models as they were then (Django's historical models, frozen in the migrations), and
migrated forward to whatever leaf nodes exist now. Later migrations are picked up by themselves; only
a new release moves `RELEASE_LEAVES`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

#: The migration leaf nodes of the last release (commit 13df7b7), per app.
RELEASE = "13df7b7"
RELEASE_LEAVES = {
    "core": "0002_job",
    "org": "0001_initial",
    "portfolio": "0003_evidence_notes",
    "strategy": "0003_metric_value_no_database_foreign_key",
    "feedback": "0002_vote_confirmed_at",
    "planning": "0001_initial",
}
#: Django's own apps were at the leaves of the Django version this branch still pins.
DJANGO_APPS = ("contenttypes", "auth", "sessions")
WHEN = dt.datetime(2026, 5, 4, 9, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
def old_database(tmp_path: Path, django_db_blocker) -> Iterator[str]:
    """An empty database beside the test database, on the same engine, as the alias 'upgrade'."""
    alias = "upgrade"
    base = connection.settings_dict
    settings_dict = {**base, "TEST": {**base.get("TEST", {})}}
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "release.sqlite3")
        else:
            name = f"{connection.settings_dict['NAME']}_upgrade"[:63]
            with connection.cursor() as cursor:  # CREATE DATABASE cannot run in a transaction
                connection.set_autocommit(True)
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}"')
            settings_dict["NAME"] = name
        connections.settings[alias] = settings_dict
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
            if connection.vendor != "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


def _release_targets(executor: MigrationExecutor) -> list[tuple[str, str]]:
    leaves = dict(executor.loader.graph.leaf_nodes())
    return [(app, leaves[app]) for app in DJANGO_APPS] + list(RELEASE_LEAVES.items())


def _fill_release(apps, db: str) -> dict[str, int]:
    """A small organisation written with the release's own models."""

    def make(label: str, model: str, **fields):
        return apps.get_model(label, model).objects.using(db).create(**fields)

    user = make("core", "User", username="cora", password="!", role="leader", email="cora@example.com")
    person = make(
        "org", "Person", name="Cora CPO", email="cora@example.com", title="CPO", level="cpo", user=user
    )
    line = make("org", "ProductLine", name="Payments", director=person)
    product = make("org", "Product", name="Checkout", line=line)
    team = make("org", "Team", name="Checkout team", line=line)
    initiative = make(
        "portfolio",
        "Initiative",
        title="One-click refunds ✓",
        product=product,
        stage="planned",
        description="Why: **refunds** take 3 days",
    )
    q1 = make(
        "strategy", "PlanningPeriod", name="2030-Q1", start=dt.date(2030, 1, 1), end=dt.date(2030, 3, 31)
    )
    q2 = make(
        "strategy", "PlanningPeriod", name="2030-Q2", start=dt.date(2030, 4, 1), end=dt.date(2030, 6, 30)
    )
    objective = make("strategy", "Objective", title="Refunds in a day", owner=person, period=q1)
    scenario = make("planning", "Scenario", name="Base", first_period=q1, last_period=q2)
    job = make(
        "core", "Job", title="Optimise Base", task="northstar.planning.tasks.plan_run", status="running"
    )
    make("planning", "PlanRun", scenario=scenario, job=job, status="running")
    make("planning", "PlanRun", scenario=scenario, status="running")  # a duplicate the upgrade must close
    customer = make("feedback", "Customer", name="Acme", annual_revenue=Decimal("120000.50"))
    item = make(
        "feedback",
        "FeedbackItem",
        text="Refunds are slow",
        received_at=WHEN,
        customer=customer,
        dedupe_key=uuid.uuid4().hex,
        fingerprint=uuid.uuid4().hex,
    )
    make(
        "core",
        "AuditEntry",
        actor=user,
        action="create",
        record_type="portfolio.initiative",
        record_id=str(initiative.pk),
        record_repr=initiative.title,
        changes={"title": [None, initiative.title]},
    )
    return {
        "user": user.pk,
        "person": person.pk,
        "line": line.pk,
        "team": team.pk,
        "initiative": initiative.pk,
        "objective": objective.pk,
        "scenario": scenario.pk,
        "job": job.pk,
        "item": item.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_release_database_with_data_upgrades_to_today(old_database):
    db = old_database
    executor = MigrationExecutor(connections[db])
    targets = _release_targets(executor)
    executor.migrate(targets)
    ids = _fill_release(executor.loader.project_state(targets).apps, db)

    executor = MigrationExecutor(connections[db])
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = MigrationExecutor(connections[db])
    assert not after.migration_plan(after.loader.graph.leaf_nodes())  # fully up to date

    from northstar.core.models import AuditEntry, Job, User
    from northstar.feedback.models import FeedbackItem
    from northstar.org.models import Person, ProductLine, Team
    from northstar.planning.models import PlanRun, Scenario
    from northstar.portfolio.models import Initiative
    from northstar.strategy.models import Objective

    user = User.objects.using(db).get(pk=ids["user"])
    assert (user.username, user.role, user.email) == ("cora", "leader", "cora@example.com")
    assert Person.objects.using(db).get(pk=ids["person"]).user_id == user.pk
    line = ProductLine.objects.using(db).get(pk=ids["line"])
    assert line.name == "Payments" and line.director_id == ids["person"]
    assert Team.objects.using(db).get(pk=ids["team"]).line_id == line.pk
    initiative = Initiative.objects.using(db).get(pk=ids["initiative"])
    assert (initiative.title, initiative.stage) == ("One-click refunds ✓", "planned")
    assert initiative.description == "Why: **refunds** take 3 days"
    assert Objective.objects.using(db).get(pk=ids["objective"]).period.name == "2030-Q1"
    item = FeedbackItem.objects.using(db).get(pk=ids["item"])
    assert item.received_at == WHEN and item.customer.annual_revenue == Decimal("120000.50")
    job = Job.objects.using(db).get(pk=ids["job"])
    assert job.status == "running" and job.attempts == 0 and job.unique_key == ""
    runs = PlanRun.objects.using(db).filter(scenario_id=ids["scenario"])
    assert runs.count() == 2 and runs.filter(status__in=["queued", "running"]).count() == 1
    assert Scenario.objects.using(db).get(pk=ids["scenario"]).name == "Base"
    entry = AuditEntry.objects.using(db).get()
    assert entry.changes == {"title": [None, "One-click refunds ✓"]} and entry.actor_id == user.pk
