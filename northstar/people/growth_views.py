"""Growth plans with promotion readiness, and 1:1s (the pair's alone; private notes their author's)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core.services import get_or_404
from northstar.core.web import READ_ONLY, edit_page, fetch, require, user_of
from northstar.org.models import Person
from northstar.people import access, growth, selectors
from northstar.people.forms import GoalForm, MentoringForm, OneOnOneForm, TextForm
from northstar.people.hiring_views import _act, _invalid
from northstar.people.models import ActionItem, GrowthGoal, GrowthPlan, MentoringPair, OneOnOne


@login_required
def growth_page(request: HttpRequest, person_id: int) -> HttpResponse:
    person = fetch(get_or_404, Person, person_id)
    viewer = access.viewer_of(user_of(request))
    plans = fetch(selectors.growth_plans, viewer, person)
    return render(
        request,
        "people/growth.html",
        {
            "person": person,
            "plans": plans,
            "readiness": selectors.readiness(viewer, person),
            "can_write": user_of(request).can_write,
            "goal_form": GoalForm(),
            "text_form": TextForm(),
        },
    )


@login_required
@require_POST
def growth_action(request: HttpRequest, person_id: int, action: str) -> HttpResponse:
    person = fetch(get_or_404, Person, person_id)
    actor = user_of(request)
    done = reverse("people:growth", args=[person.pk])
    if action == "plan":
        title = request.POST.get("title", "")
        return _act(
            request, done, lambda: growth.plan_create(actor=actor, person=person, title=title), "Plan added."
        )
    if action == "goal":
        plan = fetch(get_or_404, GrowthPlan, request.POST.get("plan"), queryset=person.growth_plans.all())
        form = GoalForm(request.POST)
        if not form.is_valid():
            return _act(request, done, _invalid("Choose a competency and describe the goal."), "")
        data = form.cleaned_data
        return _act(
            request,
            done,
            lambda: growth.goal_add(
                actor=actor,
                plan=plan,
                competency_id=data["competency"].pk,
                text=data["text"],
                target_date=data["target_date"],
            ),
            "Goal added.",
        )
    if action == "check-in":
        goal = fetch(
            get_or_404,
            GrowthGoal,
            request.POST.get("goal"),
            queryset=GrowthGoal.objects.filter(plan__person=person).select_related("plan"),
        )
        text, is_done = request.POST.get("text", ""), request.POST.get("done") == "on"
        return _act(
            request,
            done,
            lambda: growth.goal_check_in(actor=actor, goal=goal, text=text, done=is_done),
            "Check-in recorded.",
        )
    return render(request, "404.html", status=404)


@login_required
def one_on_ones(request: HttpRequest) -> HttpResponse:
    viewer = access.viewer_of(user_of(request))
    return render(
        request,
        "people/one_on_ones.html",
        {
            "pairs": selectors.mentoring_pairs(viewer)[:100],
            "items": selectors.one_on_ones(viewer),
            "has_reports": Person.objects.filter(manager_id=viewer.person_id).exists(),
        },
    )


@login_required
def one_on_one_start(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user.can_write, READ_ONLY)
    viewer = access.viewer_of(user)
    return edit_page(
        request,
        form=OneOnOneForm(request.POST or None, manager_id=viewer.person_id),
        save=lambda data: growth.one_on_one_start(actor=user, **data),
        done=lambda saved: reverse("people:one_on_one", args=[saved.pk]),
        context={"heading": "Start 1:1s", "back_url": reverse("people:one_on_ones"), "back_label": "1:1s"},
        success="{record} scheduled.",
    )


def _one_on_one(one_on_one_id: int) -> OneOnOne:
    return fetch(
        get_or_404, OneOnOne, one_on_one_id, queryset=OneOnOne.objects.select_related("manager", "report")
    )


@login_required
def one_on_one(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    found = _one_on_one(one_on_one_id)
    view = fetch(selectors.one_on_one_view, access.viewer_of(user_of(request)), found)
    return render(request, "people/one_on_one.html", {"view": view, "text_form": TextForm()})


@login_required
@require_POST
def one_on_one_action(request: HttpRequest, one_on_one_id: int, action: str) -> HttpResponse:
    found = _one_on_one(one_on_one_id)
    actor = user_of(request)
    done = reverse("people:one_on_one", args=[found.pk])
    text = request.POST.get("text", "")
    call: Callable[[], object]
    if action == "agenda":
        call, message = (
            lambda: growth.agenda_add(actor=actor, one_on_one=found, text=text),
            "Added to the agenda.",
        )
    elif action == "action":
        call, message = (
            lambda: growth.action_add(actor=actor, one_on_one=found, text=text),
            "Action item added.",
        )
    elif action == "note":
        call, message = (
            lambda: growth.private_note_add(actor=actor, one_on_one=found, body=text),
            "Note saved.",
        )
    elif action == "held":
        call, message = lambda: growth.meeting_held(actor=actor, one_on_one=found), "Held: see you next time."
    elif action == "done":
        item = fetch(get_or_404, ActionItem, request.POST.get("item"), queryset=found.actions.all())
        call, message = lambda: growth.action_done(actor=actor, action=item), "Done."
    else:
        return render(request, "404.html", status=404)
    return _act(request, done, call, message)


@login_required
def mentoring_start(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user.can_write, READ_ONLY)
    return edit_page(
        request,
        form=MentoringForm(request.POST or None),
        save=lambda data: growth.mentoring_start(actor=user, **data),
        done=lambda pair: reverse("people:mentoring", args=[pair.pk]),
        context={
            "heading": "Start mentoring",
            "back_url": reverse("people:one_on_ones"),
            "back_label": "1:1s",
        },
        success="{record}.",
    )


def _pair(pair_id: int) -> MentoringPair:
    return fetch(
        get_or_404, MentoringPair, pair_id, queryset=MentoringPair.objects.select_related("mentor", "mentee")
    )


@login_required
def mentoring(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = _pair(pair_id)
    notes = fetch(selectors.mentoring_notes, access.viewer_of(user_of(request)), pair)
    return render(request, "people/mentoring.html", {"pair": pair, "notes": notes})


@login_required
@require_POST
def mentoring_note(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = _pair(pair_id)
    text = request.POST.get("text", "")
    return _act(
        request,
        reverse("people:mentoring", args=[pair.pk]),
        lambda: growth.mentoring_note_add(actor=user_of(request), pair=pair, body=text),
        "Note added.",
    )
