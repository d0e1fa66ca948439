"""Prioritisation pages: query counts at any size, inline re-ranking, CSV, compare, matrix, graph, log."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from northstar.portfolio import governance
from northstar.portfolio.models import Dependency, Initiative, Kind, ScoringInput, Stage
from tests import factories
from tests.portfolio.factories import rice

#: Queries for a page of a ranked list: session, user, active frameworks, "has criteria", count, the
#: page's ids in rank order, then its rows (initiative, product, line, owner and scoring joined), the
#: line, product and objective dropdowns, and for a PM their lines and person (which rows they may edit).
RANKED_QUERIES = 11  # the objective filter is a picker: no list of every objective


def _scored(cast, n: int) -> None:
    products = [cast.home_product, cast.away_product]
    items = Initiative.objects.bulk_create(
        Initiative(title=f"Work {i}", kind=Kind.FEATURE, product=products[i % 2]) for i in range(n)
    )
    ScoringInput.objects.bulk_create(
        ScoringInput(initiative=item, reach=i, impact=1, confidence=100, effort=1, rice_score=i)
        for i, item in enumerate(items)
    )


@pytest.mark.parametrize("rows", [5, 80])
def test_ranked_list_query_count_does_not_grow_with_rows(cast, login, django_assert_num_queries, rows):
    _scored(cast, rows)
    client = login(cast.pm)
    with django_assert_num_queries(RANKED_QUERIES):
        response = client.get(reverse("portfolio:ranked"), {"framework": "rice"})
    ranks = [r.rank for r in response.context["rows"]]
    assert ranks == list(range(1, min(rows + 2, 50) + 1))
    with django_assert_num_queries(RANKED_QUERIES):
        response = client.get(
            reverse("portfolio:ranked"), {"framework": "rice", "page": 2, "line": cast.home_line.pk}
        )


def test_ranked_list_of_ten_thousand_in_the_same_queries(cast, login, django_assert_num_queries):
    _scored(cast, 10_000)
    client = login(cast.leader)
    with django_assert_num_queries(RANKED_QUERIES - 2):  # a leader edits everything: no line lookups
        response = client.get(reverse("portfolio:ranked"), {"framework": "rice", "page": 3})
    first = response.context["rows"][0]
    assert (first.rank, first.initiative.title) == (101, "Work 9899")
    assert "Page 3 of 201" in response.content.decode()


def test_inline_edit_re_ranks_and_says_what_moved(cast, login):
    rice(cast.leader, cast.home_initiative, 10)
    rice(cast.leader, cast.away_initiative, 50)
    client = login(cast.pm)
    url = reverse("portfolio:score_inline", args=[cast.home_initiative.pk])
    response = client.post(url, {"framework": "rice", "reach": "70"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Home work” moved from 2nd to 1st." in html and "<html" not in html
    assert [r.initiative.title for r in response.context["rows"]] == ["Home work", "Away work"]
    bad = client.post(url, {"framework": "rice", "confidence": "140"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "Confidence" in bad.content.decode()
    refused = client.post(
        reverse("portfolio:score_inline", args=[cast.away_initiative.pk]),
        {"framework": "rice", "reach": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 403
    assert ScoringInput.objects.get(pk=cast.away_initiative.pk).reach == 50


def test_csv_export_holds_the_whole_filtered_ranking(cast, login):
    _scored(cast, 120)
    Initiative.objects.filter(title="Work 3").update(title="=HYPERLINK(evil)")
    client = login(cast.stakeholder)
    response = client.get(reverse("portfolio:ranked_csv"), {"framework": "rice", "line": cast.away_line.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["rank", "id", "title"] and rows[0][-1] == "explanation"
    assert len(rows) == 1 + 61  # 60 scored away-line items plus "Away work", unscored, last
    assert [r[0] for r in rows[1:4]] == ["1", "2", "3"] and rows[1][2] == "Work 119"
    assert rows[-1][2] == "Away work" and rows[-1][8] == ""
    assert "'=HYPERLINK(evil)" in {r[2] for r in rows}


def test_compare_two_to_five(cast, login):
    rice(cast.leader, cast.home_initiative, 10)
    client = login(cast.stakeholder)
    ids = [cast.home_initiative.pk, cast.away_initiative.pk]
    response = client.get(reverse("portfolio:compare"), {"ids": ids})
    assert response.status_code == 200
    assert [c.initiative.pk for c in response.context["items"]] == ids
    assert "RICE = reach 10" in response.content.decode()
    assert client.get(reverse("portfolio:compare"), {"ids": ids[:1]}).status_code == 422
    many = [factories.make_initiative().pk for _ in range(5)]
    assert client.get(reverse("portfolio:compare"), {"ids": many + ids}).status_code == 422


def test_matrix_bubbles_open_their_initiative(cast, login):
    from northstar.portfolio import scoring

    scoring.scoring_update(actor=cast.leader, initiative=cast.home_initiative, value=8, effort=2, reach=400)
    response = login(cast.stakeholder).get(reverse("portfolio:matrix"))
    figure = response.context["figure"]
    (trace,) = figure["data"]
    assert trace["name"] == "Quick win" and trace["x"] == [2.0] and trace["y"] == [8.0]
    assert trace["customdata"][0][0] == reverse("portfolio:detail", args=[cast.home_initiative.pk])
    html = response.content.decode()
    assert 'id="matrix-figure"' in html and "/assets/plotly.js?v=" in html


def test_dependency_graph_lays_out_requirements_left_of_what_needs_them(cast, login):
    later = factories.make_initiative(title="Later", product=cast.home_product)
    governance.dependency_add(actor=cast.leader, initiative=later, other_id=cast.home_initiative.pk)
    governance.dependency_add(actor=cast.leader, initiative=later, other_id=cast.away_initiative.pk)
    response = login(cast.pm).get(reverse("portfolio:dependency_graph"), {"line": cast.home_line.pk})
    nodes = {n.title: n for n in response.context["graph"].nodes}
    assert nodes["Later"].x > nodes["Home work"].x and nodes["Away work"].outside
    html = response.content.decode()
    assert html.count('class="dep-edge"') == 2 and "Later requires Home work" in html


def test_dependency_cycle_is_refused_on_the_page(cast, login):
    Dependency.objects.create(initiative=cast.away_initiative, requires=cast.home_initiative)
    client = login(cast.leader)
    response = client.post(
        reverse("portfolio:dependency_add", args=[cast.home_initiative.pk]),
        {"kind": "requires", "other": cast.away_initiative.pk},
        follow=True,
    )
    assert "dependency cycle: “Home work” → “Away work” → “Home work”" in response.content.decode()
    assert Dependency.objects.count() == 1


def test_refused_move_without_htmx_lists_what_is_missing(cast, login):
    governance.gates_adopt_suggested(actor=cast.admin)
    response = login(cast.pm).post(
        reverse("portfolio:move", args=[cast.home_initiative.pk]), {"stage": Stage.DISCOVERY}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "cannot enter Discovery yet" in html and "<li>a problem statement</li>" in html


def test_detail_page_shows_scores_estimate_and_decisions(cast, login):
    rice(cast.leader, cast.home_initiative, 100)
    governance.decision_record(
        actor=cast.leader, initiative=cast.home_initiative, title="Go", decision="Build"
    )
    html = (
        login(cast.stakeholder)
        .get(reverse("portfolio:detail", args=[cast.home_initiative.pk]))
        .content.decode()
    )
    assert "RICE = reach 100" in html and "ranked 1 of 2" in html
    assert "Home work is ranked 1st of 2 by RICE" in html
    assert "Go" in html and "Not estimated yet" in html
    assert "Edit inputs" not in html  # read-only role


def test_decision_log_search(cast, login):
    governance.decision_record(
        actor=cast.leader, initiative=cast.home_initiative, title="Buy", decision="Vendor X"
    )
    governance.decision_record(
        actor=cast.leader, initiative=cast.away_initiative, title="Build", decision="In house"
    )
    client = login(cast.stakeholder)
    page = client.get(reverse("portfolio:decisions"), {"search": "vendor"}, HTTP_HX_REQUEST="true")
    assert [d.title for d in page.context["page_obj"]] == ["Buy"]
    by_item = client.get(reverse("portfolio:decisions"), {"initiative": cast.away_initiative.pk})
    assert [d.title for d in by_item.context["page_obj"]] == ["Build"]


def test_admin_edits_gates_and_others_read_them(cast, login):
    client = login(cast.admin)
    response = client.post(reverse("portfolio:gates"), {"planned": ["estimate", "owner"]})
    assert response.status_code == 302
    assert governance.gate_rules()["planned"] == ["estimate", "owner"]
    html = login(cast.pm).get(reverse("portfolio:gates")).content.decode()
    assert "needs an effort estimate (low / likely / high per skill); an owner" in html
    assert "Save gates" not in html


def test_a_pm_is_offered_remove_only_for_blocks_links_they_may_change(cast, login):
    """Removing "home blocks X" takes a requirement off X: no button where that would be refused."""
    home = cast.home_initiative
    governance.dependency_add(
        actor=cast.leader, initiative=home, other_id=cast.away_initiative.pk, kind="blocks"
    )
    mine = factories.make_initiative(title="Mine too", product=cast.home_product)
    governance.dependency_add(actor=cast.leader, initiative=home, other_id=mine.pk, kind="blocks")
    url = reverse("portfolio:detail", args=[home.pk])
    pm_page = login(cast.pm).get(url).content.decode()
    assert "Remove: blocks Mine too" in pm_page
    assert f"Remove: blocks {cast.away_initiative.title}" not in pm_page
    leader_page = login(cast.leader).get(url).content.decode()
    assert f"Remove: blocks {cast.away_initiative.title}" in leader_page


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_dependency_refusals_and_confirmations_show_where_the_browser_lands(cast, login):
    Dependency.objects.create(initiative=cast.away_initiative, requires=cast.home_initiative)
    client = login(cast.leader)
    url = reverse("portfolio:dependency_add", args=[cast.home_initiative.pk])
    refused = client.post(url, {"kind": "requires", "other": cast.away_initiative.pk}, follow=True)
    assert refused.redirect_chain[-1][0].endswith("#dependencies")
    html = refused.content.decode()
    assert "dependency cycle" in _section(html, "dependencies")
    assert html.count("dependency cycle") == 1  # not also at the top, out of view
    added = client.post(url, {"kind": "requires", "other": factories.make_initiative().pk}, follow=True)
    assert "Dependency added" in _section(added.content.decode(), "dependencies")


def test_the_decision_date_field_holds_an_iso_date_a_date_input_accepts(cast, login):
    from django.utils import timezone

    html = (
        login(cast.leader).get(reverse("portfolio:decision_create", args=[cast.home_initiative.pk])).content
    )
    assert f'type="date" name="decided_on" value="{timezone.localdate().isoformat()}"' in html.decode()
