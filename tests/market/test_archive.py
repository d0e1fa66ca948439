"""Archiving market segments and competitors: out of the lists, the matrix and the win-rate breakdowns,
their pages still reachable with the archived banner, restored by any writer, deleted only by leaders,
and their names still taken (a clear refusal, never a database error)."""

from __future__ import annotations

import io

from django.urls import reverse

from northstar.core import archive
from northstar.market import selectors, services
from northstar.market.imports import deals_import
from northstar.market.models import Competitor, Deal, Segment
from tests.conftest import Cast
from tests.market.factories import make_capability, make_competitor, make_deal, make_segment
from tests.test_api import bearer, send


def _archive(cast: Cast, record: Segment | Competitor) -> None:
    kind = archive.kind_of(record)
    assert kind is not None
    archive.record_archive(actor=cast.pm, kind=kind, record=record)


def test_an_archived_segment_leaves_the_overview_keeps_its_page_and_comes_back(cast: Cast, login):
    segment = make_segment(name="Legacy telecom")
    web = login(cast.pm)
    page = reverse("market:segment_detail", args=[segment.pk])
    confirm = reverse("core:archive_record", args=["segment", segment.pk])
    assert confirm in web.get(page).content.decode()
    done = web.post(confirm, follow=True)
    assert done.redirect_chain[-1][0] == page and "Archived</strong> on" in done.content.decode()
    assert "Legacy telecom" not in web.get(reverse("market:index")).content.decode()
    assert "Legacy telecom" in web.get(reverse("core:archive") + "?kind=segment").content.decode()
    stakeholder = login(cast.stakeholder).get(page)
    assert stakeholder.status_code == 200 and "Archived</strong> on" in stakeholder.content.decode()
    web = login(cast.pm)  # one test client: signed in as the PM again
    web.post(reverse("core:archive_restore", args=["segment", segment.pk]), follow=True)
    assert "Legacy telecom" in web.get(reverse("market:index")).content.decode()


def test_an_archived_competitor_leaves_the_list_and_the_matrix_but_keeps_its_ratings(cast: Cast, login):
    rival = make_competitor(name="Oldco")
    capability = make_capability(name="Offline mode")
    web = login(cast.pm)
    web.post(
        reverse("market:rating_set"),
        {"capability": capability.pk, "column": f"c{rival.pk}", "score": "4", "rated_on": "2026-03-01"},
    )
    assert "Oldco" in web.get(reverse("market:matrix")).content.decode()
    assert "Oldco" in web.get(reverse("market:changes"), {"since": "2026-01-01"}).content.decode()
    web.post(reverse("core:archive_record", args=["competitor", rival.pk]), follow=True)  # reads the notice
    assert "Oldco" not in web.get(reverse("market:competitors")).content.decode()
    assert "Oldco" not in web.get(reverse("market:matrix")).content.decode()
    assert "Oldco" not in web.get(reverse("market:index")).content.decode()
    assert "Oldco" not in web.get(reverse("market:changes"), {"since": "2026-01-01"}).content.decode()
    own = web.get(reverse("market:competitor_detail", args=[rival.pk])).content.decode()
    assert "Archived</strong> on" in own and 'class="score score-4"' in own  # its history stays
    assert "Oldco" in web.get(reverse("core:archive") + "?kind=competitor").content.decode()
    web.post(reverse("core:archive_restore", args=["competitor", rival.pk]))
    assert "Oldco" in web.get(reverse("market:competitors")).content.decode()
    assert "Oldco" in web.get(reverse("market:matrix")).content.decode()
    assert "Oldco" in web.get(reverse("market:changes"), {"since": "2026-01-01"}).content.decode()


def test_a_stakeholder_cannot_archive_a_pm_can_and_only_leaders_delete_for_good(cast: Cast, login):
    segment, rival = make_segment(name="Kiosks"), make_competitor(name="Kiosk Inc")
    for key, record in (("segment", segment), ("competitor", rival)):
        detail = "market:segment_detail" if key == "segment" else "market:competitor_detail"
        page = login(cast.stakeholder).get(reverse(detail, args=[record.pk])).content.decode()
        assert "Archive…" not in page
        refused = send(bearer(cast.stakeholder), "post", f"/api/v1/archive/{key}/{record.pk}", {})
        assert refused.status_code == 403
        done = send(bearer(cast.pm), "post", f"/api/v1/archive/{key}/{record.pk}", {})
        assert done.status_code == 200 and done.json()["archived_by"] == "pm"
        assert bearer(cast.pm).delete(f"/api/v1/archive/{key}/{record.pk}").status_code == 403
        delete_url = reverse("core:archive_delete", args=[key, record.pk])
        assert login(cast.pm).post(delete_url, {"confirm": "yes"}).status_code == 403
        assert bearer(cast.leader).delete(f"/api/v1/archive/{key}/{record.pk}").status_code == 204
    assert not Segment.all_objects.filter(pk=segment.pk).exists()
    assert not Competitor.all_objects.filter(pk=rival.pk).exists()


