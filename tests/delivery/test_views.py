"""Delivery pages: connections, export files, links to confirm, the forecast and an initiative's
delivery, and the pieces on other areas' pages (roadmap, strategy dashboard, initiative)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from northstar.delivery import forecasting
from northstar.delivery.models import Connection, InitiativeLink, WorkItem
from tests.delivery.factories import (
    confirm,
    make_connection,
    make_container,
    make_history,
    make_items,
    make_published_world,
)


def test_connecting_a_tool_seals_the_token_and_shows_the_connection(cast, login):
    client = login(cast.leader)
    response = client.post(
        reverse("delivery:connection_create"),
        {
            "name": "Acme Jira",
            "tool": "jira",
            "base_url": "https://acme.atlassian.net",
            "scope": "PAY",
            "account": "bot@acme.example",
            "token": "secret-token",
            "points_field": "customfield_10016",
        },
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert connection.has_token and "secret-token" not in connection.token_encrypted
    page = client.get(reverse("delivery:connection_detail", args=[connection.pk])).content.decode()
    assert "Acme Jira" in page and "secret-token" not in page and "Sync now" in page
    # Editing without a token keeps the stored one.
    client.post(
        reverse("delivery:connection_edit", args=[connection.pk]),
        {
            "name": "Acme Jira",
            "tool": "jira",
            "base_url": "https://acme.atlassian.net",
            "scope": "PAY, CHK",
            "account": "bot@acme.example",
            "token": "",
            "points_field": "customfield_10016",
        },
    )
    connection.refresh_from_db()
    assert connection.scope == "PAY, CHK" and connection.has_token


def test_an_export_file_is_taken_in_or_refused_with_the_row(cast, login):
    connection = make_connection()
    client = login(cast.pm)
    good = SimpleUploadedFile(
        "j.csv", b"Summary,Issue key,Issue id,Issue Type,Status\nEpic,PAY-1,1,Epic,To Do\n"
    )
    assert (
        client.post(reverse("delivery:connection_import", args=[connection.pk]), {"file": good}).status_code
        == 302
    )
    assert WorkItem.objects.count() == 1
    bad = SimpleUploadedFile("j.csv", b"Summary,Issue key,Issue id,Issue Type,Status\nX,nope,2,Story,Done\n")
    refused = client.post(reverse("delivery:connection_import", args=[connection.pk]), {"file": bad})
    assert refused.status_code == 422 and "Row 2: Issue key" in refused.content.decode()


def test_confirming_a_suggested_link_shows_progress_on_the_initiative(cast, login):
    connection = make_connection()
    epic = make_container(connection, "Home work epic")
    make_items(connection, parent=epic, done=1, open_=1)
    link = InitiativeLink.objects.create(initiative=cast.home_initiative, container=epic, score=0.8)
    client = login(cast.pm)
    assert "Home work epic" in client.get(reverse("delivery:links")).content.decode()
    client.post(reverse("delivery:link_decide", args=[link.pk]), {"decision": "confirm"})
    link.refresh_from_db()
    assert link.status == "confirmed"
    page = client.get(reverse("portfolio:detail", args=[cast.home_initiative.pk])).content.decode()
    assert "50%" in page and "(1/2 ·" in page


def test_linking_by_key_from_the_initiative_page(cast, login):
    connection = make_connection()
    make_container(connection, "Anything", key="PAY-77")
    client = login(cast.pm)
    client.post(reverse("delivery:link_create", args=[cast.home_initiative.pk]), {"key": "PAY-77"})
    assert InitiativeLink.objects.get().status == "confirmed"
    missing = client.post(
        reverse("delivery:link_create", args=[cast.home_initiative.pk]), {"key": "PAY-0"}, follow=True
    )
    assert "No epic, project or milestone has that key" in missing.content.decode()
    assert (
        client.post(
            reverse("delivery:link_create", args=[cast.away_initiative.pk]), {"key": "PAY-77"}
        ).status_code
        == 403
    )


def test_forecast_pages_show_dates_cone_and_flags_on_roadmap_and_dashboard(
    cast, login, django_assert_max_num_queries
):
    world = make_published_world(cast)
    connection = make_connection()
    start = date(2030, 1, 1)
    make_history(connection, cast.home_team, per_week=1, weeks=26, until=start)
    make_history(connection, cast.away_team, per_week=8, weeks=26, until=start)
    epic = make_container(connection, "Big")
    confirm(world.home[0], epic)
    make_items(connection, parent=epic, open_=30)
    forecasting.forecast_run(actor=cast.leader, today=start, simulations=1_000)
    client = login(cast.stakeholder)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("delivery:forecast")).content.decode()
    assert "Home big" in page and "at risk" in page
    overview = client.get(reverse("delivery:index")).content.decode()
    assert 'id="roadmap-cone"' in overview and "P50 forecast" in overview
    detail = client.get(reverse("delivery:initiative", args=[world.home[0].pk])).content.decode()
    assert 'id="burn-up"' in detail and "committed" in detail
    roadmap = client.get(reverse("planning:roadmap")).content.decode()
    assert 'id="delivery-risk"' in roadmap and "Home big" in roadmap
    dashboard = client.get(reverse("strategy:dashboard")).content.decode()
    assert 'id="delivery-risk"' in dashboard and "Home big" in dashboard


def test_container_page_lists_its_work_paged(cast, login, settings, django_assert_max_num_queries):
    settings.PAGE_SIZE = 5
    connection = make_connection()
    epic = make_container(connection, "Wallet")
    make_items(connection, parent=epic, done=4, open_=8)
    client = login(cast.stakeholder)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("delivery:container_detail", args=[epic.pk])).content.decode()
    assert "Page 1 of 3" in page and "Feed this key result" not in page
    story = WorkItem.objects.exclude(pk=epic.pk).first()
    assert client.get(reverse("delivery:container_detail", args=[story.pk])).status_code == 403
