"""Archive pages: confirm, archive, the archived banner with restore, the archive list, delete with a
confirmation; controls only for those the record's rule allows."""

from __future__ import annotations

from django.urls import reverse

from northstar.core import archive
from northstar.portfolio.models import Initiative
from tests import factories
from tests.feedback import factories as feedback_factories
from tests.strategy.factories import make_metric, make_objective


def test_archive_asks_first_then_the_page_stays_with_a_restore(cast, login):
    client = login(cast.pm)
    item = cast.home_initiative
    detail = reverse("portfolio:detail", args=[item.pk])
    confirm_url = reverse("core:archive_record", args=["initiative", item.pk])
    assert confirm_url in client.get(detail).content.decode()
    confirm = client.get(confirm_url).content.decode()
    assert "Archive this initiative?" in confirm and "Home work" in confirm
    assert Initiative.objects.filter(pk=item.pk).exists()  # asking changes nothing
    done = client.post(confirm_url, follow=True)
    assert done.redirect_chain[-1][0] == detail
    page = done.content.decode()
    assert (
        "Archived</strong> on" in page
        and reverse("core:archive_restore", args=["initiative", item.pk]) in page
    )
    assert "Home work" not in client.get(reverse("portfolio:list")).content.decode()
    archived = client.get(reverse("core:archive") + "?kind=initiative").content.decode()
    assert "Home work" in archived
    client.post(reverse("core:archive_restore", args=["initiative", item.pk]))
    assert "Home work" in client.get(reverse("portfolio:list")).content.decode()


def test_controls_only_where_the_rule_allows(cast, login):
    away = reverse("portfolio:detail", args=[cast.away_initiative.pk])
    pm = login(cast.pm)
    assert "Archive…" not in pm.get(away).content.decode()
    assert (
        pm.post(reverse("core:archive_record", args=["initiative", cast.away_initiative.pk])).status_code
        == 403
    )
    stakeholder = login(cast.stakeholder)
    home = reverse("portfolio:detail", args=[cast.home_initiative.pk])
    assert "Archive…" not in stakeholder.get(home).content.decode()
    assert (
        stakeholder.get(
            reverse("core:archive_record", args=["initiative", cast.home_initiative.pk])
        ).status_code
        == 403
    )
    assert stakeholder.get(reverse("core:archive_record", args=["nonsense", 1])).status_code == 404


def test_delete_needs_the_box_ticked_and_the_audit_log_keeps_it(cast, login):
    item = factories.make_initiative(product=cast.home_product, title="Typo idea")
    client = login(cast.pm)
    url = reverse("core:archive_delete", args=["initiative", item.pk])
    assert "Delete for good" in client.get(url).content.decode()
    refused = client.post(url, follow=True)
    assert "Tick the box" in refused.content.decode() and Initiative.all_objects.filter(pk=item.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not Initiative.all_objects.filter(pk=item.pk).exists()
    audit = (
        login(cast.leader)
        .get(reverse("core:audit"), {"record_type": "portfolio.initiative"})
        .content.decode()
    )
    assert "Typo idea" in audit


def test_every_kind_has_its_archive_link_and_the_archive_page_is_bounded(
    cast, login, django_assert_max_num_queries
):
    client = login(cast.leader)
    objective = make_objective(line=cast.home_line)
    metric = make_metric(line=cast.home_line)
    item = feedback_factories.make_item("Please add SSO")
    pages = {
        "objective": (reverse("strategy:objective_detail", args=[objective.pk]), objective),
        "kpi": (reverse("strategy:metric_detail", args=[metric.pk]), metric),
        "feedback": (reverse("feedback:item_detail", args=[item.pk]), item),
    }
    for key, (url, record) in pages.items():
        assert reverse("core:archive_record", args=[key, record.pk]) in client.get(url).content.decode(), key
        client.post(reverse("core:archive_record", args=[key, record.pk]))
        assert "Archived</strong> on" in client.get(url).content.decode(), key
    for n in range(8):
        archive.record_archive(
            actor=cast.leader,
            kind=archive.kind_get("feedback"),
            record=feedback_factories.make_item(f"Old ask {n}"),
        )
    with django_assert_max_num_queries(10):
        page = client.get(reverse("core:archive") + "?kind=feedback")
    assert page.content.decode().count("Restore") >= 9