def test_an_archived_name_is_refused_clearly_on_the_form_and_the_api(cast: Cast, login):
    _archive(cast, make_segment(name="Public sector"))
    _archive(cast, make_competitor(name="Ghost Ltd"))
    web = login(cast.pm)
    form = {"name": "Public sector", "dimension": "industry", "currency": "EUR"}
    created = web.post(reverse("market:segment_create"), form)
    assert created.status_code == 422
    assert "An archived segment is called “Public sector”: restore it or choose another name." in (
        created.content.decode()
    )
    other = make_segment(name="Healthcare")
    renamed = web.post(reverse("market:segment_edit", args=[other.pk]), form)
    assert renamed.status_code == 422 and "restore it or choose another name" in renamed.content.decode()
    competitor = web.post(reverse("market:competitor_create"), {"name": "Ghost Ltd"})
    assert competitor.status_code == 422 and "An archived competitor is called" in competitor.content.decode()

    api = bearer(cast.pm)
    refused = send(api, "post", "/api/v1/market/segments", {"name": "Public sector"})
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("An archived segment is called “Public sector”")
    patch = send(api, "patch", f"/api/v1/market/segments/{other.pk}", {"name": "Public sector"})
    assert patch.status_code == 422 and "restore it" in patch.json()["message"]
    refused = send(api, "post", "/api/v1/market/competitors", {"name": "Ghost Ltd"})
    assert refused.status_code == 422 and "An archived competitor is called" in refused.json()["message"]
    live = make_competitor(name="Live Ltd")
    patch = send(api, "patch", f"/api/v1/market/competitors/{live.pk}", {"name": "Ghost Ltd"})
    assert patch.status_code == 422 and "restore it" in patch.json()["message"]
    assert Segment.all_objects.filter(name="Public sector").count() == 1
    assert Competitor.all_objects.filter(name="Ghost Ltd").count() == 1


def test_deals_keep_an_archived_segment_and_competitor_but_the_breakdowns_leave_them_out(cast: Cast, login):
    segment, rival = make_segment(name="Retail"), make_competitor(name="Shopco")
    deal = make_deal(name="Big box", segment=segment, competitor=rival, outcome="lost")
    make_deal(segment=segment, competitor=rival, outcome="won")
    _archive(cast, segment)
    _archive(cast, rival)
    wl = selectors.win_loss()
    assert wl.overall.won == 1 and wl.overall.lost == 1  # the deals happened
    assert [r.key for r in wl.by_segment] == [] and [r.key for r in wl.by_competitor] == []
    kept = Deal.objects.select_related("segment", "competitor").get(pk=deal.pk)
    assert kept.segment == segment and kept.competitor == rival
    web = login(cast.stakeholder)
    assert "Retail" in web.get(reverse("market:deals")).content.decode()
    assert "Shopco" not in web.get(reverse("market:win_loss")).content.decode()
    api = bearer(cast.stakeholder)
    one = api.get(f"/api/v1/market/segments/{segment.pk}")
    assert one.status_code == 200 and one.json()["archived_at"] is not None
    assert segment.pk not in [s["id"] for s in api.get("/api/v1/market/segments").json()["items"]]
    assert rival.pk not in [c["id"] for c in api.get("/api/v1/market/competitors").json()["items"]]


def test_a_crm_export_naming_an_archived_segment_still_files_its_deals_there(cast: Cast):
    segment, rival = make_segment(name="Telco"), make_competitor(name="Oldco")
    _archive(cast, segment)
    _archive(cast, rival)
    body = "deal,account,segment,amount,outcome,competitor,closed\nT-1,Acme,telco,500,lost,Oldco,2025-06-01\n"
    result = deals_import(actor=cast.pm, stream=io.StringIO(body), filename="old.csv")
    assert result.deals == 1
    deal = Deal.objects.get(external_id="T-1")
    assert deal.segment_id == segment.pk and deal.competitor_id == rival.pk


def test_editing_a_competitor_keeps_its_link_to_an_archived_segment_for_the_restore(cast: Cast):
    segment, live = make_segment(name="Telco"), make_segment(name="Media")
    rival = services.competitor_create(actor=cast.pm, name="Linked", segment_ids=[segment.pk, live.pk])
    _archive(cast, segment)
    assert list(rival.segments.all()) == [live]  # out of the profile while archived
    services.competitor_update(actor=cast.pm, competitor=rival, segment_ids=[live.pk], positioning="Cheap")
    archive.record_restore(actor=cast.pm, kind=archive.kind_get("segment"), record=segment)
    assert set(rival.segments.all()) == {segment, live}


def test_the_board_pack_leaves_archived_segments_and_competitors_out(cast: Cast):
    from datetime import date

    from northstar.reports.sections import SECTIONS, Context
    from tests.market.factories import make_estimate

    kept, gone = make_segment(name="Enterprise"), make_segment(name="Legacy")
    make_estimate(kept, as_of=date(2026, 1, 1))
    make_estimate(gone, as_of=date(2026, 1, 1))
    rival, old = make_competitor(name="Rival"), make_competitor(name="Oldco")
    make_deal(outcome="won", competitor=rival, closed_on=date(2026, 3, 1))
    make_deal(outcome="lost", competitor=old, closed_on=date(2026, 4, 1))
    _archive(cast, gone)
    _archive(cast, old)
    section = SECTIONS["market"].build(Context(cut_off=date(2026, 6, 30)))
    assert section.charts[0].categories == ("Enterprise",)
    competitors = next(t for t in section.tables if t.key == "market.competitors")
    assert [row[0].text for row in competitors.rows] == ["Rival"]
