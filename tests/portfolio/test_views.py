"""The portfolio pages: list, filters, pagination, query counts, the initiative page, forms and moves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.core.models import AuditEntry
from northstar.portfolio.models import Initiative, Kind, Stage, Tag
from tests import factories

#: Queries for one page of the initiative list, whatever the number of rows: session, user, count,
#: the page's rows (with product, line and owner joined), their tags, and one each for the line,
#: product, owner and tag dropdowns.
LIST_QUERIES = 8


def _portfolio(cast, n: int) -> None:
    """n initiatives spread over both lines, three owners and up to three tags each."""
    tags = [Tag.objects.get_or_create(name=f"tag-{i}")[0] for i in range(4)]
    owners = [factories.make_person(name=f"Owner {i}") for i in range(3)]
    for i in range(n):
        product = cast.home_product if i % 2 else cast.away_product
        initiative = factories.make_initiative(title=f"Bulk {i}", product=product, owner=owners[i % 3])
        initiative.tags.set(tags[: i % 4])


# List --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 60])
def test_list_query_count_does_not_grow_with_rows(cast, login, django_assert_num_queries, rows):
    _portfolio(cast, rows)
    client = login(cast.pm)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("portfolio:list"))
    assert len(response.context["page_obj"]) == min(rows + 2, 50)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("portfolio:list"), {"page": 2})


def test_filtered_list_query_count_is_the_same(cast, login, django_assert_num_queries):
    _portfolio(cast, 30)
    owner = factories.make_person(name="Olive Owner")
    for _ in range(3):
        initiative = factories.make_initiative(product=cast.home_product, owner=owner, kind=Kind.FEATURE)
        initiative.tags.set([Tag.objects.get(name="tag-1")])
    client = login(cast.pm)
    params = {
        "search": "Initiative",
        "line": cast.home_line.pk,
        "product": cast.home_product.pk,
        "stage": Stage.IDEA,
        "owner": owner.pk,
        "kind": Kind.FEATURE,
        "tag": "tag-1",
    }
    with django_assert_num_queries(LIST_QUERIES + 1):  # the owner picked is looked up, once
        response = client.get(reverse("portfolio:list"), params)
    assert response.context["page_obj"].paginator.count == 3


def test_list_of_ten_thousand_renders_any_page_in_the_same_queries(cast, login, django_assert_num_queries):
    people = [factories.make_person() for _ in range(20)]
    Initiative.objects.bulk_create(
        Initiative(
            title=f"Scaled {i}",
            kind=Kind.FEATURE,
            product=cast.home_product if i % 2 else cast.away_product,
            owner=people[i % 20],
        )
        for i in range(10_000)
    )
    tag = Tag.objects.create(name="scale")
    tag.initiatives.set(Initiative.objects.all()[:3000])
    client = login(cast.leader)
    for page in (1, 150):
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(reverse("portfolio:list"), {"page": page})
        assert response.context["page_obj"].number == page
        assert len(response.context["page_obj"]) == 50
    assert "Page 150 of 201" in response.content.decode()


def test_list_filters_narrow_the_results(cast, login):
    tagged = factories.make_initiative(title="Enterprise SSO", product=cast.home_product, stage=Stage.PLANNED)
    tagged.tags.set([Tag.objects.create(name="enterprise")])
    factories.make_initiative(title="Idea box", product=cast.away_product, kind=Kind.IDEA)
    client = login(cast.stakeholder)

    def titles(**params):
        response = client.get(reverse("portfolio:list"), params)
        assert response.status_code == 200
        return sorted(i.title for i in response.context["page_obj"])

    assert titles() == ["Away work", "Enterprise SSO", "Home work", "Idea box"]
    assert titles(search="sso") == ["Enterprise SSO"]
    assert titles(line=cast.home_line.pk) == ["Enterprise SSO", "Home work"]
    assert titles(product=cast.away_product.pk) == ["Away work", "Idea box"]
    assert titles(stage=Stage.PLANNED) == ["Enterprise SSO"]
    assert titles(kind=Kind.IDEA) == ["Idea box"]
    assert titles(tag="enterprise") == ["Enterprise SSO"]
    # A stale id is ignored rather than an error page.
    assert len(titles(line=999999, stage="nonsense")) == 4


def test_list_filters_work_over_htmx_and_without_js(cast, login):
    client = login(cast.pm)
    page = client.get(reverse("portfolio:list"), {"search": "Home"})
    html = page.content.decode()
    assert "<html" in html and 'hx-get="/portfolio/"' in html and 'hx-push-url="true"' in html
    assert 'hx-target="#results"' in html and 'value="Home"' in html
    assert "Home work" in html and "Away work" not in html

    fragment = client.get(reverse("portfolio:list"), {"search": "Away"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"Away work" in fragment.content and b"Home work" not in fragment.content
    assert "HX-Request" in fragment["Vary"]


def test_list_pagination_keeps_the_filters(cast, login, settings):
    settings.PAGE_SIZE = 50
    _portfolio(cast, 60)
    response = login(cast.pm).get(reverse("portfolio:list"), {"search": "Bulk"})
    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 60
    assert 'href="/portfolio/?search=Bulk&amp;page=2"' in html
    last = login(cast.pm).get(reverse("portfolio:list"), {"search": "Bulk", "page": 99})
    assert last.context["page_obj"].number == 2 and len(last.context["page_obj"]) == 10


# Detail ------------------------------------------------------------------------------------------


def test_detail_shows_everything_about_an_initiative(cast, login):
    parent = factories.make_initiative(title="Platform bet", product=cast.home_product, kind=Kind.INITIATIVE)
    initiative = factories.make_initiative(
        title="Faster search",
        product=cast.home_product,
        owner=cast.pm_person,
        parent=parent,
        description="We want **fast** results.\n\n- p95 under 200ms",
    )
    initiative.tags.set([Tag.objects.create(name="performance")])
    factories.make_initiative(title="Index rebuild", parent=initiative, product=cast.home_product)

    html = login(cast.stakeholder).get(reverse("portfolio:detail", args=[initiative.pk])).content.decode()
    assert "<strong>fast</strong>" in html and "<li>p95 under 200ms</li>" in html
    for text in ("Faster search", "Platform bet", "Index rebuild", "Pat PM", "Home product", "Home line"):
        assert text in html
    assert 'href="/portfolio/?tag=performance"' in html


def test_markdown_description_cannot_run_script(cast, login):
    initiative = factories.make_initiative(
        product=cast.home_product,
        description=(
            "Hello <script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n"
            '<a href="#" onclick="alert(1)">click</a>'
        ),
    )
    html = login(cast.pm).get(reverse("portfolio:detail", args=[initiative.pk])).content.decode()
    prose = html[
        html.index('<div class="prose">') : html.index("</section>", html.index('<div class="prose">'))
    ]
    assert "<script" not in prose
    assert "javascript:" not in prose
    assert "onerror" not in prose and "onclick" not in prose
    assert "<img" not in prose
    assert "Hello" in prose


def test_detail_shows_the_records_history(cast, login):
    client = login(cast.leader)
    client.post(
        reverse("portfolio:edit", args=[cast.home_initiative.pk]),
        {"title": "Home work, renamed", "kind": Kind.FEATURE, "product": cast.home_product.pk},
    )
    html = client.get(reverse("portfolio:detail", args=[cast.home_initiative.pk])).content.decode()
    history = html[html.index('id="history"') :]
    assert "Updated</strong> by leader" in history
    assert '<span class="old">Home work</span>' in history
    assert '<span class="new">Home work, renamed</span>' in history


def test_stage_buttons_offer_only_allowed_moves(cast, login):
    cast.home_initiative.stage = Stage.IN_DELIVERY
    cast.home_initiative.save()
    response = login(cast.pm).get(reverse("portfolio:detail", args=[cast.home_initiative.pk]))
    offered = [s.value for s in response.context["moves"]]
    assert offered == ["planned", "launched", "measured", "parked", "killed"]
    assert response.context["next_stage"] == "launched"
    assert b'hx-post="/portfolio/' in response.content


def test_readers_get_no_edit_or_move_controls(cast, login):
    html = login(cast.stakeholder).get(reverse("portfolio:detail", args=[cast.home_initiative.pk])).content
    assert b"hx-post" not in html and b"/edit/" not in html
    away = login(cast.pm).get(reverse("portfolio:detail", args=[cast.away_initiative.pk])).content
    assert b"hx-post" not in away and b"/edit/" not in away


# Create, edit, move -----------------------------------------------------------------------------


def test_create_through_the_form(cast, login):
    client = login(cast.pm)
    form = client.get(reverse("portfolio:create"), {"parent": cast.home_initiative.pk})
    assert form.context["form"].initial == {"parent": str(cast.home_initiative.pk)}
    response = client.post(
        reverse("portfolio:create"),
        {
            "title": "Offline mode",
            "kind": Kind.FEATURE,
            "stage": Stage.DISCOVERY,
            "product": cast.home_product.pk,
            "owner": cast.pm_person.pk,
            "parent": cast.home_initiative.pk,
            "description": "Works on the train.",
            "tags": "Mobile, offline , ",
        },
    )
    initiative = Initiative.objects.get(title="Offline mode")
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:detail", args=[initiative.pk])
    assert initiative.stage == Stage.DISCOVERY and initiative.parent == cast.home_initiative
    assert sorted(t.name for t in initiative.tags.all()) == ["mobile", "offline"]
    assert AuditEntry.objects.filter(
        record_type="portfolio.initiative", record_id=str(initiative.pk)
    ).exists()


def test_create_shows_the_services_refusal(cast, login):
    client = login(cast.pm)
    unknown_parent = client.post(
        reverse("portfolio:create"),
        {
            "title": "Orphan",
            "kind": Kind.IDEA,
            "stage": Stage.IDEA,
            "product": cast.home_product.pk,
            "parent": 99999,
        },
    )
    assert unknown_parent.status_code == 422
    assert "Pick one from the list" in unknown_parent.content.decode()  # the parent picker refuses it
    other_line = client.post(
        reverse("portfolio:create"),
        {"title": "Not mine", "kind": Kind.IDEA, "stage": Stage.IDEA, "product": cast.away_product.pk},
    )
    assert other_line.status_code == 403
    assert "only change initiatives in the product lines you belong to" in other_line.content.decode()
    assert not Initiative.objects.filter(title__in=["Orphan", "Not mine"]).exists()


def test_create_form_problems_are_shown_next_to_the_field(cast, login):
    response = login(cast.pm).post(reverse("portfolio:create"), {"title": "", "kind": "nonsense"})
    assert response.status_code == 422
    form = response.context["form"]
    assert "title" in form.errors and "kind" in form.errors
    assert b'class="field-error"' in response.content


def test_edit_through_the_form(cast, login):
    client = login(cast.pm)
    page = client.get(reverse("portfolio:edit", args=[cast.home_initiative.pk]))
    assert page.status_code == 200 and "stage" not in page.context["form"].fields
    response = client.post(
        reverse("portfolio:edit", args=[cast.home_initiative.pk]),
        {"title": "Home work v2", "kind": Kind.INITIATIVE, "product": cast.home_product.pk, "tags": "q3"},
    )
    assert response.status_code == 302
    cast.home_initiative.refresh_from_db()
    assert cast.home_initiative.title == "Home work v2" and cast.home_initiative.kind == Kind.INITIATIVE
    assert [t.name for t in cast.home_initiative.tags.all()] == ["q3"]


def test_edit_refuses_a_cycle_with_the_message(cast, login):
    child = factories.make_initiative(parent=cast.home_initiative, product=cast.home_product)
    response = login(cast.leader).post(
        reverse("portfolio:edit", args=[cast.home_initiative.pk]),
        {"title": "Home work", "kind": Kind.FEATURE, "product": cast.home_product.pk, "parent": child.pk},
    )
    assert response.status_code == 422
    assert "cannot sit inside itself or one of its own children" in response.content.decode()


def test_moving_with_htmx_swaps_the_stage_panel(cast, login):
    client = login(cast.pm)
    response = client.post(
        reverse("portfolio:move", args=[cast.home_initiative.pk]),
        {"stage": Stage.DISCOVERY},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card stage-panel" id="stage-panel"')
    assert 'data-stage="discovery"' in html
    assert 'id="history" aria-labelledby="history-heading" hx-swap-oob="true"' in html
    assert '<dt>Stage</dt><dd><span class="old">Idea</span>' in html  # history names, not codes
    cast.home_initiative.refresh_from_db()
    assert cast.home_initiative.stage == Stage.DISCOVERY


def test_moving_without_js_redirects_back(cast, login):
    response = login(cast.pm).post(
        reverse("portfolio:move", args=[cast.home_initiative.pk]), {"stage": Stage.PARKED}, follow=True
    )
    assert response.status_code == 200
    assert "Moved to Parked." in response.content.decode()


def test_a_refused_move_is_explained_in_the_panel(cast, login):
    cast.home_initiative.stage = Stage.IN_DELIVERY
    cast.home_initiative.save()
    client = login(cast.pm)
    response = client.post(
        reverse("portfolio:move", args=[cast.home_initiative.pk]),
        {"stage": Stage.IDEA},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html and "An initiative in In delivery can move to" in html
    assert 'data-stage="in_delivery"' in html
    cast.home_initiative.refresh_from_db()
    assert cast.home_initiative.stage == Stage.IN_DELIVERY

    full_page = client.post(reverse("portfolio:move", args=[cast.home_initiative.pk]), {"stage": "nowhere"})
    assert full_page.status_code == 422
    assert "Unknown stage" in full_page.content.decode() and "<html" in full_page.content.decode()


def test_a_move_in_another_line_is_refused(cast, login):
    response = login(cast.pm).post(
        reverse("portfolio:move", args=[cast.away_initiative.pk]),
        {"stage": Stage.DISCOVERY},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert "product lines you belong to" in response.content.decode()
    cast.away_initiative.refresh_from_db()
    assert cast.away_initiative.stage == Stage.IDEA


def test_resaving_an_unchanged_description_records_no_change(cast, login):
    """Browsers send CRLF line ends; an unchanged multi-line description must not show up as edited."""
    cast.home_initiative.description = "Line one\n\nLine two\n"
    cast.home_initiative.save()
    login(cast.pm).post(
        reverse("portfolio:edit", args=[cast.home_initiative.pk]),
        {
            "title": "Home work, again",
            "kind": Kind.FEATURE,
            "product": cast.home_product.pk,
            "description": "Line one\r\n\r\nLine two\r\n",
        },
    )
    entry = AuditEntry.objects.get(record_type="portfolio.initiative", record_id=str(cast.home_initiative.pk))
    assert set(entry.changes) == {"title"}


def test_a_move_that_jumps_stages_is_refused_in_the_ui(cast, login):
    from northstar.portfolio import governance

    governance.gates_adopt_suggested(actor=cast.admin)
    response = login(cast.pm).post(
        reverse("portfolio:move", args=[cast.home_initiative.pk]),
        {"stage": Stage.LAUNCHED},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "a problem statement" in response.content.decode()
    cast.home_initiative.refresh_from_db()
    assert cast.home_initiative.stage == Stage.IDEA


def test_many_initiatives_move_or_archive_from_the_list(cast, login):
    from northstar.core import archive
    from northstar.portfolio import governance

    governance.gate_update(actor=cast.admin, stage=Stage.DISCOVERY, requirements=["problem_statement"])
    ready = factories.make_initiative(product=cast.home_product, title="Ready", problem_statement="Why")
    bare = factories.make_initiative(product=cast.home_product, title="Bare")
    client = login(cast.pm)
    listing = client.get(reverse("portfolio:list")).content.decode()
    assert f'name="ids" value="{ready.pk}"' in listing and 'value="move"' in listing
    moved = client.post(
        reverse("portfolio:bulk"), {"ids": [ready.pk, bare.pk], "action": "move", "stage": "discovery"}
    ).content.decode()
    assert "1 moved, 0 waiting for approval, 1 refused" in moved and "a problem statement" in moved
    confirm = client.post(reverse("portfolio:bulk"), {"ids": [ready.pk, bare.pk], "action": "archive"})
    assert "Archive 2 initiatives?" in confirm.content.decode()
    assert not Initiative.all_objects.filter(archived_at__isnull=False).exists()  # asking archives nothing
    client.post(
        reverse("portfolio:bulk"), {"ids": [ready.pk, bare.pk], "action": "archive", "confirm": "yes"}
    )
    assert set(archive.archived(archive.kind_get("initiative")).values_list("title", flat=True)) == {
        "Ready",
        "Bare",
    }
    refused = client.post(
        reverse("portfolio:bulk"), {"ids": [cast.away_initiative.pk], "action": "archive", "confirm": "yes"}
    )
    assert refused.status_code == 403
    assert 'name="ids"' not in login(cast.stakeholder).get(reverse("portfolio:list")).content.decode()
