"""People pages: the career framework, people, review cycles, assessments and calibration.

Everyone signed in reads the framework and the people list; reviews are read through
`selectors.review_view`, which applies the privacy rules; leaders run cycles and calibrate.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.services import get_or_404
from northstar.core.web import edit_page, fetch, flash, paginate, refuse, render_list, require, user_of
from northstar.org.models import Person
from northstar.people import access, selectors, services
from northstar.people.forms import (
    AssessmentForm,
    CalibrateForm,
    CycleForm,
    ExpectationForm,
    FeedbackRequestForm,
    PeopleFilterForm,
)
from northstar.people.models import CareerLevel, Competency, Expectation, Review, ReviewCycle, Track

LEADERS_ONLY = "Only product leaders and admins can {what}."


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My part in people work: assessments to write, reviews I may read, and the leaders' cycles."""
    viewer = access.viewer_of(user_of(request))
    return render(
        request,
        "people/index.html",
        {
            "assessments": selectors.my_assessments(viewer)[:50],
            "reviews": selectors.reviews_readable(viewer)[:50],
            "cycles": selectors.cycles()[:10] if viewer.leading else [],
            "viewer": viewer,
        },
    )


# Career framework -----------------------------------------------------------------------------------


@login_required
def framework(request: HttpRequest) -> HttpResponse:
    track = request.GET.get("track", "")
    track = track if track in Track.values else ""
    return render(
        request,
        "people/framework.html",
        {
            "matrix": selectors.matrix(track=track),
            "tracks": Track.choices,
            "track": track,
            "levels": selectors.levels(),
        },
    )


@login_required
@require_POST
def framework_install(request: HttpRequest) -> HttpResponse:
    try:
        added = services.framework_install(actor=user_of(request))
    except ApplicationError as exc:
        refuse(exc)
    flash(request, messages.SUCCESS, f"Added {added['expectations']} expectations to the framework.")
    return redirect("people:framework")


@login_required
def expectation_edit(request: HttpRequest, level_id: int, competency_id: int) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="change the career framework"))
    level = fetch(get_or_404, CareerLevel, level_id)
    competency = fetch(get_or_404, Competency, competency_id)
    cell = Expectation.objects.filter(level=level, competency=competency).first()
    form = ExpectationForm(request.POST or None, initial={"text": cell.text if cell else ""})
    return edit_page(
        request,
        form=form,
        record=cell,
        save=lambda data: services.expectation_set(
            actor=user_of(request), level=level, competency=competency, **data
        ),
        done=lambda saved: reverse("people:framework") + f"?track={level.track}",
        context={
            "heading": f"{competency.name} at {level.name}",
            "back_url": reverse("people:framework"),
            "back_label": "Career framework",
        },
        success="Saved: {record}.",
    )


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Two levels side by side: what changes from one to the other."""
    all_levels = list(selectors.levels())
    by_id = {str(lv.pk): lv for lv in all_levels}
    first = by_id.get(request.GET.get("a", ""))
    second = by_id.get(request.GET.get("b", ""))
    if first is None and all_levels:
        first = all_levels[0]
    if second is None and first is not None:
        second = selectors.next_level(first) or first
    rows = selectors.compare(first, second) if first and second else []
    return render(
        request,
        "people/compare.html",
        {"levels": all_levels, "first": first, "second": second, "rows": rows},
    )


# People -----------------------------------------------------------------------------------------------


@login_required
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET)
    search = track = ""
    if form.is_valid():
        search, track = form.cleaned_data["search"].strip(), form.cleaned_data["track"]
    page = paginate(request, selectors.people(search=search, track=track))
    tracks = selectors.track_of_levels()
    rows = [(p, tracks.get(p.level, ("", "—"))[1]) for p in page.object_list]
    return render_list(
        request,
        "people/people.html",
        "people/_people_results.html",
        {"form": form, "page_obj": page, "rows": rows},
    )


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's place on the ladder, what their level and the next one expect, and the reviews the
    viewer may read (none for anyone outside their manager chain)."""
    found = fetch(get_or_404, Person, person_id, queryset=Person.objects.select_related("manager"))
    viewer = access.viewer_of(user_of(request))
    relation = access.review_access(viewer, found.pk)
    level = selectors.career_level_of(found)
    following = selectors.next_level(level) if level else None
    return render(
        request,
        "people/person.html",
        {
            "person": found,
            "level": level,
            "next_level": following,
            "rows": selectors.compare(level, following) if level and following else [],
            "reviews": found.reviews.select_related("cycle").order_by("-cycle__period_end")
            if relation.allowed
            else None,
        },
    )


# Review cycles ------------------------------------------------------------------------------------------


@login_required
def cycles(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="run review cycles"))
    return render(request, "people/cycles.html", {"page_obj": paginate(request, selectors.cycles())})


