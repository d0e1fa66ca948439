"""The org pages: chart, people, product lines, products and teams, with their forms and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from northstar.org.models import Level, Person, Product, ProductLine, Team
from tests import factories


@pytest.fixture
def division(cast):
    """A CPO with a VP, a director with a line, a group PM, a PM, an APM and a head of UX."""
    cpo = Person.objects.get(name="Cora CPO")
    vp = factories.make_person(name="Vera VP", level=Level.VP, title="VP Product, Growth", manager=cpo)
    director = factories.make_person(name="Dan Director", level=Level.DIRECTOR, title="Director", manager=vp)
    gpm = factories.make_person(name="Gwen GPM", level=Level.GROUP_PM, title="Group PM", manager=director)
    pm = factories.make_person(name="Pia PM", level=Level.PM, title="PM, Checkout", manager=gpm)
    apm = factories.make_person(name="Al APM", level=Level.APM, title="APM", manager=pm)
    ux = factories.make_person(name="Uma UX", level=Level.UX_LEAD, title="Head of UX", manager=cpo)
    line = factories.make_line(name="Growth", director=director)
    line.owners.set([gpm])
    return {
        "cpo": cpo,
        "vp": vp,
        "director": director,
        "gpm": gpm,
        "pm": pm,
        "apm": apm,
        "ux": ux,
        "line": line,
    }


# Org chart ---------------------------------------------------------------------------------------


def test_org_chart_nests_people_under_their_managers(cast, division, login):
    response = login(cast.stakeholder).get(reverse("org:chart"))
    assert response.status_code == 200
    html = response.content.decode()
    order = [
        html.index(name) for name in ("Cora CPO", "Vera VP", "Dan Director", "Gwen GPM", "Pia PM", "Al APM")
    ]
    assert order == sorted(order)
    # Each is inside the previous one's reports (a deeper nesting level in the tree).
    cpo = response.context["roots"][0]
    assert cpo.person.name == "Cora CPO"
    assert [n.person.name for n in cpo.reports] == ["Vera VP", "Pat PM", "Uma UX"]
    director = cpo.reports[0].reports[0]
    assert director.person.name == "Dan Director" and director.lines == ["Growth"]
    assert director.reports[0].reports[0].reports[0].person.name == "Al APM"
    for text in ("VP Product, Growth", "Head of UX", "Director of Product", "Associate Product Manager"):
        assert text in html
    assert '<li class="chip">Growth</li>' in html
    assert "3 direct reports" in html and "<details" in html


def test_org_chart_query_count_is_fixed(cast, division, login, django_assert_num_queries):
    client = login(cast.pm)
    with django_assert_num_queries(5):
        client.get(reverse("org:chart"))
    for i in range(30):
        factories.make_person(name=f"Extra {i}", manager=division["gpm"])
    with django_assert_num_queries(5):
        response = client.get(reverse("org:chart"))
    assert "Extra 29" in response.content.decode()


# People ------------------------------------------------------------------------------------------


def test_people_list_searches_and_filters_by_level(cast, division, login):
    client = login(cast.stakeholder)
    everyone = client.get(reverse("org:people"))
    assert everyone.context["page_obj"].paginator.count == Person.objects.count()
    by_name = client.get(reverse("org:people"), {"search": "vera"})
    assert [p.name for p in by_name.context["page_obj"]] == ["Vera VP"]
    by_title = client.get(reverse("org:people"), {"search": "checkout"})
    assert [p.name for p in by_title.context["page_obj"]] == ["Pia PM"]
    directors = client.get(reverse("org:people"), {"level": Level.DIRECTOR})
    assert "Dan Director" in [p.name for p in directors.context["page_obj"]]
    assert all(p.level == Level.DIRECTOR for p in directors.context["page_obj"])
    fragment = client.get(reverse("org:people"), {"search": "uma"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"Uma UX" in fragment.content


def test_people_list_is_paginated_in_fixed_queries(cast, login, django_assert_num_queries, settings):
    settings.PAGE_SIZE = 10
    boss = factories.make_person(name="Boss")
    for i in range(26):  # with the cast's four people: 31, so four pages of ten
        factories.make_person(name=f"Report {i:02}", manager=boss)
    client = login(cast.pm)
    with django_assert_num_queries(4):  # session, user, count, the page with managers joined
        first = client.get(reverse("org:people"))
    with django_assert_num_queries(4):
        third = client.get(reverse("org:people"), {"page": 3})
    assert first.context["page_obj"].paginator.num_pages == 4
    assert len(third.context["page_obj"]) == 10
    assert "Page 3 of 4" in third.content.decode()


def test_person_detail_shows_manager_reports_and_lines(cast, division, login):
    html = login(cast.pm).get(reverse("org:person_detail", args=[division["director"].pk])).content.decode()
    for text in ("Dan Director", "Vera VP", "Gwen GPM", "Growth", "Director of Product"):
        assert text in html
    assert "/edit/" not in html


def test_leader_creates_and_edits_a_person(cast, division, login):
    client = login(cast.leader)
    response = client.post(
        reverse("org:person_create"),
        {
            "name": "Nia New",
            "email": "nia@example.com",
            "title": "PM",
            "level": Level.PM,
            "manager": division["gpm"].pk,
        },
    )
    nia = Person.objects.get(email="nia@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("org:person_detail", args=[nia.pk])
    assert nia.manager == division["gpm"]

    edit = client.get(reverse("org:person_edit", args=[nia.pk]))
    assert edit.context["form"].initial["manager"] == division["gpm"].pk
    assert nia not in edit.context["form"].fields["manager"].queryset  # nobody manages themselves
    client.post(
        reverse("org:person_edit", args=[nia.pk]),
        {"name": "Nia New", "email": "nia@example.com", "title": "Senior PM", "level": Level.SENIOR_PM},
    )
    nia.refresh_from_db()
    assert nia.title == "Senior PM" and nia.manager is None


def test_a_reporting_cycle_is_refused_with_the_reason(cast, division, login):
    response = login(cast.leader).post(
        reverse("org:person_edit", args=[division["vp"].pk]),
        {
            "name": "Vera VP",
            "email": division["vp"].email,
            "title": "VP",
            "level": Level.VP,
            "manager": division["apm"].pk,
        },
    )
    assert response.status_code == 409
    assert "which would make a reporting cycle" in response.content.decode()
    division["vp"].refresh_from_db()
    assert division["vp"].manager == division["cpo"]


def test_person_form_problems_are_shown(cast, login):
    response = login(cast.leader).post(reverse("org:person_create"), {"name": "X", "email": "not-an-email"})
    assert response.status_code == 422
    assert {"email", "title", "level"} <= set(response.context["form"].errors)


# Product lines and products --------------------------------------------------------------------


def test_lines_list_and_detail(cast, division, login):
    factories.make_team(name="Growth squad", line=division["line"], skills=("mobile", "data"))
    factories.make_product(name="Referrals", line=division["line"])
    client = login(cast.stakeholder)
    lines = client.get(reverse("org:lines")).content.decode()
    assert "Growth" in lines and "Director: Dan Director" in lines
    html = client.get(reverse("org:line_detail", args=[division["line"].pk])).content.decode()
    for text in ("Dan Director", "Gwen GPM", "Referrals", "Growth squad", "mobile", "data", "€12,000"):
        assert text in html
    assert "Edit line" not in html and "Add team" not in html


def test_pm_gets_add_buttons_only_inside_their_line(cast, login):
    client = login(cast.pm)
    home = client.get(reverse("org:line_detail", args=[cast.home_line.pk])).content.decode()
    assert "Add product" in home and "Add team" in home and "Edit line" not in home
    away = client.get(reverse("org:line_detail", args=[cast.away_line.pk])).content.decode()
    assert "Add product" not in away and "Add team" not in away


def test_leader_creates_a_line(cast, division, login):
    director = factories.make_person(name="Dee Director", level=Level.DIRECTOR)
    response = login(cast.leader).post(
        reverse("org:line_create"),
        {
            "name": "Payments",
            "description": "Money in, money out.",
            "director": director.pk,
            "owners": [division["pm"].pk],
        },
    )
    line = ProductLine.objects.get(name="Payments")
    assert response.status_code == 302 and response["Location"] == reverse("org:line_detail", args=[line.pk])
    assert line.director == director and list(line.owners.all()) == [division["pm"]]


def test_a_second_director_on_a_line_is_refused(cast, division, login):
    other_director = factories.make_person(name="Otto Other", level=Level.DIRECTOR)
    line = division["line"]
    response = login(cast.leader).post(
        reverse("org:line_edit", args=[line.pk]),
        {"name": line.name, "director": division["director"].pk, "owners": [other_director.pk]},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "already has a director (Dan Director)" in html and "Otto Other" in html
    assert other_director not in line.owners.all()


def test_pm_adds_and_renames_a_product_in_their_line(cast, login):
    client = login(cast.pm)
    form = client.get(reverse("org:product_create"), {"line": cast.home_line.pk})
    assert form.context["form"].initial == {"line": str(cast.home_line.pk)}
    created = client.post(reverse("org:product_create"), {"line": cast.home_line.pk, "name": "Widgets"})
    assert created.status_code == 302
    widgets = Product.objects.get(name="Widgets")
    client.post(
        reverse("org:product_edit", args=[widgets.pk]), {"line": cast.home_line.pk, "name": "Gadgets"}
    )
    widgets.refresh_from_db()
    assert widgets.name == "Gadgets"


def test_pm_cannot_add_a_product_to_another_line(cast, login):
    response = login(cast.pm).post(
        reverse("org:product_create"), {"line": cast.away_line.pk, "name": "Sneaky"}
    )
    assert response.status_code == 403
    assert "only change products in the product lines you belong to" in response.content.decode()
    assert not Product.objects.filter(name="Sneaky").exists()


def test_a_duplicate_product_name_in_a_line_is_explained(cast, login):
    response = login(cast.leader).post(
        reverse("org:product_create"), {"line": cast.home_line.pk, "name": cast.home_product.name}
    )
    assert response.status_code == 422
    assert "Invalid product" in response.content.decode()


# Teams -------------------------------------------------------------------------------------------


def test_teams_list_and_detail(cast, login):
    client = login(cast.stakeholder)
    teams = client.get(reverse("org:teams")).content.decode()
    assert "Home team" in teams and "Away team" in teams and "backend" in teams
    detail = client.get(reverse("org:team_detail", args=[cast.home_team.pk])).content.decode()
    assert "Pat PM" in detail and "Home line" in detail and "€12,000" in detail and "12,000.00" not in detail
    assert "/edit/" not in detail


def test_pm_creates_a_team_with_skills_members_and_cost(cast, login):
    response = login(cast.pm).post(
        reverse("org:team_create"),
        {
            "name": "Search squad",
            "line": cast.home_line.pk,
            "skills": "Backend, search ,data",
            "members": [cast.pm_person.pk],
            "cost_rate": "15000.50",
            "currency": "gbp",
        },
    )
    team = Team.objects.get(name="Search squad")
    assert response.status_code == 302 and response["Location"] == reverse("org:team_detail", args=[team.pk])
    assert sorted(s.name for s in team.skills.all()) == ["backend", "data", "search"]
    assert list(team.members.all()) == [cast.pm_person]
    assert team.cost_rate == Decimal("15000.50") and team.currency == "GBP"


def test_a_team_without_a_line_is_refused_with_the_reason(cast, login):
    response = login(cast.leader).post(
        reverse("org:team_create"), {"name": "Floating", "line": "", "cost_rate": "0", "currency": "EUR"}
    )
    assert response.status_code == 422
    assert "A team must belong to a product line" in response.content.decode()
    assert not Team.objects.filter(name="Floating").exists()


def test_team_edit_prefills_and_saves(cast, login):
    client = login(cast.pm)
    page = client.get(reverse("org:team_edit", args=[cast.home_team.pk]))
    assert page.context["form"].initial["skills"] == "backend"
    assert page.context["form"].initial["members"] == [cast.pm_person.pk]
    client.post(
        reverse("org:team_edit", args=[cast.home_team.pk]),
        {
            "name": "Home team",
            "line": cast.home_line.pk,
            "skills": "frontend",
            "cost_rate": "9000",
            "currency": "EUR",
        },
    )
    cast.home_team.refresh_from_db()
    assert [s.name for s in cast.home_team.skills.all()] == ["frontend"]
    assert list(cast.home_team.members.all()) == []
    assert cast.home_team.cost_rate == Decimal("9000")


def test_the_last_team_cannot_leave_its_line(cast, login):
    response = login(cast.leader).post(
        reverse("org:team_edit", args=[cast.home_team.pk]),
        {"name": "Home team", "line": cast.away_line.pk, "cost_rate": "1", "currency": "EUR"},
    )
    assert response.status_code == 409
    assert "must keep at least one team" in response.content.decode()
