"""Org pages: the chart, people, product lines, products and teams.

Reading is open to every signed-in user. Changing the shape of the org (people, lines) is for leaders;
products and teams may also be changed by product managers inside their own lines. Pages a user could
never submit are refused up front with the 403 page; the services still make the final decision.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from northstar.core.services import get_or_404
from northstar.core.web import READ_ONLY, edit_page, fetch, paginate, render_list, require, user_of
from northstar.org import access, selectors, services
from northstar.org.forms import LineForm, PeopleFilterForm, PersonForm, ProductForm, TeamForm
from northstar.org.models import Person, Product, ProductLine, Team

LEADERS_ONLY = "Only product leaders and admins can change {what}."
NOT_YOUR_LINE = "You can only change {what} in the product lines you belong to."


@login_required
def chart(request: HttpRequest) -> HttpResponse:
    """The reporting tree from the CPO down, with the lines each person directs or owns."""
    return render(request, "org/chart.html", {"roots": selectors.org_chart()})


# People ------------------------------------------------------------------------------------------


@login_required
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET)
    search = level = ""
    if form.is_valid():
        search, level = form.cleaned_data["search"].strip(), form.cleaned_data["level"]
    page = paginate(request, selectors.person_list(search=search, level=level))
    return render_list(
        request, "org/people.html", "org/_people_results.html", {"form": form, "page_obj": page}
    )


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = fetch(get_or_404, Person, person_id, queryset=selectors.person_detail_queryset())
    return render(request, "org/person_detail.html", {"person": person})


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="the people in the organisation"))
    return edit_page(
        request,
        form=PersonForm(request.POST or None),
        save=lambda data: services.person_create(actor=user_of(request), **data),
        done=lambda person: reverse("org:person_detail", args=[person.pk]),
        context={"heading": "Add a person", "back_url": reverse("org:people"), "back_label": "People"},
        success="{record} was added.",
    )


@login_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="the people in the organisation"))
    person = fetch(get_or_404, Person, person_id)
    return edit_page(
        request,
        form=PersonForm(request.POST or None, person=person),
        record=person,
        save=lambda data: services.person_update(actor=user_of(request), person=person, **data),
        done=lambda saved: reverse("org:person_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {person.name}",
            "back_url": reverse("org:person_detail", args=[person.pk]),
            "back_label": person.name,
        },
        success="{record} was saved.",
    )


# Product lines -----------------------------------------------------------------------------------


@login_required
def lines(request: HttpRequest) -> HttpResponse:
    return render(request, "org/lines.html", {"lines": selectors.line_list().order_by("name")})


@login_required
def line_detail(request: HttpRequest, line_id: int) -> HttpResponse:
    line = fetch(get_or_404, ProductLine, line_id, queryset=selectors.line_list())
    can_edit = access.can_edit_line(user_of(request), line.pk)
    skills = sorted({skill.name for team in line.teams.all() for skill in team.skills.all()})
    return render(
        request, "org/line_detail.html", {"line": line, "skills": skills, "can_edit_inside": can_edit}
    )


@login_required
def line_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="product lines"))
    return edit_page(
        request,
        form=LineForm(request.POST or None),
        save=lambda data: services.line_create(actor=user_of(request), **data),
        done=lambda line: reverse("org:line_detail", args=[line.pk]),
        context={
            "heading": "New product line",
            "back_url": reverse("org:lines"),
            "back_label": "Product lines",
        },
        success="{record} was created.",
    )


@login_required
def line_edit(request: HttpRequest, line_id: int) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="product lines"))
    line = fetch(get_or_404, ProductLine, line_id, queryset=ProductLine.objects.prefetch_related("owners"))
    return edit_page(
        request,
        form=LineForm(request.POST or None, line=line),
        record=line,
        save=lambda data: services.line_update(actor=user_of(request), line=line, **data),
        done=lambda saved: reverse("org:line_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {line.name}",
            "back_url": reverse("org:line_detail", args=[line.pk]),
            "back_label": line.name,
        },
        success="{record} was saved.",
    )


# Products ----------------------------------------------------------------------------------------


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    initial = {"line": request.GET.get("line")} if request.GET.get("line", "").isdigit() else None
    return edit_page(
        request,
        form=ProductForm(request.POST or None, initial=initial),
        save=lambda data: services.product_create(actor=user_of(request), **data),
        done=lambda product: reverse("org:line_detail", args=[product.line_id]),
        context={"heading": "New product", "back_url": reverse("org:lines"), "back_label": "Product lines"},
        success="{record} was created.",
    )


@login_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = fetch(get_or_404, Product, product_id)
    require(user_of(request).can_write, READ_ONLY)
    require(access.can_edit_line(user_of(request), product.line_id), NOT_YOUR_LINE.format(what="products"))
    return edit_page(
        request,
        form=ProductForm(request.POST or None, product=product),
        record=product,
        save=lambda data: services.product_update(actor=user_of(request), product=product, **data),
        done=lambda saved: reverse("org:line_detail", args=[saved.line_id]),
        context={
            "heading": f"Edit {product.name}",
            "back_url": reverse("org:line_detail", args=[product.line_id]),
            "back_label": "Product line",
        },
        success="{record} was saved.",
    )


# Teams -------------------------------------------------------------------------------------------


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    return render(request, "org/teams.html", {"teams": selectors.team_list()})


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = fetch(get_or_404, Team, team_id, queryset=selectors.team_list())
    can_edit = access.can_edit_line(user_of(request), team.line_id)
    return render(request, "org/team_detail.html", {"team": team, "can_edit": can_edit})


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    initial = {"line": request.GET.get("line")} if request.GET.get("line", "").isdigit() else None
    return edit_page(
        request,
        form=TeamForm(request.POST or None, initial=initial),
        save=lambda data: services.team_create(actor=user_of(request), **data),
        done=lambda team: reverse("org:team_detail", args=[team.pk]),
        context={"heading": "New team", "back_url": reverse("org:teams"), "back_label": "Teams"},
        success="{record} was created.",
    )


@login_required
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = fetch(get_or_404, Team, team_id, queryset=selectors.team_list())
    require(user_of(request).can_write, READ_ONLY)
    require(access.can_edit_line(user_of(request), team.line_id), NOT_YOUR_LINE.format(what="teams"))
    return edit_page(
        request,
        form=TeamForm(request.POST or None, team=team),
        record=team,
        save=lambda data: services.team_update(actor=user_of(request), team=team, **data),
        done=lambda saved: reverse("org:team_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {team.name}",
            "back_url": reverse("org:team_detail", args=[team.pk]),
            "back_label": team.name,
        },
        success="{record} was saved.",
    )