@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="open review cycles"))
    return edit_page(
        request,
        form=CycleForm(request.POST or None),
        save=lambda data: services.cycle_open(actor=user_of(request), **data),
        done=lambda cycle: reverse("people:cycle", args=[cycle.pk]),
        context={
            "heading": "Open a review cycle",
            "back_url": reverse("people:cycles"),
            "back_label": "Cycles",
        },
        success="{record} is open: participants can write their reviews.",
    )


@login_required
def cycle(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The leader's view of a cycle: calibration (ratings by level and line, outliers, promotions)."""
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="calibrate review cycles"))
    found = fetch(get_or_404, ReviewCycle, cycle_id)
    return render(request, "people/cycle.html", {"cycle": found, "calibration": selectors.calibration(found)})


@login_required
@require_POST
def cycle_action(request: HttpRequest, cycle_id: int, action: str) -> HttpResponse:
    found = fetch(get_or_404, ReviewCycle, cycle_id)
    actor = user_of(request)
    try:
        if action == "calibrate":
            services.cycle_start_calibration(actor=actor, cycle=found)
            message = "Calibration started: assessments are closed."
        elif action == "sign-off":
            services.cycle_sign_off(actor=actor, cycle=found)
            message = "Signed off: everyone can read their outcome."
        elif action == "remind":
            sent = services.cycle_remind(actor=actor, cycle=found)
            message = f"Sent {sent} reminder(s)."
        else:
            return render(request, "404.html", status=404)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        flash(request, messages.ERROR, exc.message)
        return redirect("people:cycle", cycle_id=found.pk)
    flash(request, messages.SUCCESS, message)
    return redirect("people:cycle", cycle_id=found.pk)


# Reviews and assessments ------------------------------------------------------------------------------


def _review(review_id: int) -> Review:
    return fetch(
        get_or_404, Review, review_id, queryset=Review.objects.select_related("person", "cycle", "manager")
    )


@login_required
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    found = _review(review_id)
    viewer = access.viewer_of(user_of(request))
    view = fetch(selectors.review_view, viewer, found)
    can_request = view.relation.is_self or viewer.leading or viewer.person_id == found.manager_id
    return render(
        request,
        "people/review.html",
        {
            "view": view,
            "request_form": FeedbackRequestForm() if can_request else None,
            "calibrate_form": CalibrateForm(
                initial={
                    "final_rating": found.final_rating,
                    "promotion": found.promotion,
                    "outcome": found.outcome,
                }
            )
            if viewer.leading
            else None,
        },
    )


@login_required
@require_POST
def review_request(request: HttpRequest, review_id: int) -> HttpResponse:
    found = _review(review_id)
    form = FeedbackRequestForm(request.POST)
    if not form.is_valid():
        flash(request, messages.ERROR, "Choose who to ask and how they work with the person.")
        return redirect("people:review", review_id=found.pk)
    try:
        services.feedback_request(actor=user_of(request), review=found, **form.service_data())
    except ApplicationError as exc:
        if exc.status_code == 403:
            refuse(exc)
        flash(request, messages.ERROR, exc.message)
        return redirect("people:review", review_id=found.pk)
    flash(request, messages.SUCCESS, f"Asked {form.cleaned_data['reviewer'].name} for feedback.")
    return redirect("people:review", review_id=found.pk)


@login_required
@require_POST
def review_calibrate(request: HttpRequest, review_id: int) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY.format(what="calibrate reviews"))
    found = _review(review_id)
    form = CalibrateForm(request.POST)
    if not form.is_valid():
        flash(request, messages.ERROR, "Choose a final rating.")
        return redirect("people:review", review_id=found.pk)
    try:
        services.review_calibrate(actor=user_of(request), review=found, **form.service_data())
    except ApplicationError as exc:
        flash(request, messages.ERROR, exc.message)
        return redirect("people:review", review_id=found.pk)
    flash(request, messages.SUCCESS, "Calibrated.")
    return redirect("people:review", review_id=found.pk)


@login_required
def feedback(request: HttpRequest, feedback_id: int) -> HttpResponse:
    """Write an assessment (self, manager or 360): only its author can open this page."""
    actor = user_of(request)
    found = fetch(services.feedback_for_author, actor=actor, feedback_id=feedback_id)
    level = selectors.career_level_of(found.review.person)
    expectations = (
        dict(Expectation.objects.filter(level=level).values_list("competency_id", "text")) if level else {}
    )
    form = AssessmentForm(request.POST or None, feedback=found, expectations=expectations)
    if found.submitted_at is not None:
        return render(request, "people/feedback_done.html", {"feedback": found})
    return edit_page(
        request,
        form=form,
        save=lambda data: services.feedback_submit(actor=actor, feedback=found, **data),
        done=lambda saved: reverse("people:index"),
        context={
            "heading": f"{found.get_kind_display()}: {found.review.person.name}",
            "back_url": reverse("people:index"),
            "back_label": "People & hiring",
            "submit_label": "Submit",
        },
        success="Thank you: your assessment was submitted.",
    )
