"""Roadmap pages: the published roadmap and its changes, exports, share links, capacity, budgets and
periods. Scenarios and their optimised plans are in `plan_views`. Views parse, call one service or
selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import concurrency
from northstar.core.errors import ApplicationError
from northstar.core.ratelimit import rate_limit
from northstar.core.services import get_or_404
from northstar.core.web import (
    fetch,
    is_fragment_request,
    refuse,
    require,
    safe_next,
    user_of,
)
from northstar.feedback.clients import visitor_address
from northstar.org import access
from northstar.org.models import ProductLine, Skill, Team
from northstar.planning import exports, roadmaps, selectors, services
from northstar.planning.forms import ShareLinkForm
from northstar.planning.models import (
    Capacity,
    Roadmap,
    RoadmapChange,
    ShareLink,
)
from northstar.strategy.models import PlanningPeriod

DRAFTS_ONLY = (
    "Scenarios and draft plans are for product managers and leaders; "
    "the published roadmap is on the Roadmap page."
)


#: Changes listed on a page; the rest are counted (a whole re-plan of a large portfolio moves hundreds).
SHOWN_CHANGES = 200


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(safe_next(request, fallback))


def _act(request: HttpRequest, action: Any, fallback: str, success: str = "") -> HttpResponse:
    """Run one service call for a POST action; refusals become a message (403/404 become their pages)."""
    try:
        result = action()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return _back(request, fallback)
    if success:
        messages.success(request, success.format(result=result))
    return _back(request, fallback)


def _drafts(request: HttpRequest) -> None:
    require(services.can_see_drafts(user_of(request)), DRAFTS_ONLY)


def _view_options(request: HttpRequest) -> dict[str, Any]:
    lane = request.GET.get("lane") if request.GET.get("lane") in ("line", "team") else "line"
    colour = request.GET.get("colour") if request.GET.get("colour") in ("objective", "stage") else "objective"
    return {"lane": lane, "colour": colour, "line_id": _int(request.GET.get("line"))}


# ---------------------------------------------------------------------------------------------------
# The published roadmap


def _roadmap_context(request: HttpRequest, roadmap: Roadmap | None) -> dict[str, Any]:
    options = _view_options(request)
    context: dict[str, Any] = {"roadmap": roadmap, "lines": ProductLine.objects.order_by("name"), **options}
    if roadmap is None:
        return context
    periods = selectors.roadmap_periods(roadmap)
    entries = selectors.roadmap_entries(roadmap, periods, line_id=options["line_id"])
    context.update(
        periods=periods,
        timeline=selectors.timeline(entries, periods, lane=options["lane"], colour=options["colour"]),
        board=selectors.board(entries, periods),
        changes=list(roadmap.changes.all()[:SHOWN_CHANGES]),
        changes_total=roadmap.changes.count(),
        entry_count=roadmap.entries.count() if options["line_id"] else len(entries),
    )
    return context


@login_required
def roadmap(request: HttpRequest) -> HttpResponse:
    """The latest published roadmap; planners also see how the current plan differs from it."""
    latest = selectors.latest_roadmap()
    context = _roadmap_context(request, latest)
    context["is_landing"] = True
    if services.can_see_drafts(user_of(request)):
        current = selectors.current_plan()
        context["current"] = current
        context["scenarios"] = selectors.scenario_list()
        if current is not None and latest is not None:
            before = roadmaps.roadmap_rows(latest)
            pending = roadmaps.diff(
                before, roadmaps.run_rows(current), run=current, stages=roadmaps.stages_of(before)
            )
            context["pending"], context["pending_shown"] = pending, pending[:SHOWN_CHANGES]
    return render(request, "planning/roadmap.html", context)


@login_required
def published(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    item = fetch(
        get_or_404, Roadmap, roadmap_id, queryset=Roadmap.objects.select_related("published_by", "previous")
    )
    context = _roadmap_context(request, item)
    context["history"] = Roadmap.objects.order_by("-published_on", "-id")[:12]
    return render(request, "planning/roadmap.html", context)


@login_required
@require_POST
def change_reason(request: HttpRequest, change_id: int) -> HttpResponse:
    change = fetch(get_or_404, RoadmapChange, change_id)
    return _act(
        request,
        lambda: roadmaps.change_reason_set(
            actor=user_of(request), change=change, reason=request.POST.get("reason", "")
        ),
        reverse("planning:published", args=[change.roadmap_id]),
        "The reason was recorded.",
    )


def _export(roadmap: Roadmap, fmt: str) -> HttpResponse:
    periods = selectors.roadmap_periods(roadmap)
    entries = selectors.roadmap_entries(roadmap, periods)
    name = f"roadmap-{roadmap.published_on:%Y-%m-%d}"
    if fmt == "csv":
        response = HttpResponse(
            exports.roadmap_csv(roadmap, entries, periods), content_type="text/csv; charset=utf-8"
        )
    elif fmt in ("pdf", "png"):
        response = HttpResponse(
            exports.cached(roadmap, fmt), content_type="application/pdf" if fmt == "pdf" else "image/png"
        )
    else:
        raise Http404("Export as csv, pdf or png.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def roadmap_export(request: HttpRequest, roadmap_id: int, fmt: str) -> HttpResponse:
    return _export(fetch(get_or_404, Roadmap, roadmap_id), fmt)


# ---------------------------------------------------------------------------------------------------
# Share links (the public page needs no login)


@login_required
def share_links(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins manage share links.")
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        roadmap = None if form.cleaned_data["follow_latest"] else selectors.latest_roadmap()
        try:
            link = services.share_link_create(
                actor=user_of(request), label=form.cleaned_data["label"], roadmap=roadmap
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Link for {link.label} created: copy it below.")
            return redirect("planning:share_links")
    links = ShareLink.objects.select_related("roadmap", "created_by")
    return render(
        request,
        "planning/share_links.html",
        {"form": form, "links": links, "latest": selectors.latest_roadmap()},
    )


@login_required
@require_POST
def share_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = fetch(get_or_404, ShareLink, link_id)
    return _act(
        request,
        lambda: services.share_link_revoke(actor=user_of(request), link=link),
        reverse("planning:share_links"),
        "The link was revoked: it no longer opens the roadmap.",
    )


def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What a stakeholder sees through a link: the published roadmap only, read-only, no login."""
    link, item = fetch(services.shared_roadmap, token)
    context = _roadmap_context(request, item)
    context.update(link=link, token=token, is_shared=True)
    response = render(request, "planning/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


#: Exports through a public link, per visitor and ten minutes (each is drawn once, then read from disk).
SHARED_EXPORTS = (20, 600)


def shared_export(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    _link, item = fetch(services.shared_roadmap, token)
    try:
        rate_limit(scope="roadmap-export", who=visitor_address(request), limit=SHARED_EXPORTS[0],
                   window=SHARED_EXPORTS[1])  # fmt: skip
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    return _export(item, fmt)


# ---------------------------------------------------------------------------------------------------
# Capacity, budgets, periods


@login_required
def capacity(request: HttpRequest) -> HttpResponse:
    periods = selectors.periods_upcoming()
    rows = selectors.capacity_grid(periods)
    scope = access.line_scope(user_of(request))
    for row in rows:
        row.editable = scope.allows(row.team.line_id)  # type: ignore[attr-defined]
    return render(
        request,
        "planning/capacity.html",
        {"periods": periods, "rows": rows, "can_lead": user_of(request).is_leading},
    )


@login_required
@require_POST
def capacity_cell(request: HttpRequest) -> HttpResponse:
    team = fetch(get_or_404, Team, request.POST.get("team"))
    skill = fetch(get_or_404, Skill, request.POST.get("skill"))
    period = fetch(get_or_404, PlanningPeriod, request.POST.get("period"))
    version = concurrency.submitted_version(request.POST.get("version"))
    if is_fragment_request(request):
        try:
            cell = services.capacity_set(
                actor=user_of(request),
                team=team,
                skill=skill,
                period=period,
                weeks=request.POST.get("weeks", ""),
                version=version,
            )
        except ApplicationError as exc:
            if exc.status_code == 403:
                refuse(exc)
            context = {
                "team": team,
                "skill_id": skill.pk,
                "period": period,
                # The stored cell, so a second try carries its version and applies the value knowingly.
                "cell": Capacity.objects.filter(team=team, skill=skill, period=period).first(),
                "error": exc.message,
                "value": request.POST.get("weeks", ""),
            }
            return render(request, "planning/_capacity_cell.html", context, status=exc.status_code)
        return render(
            request,
            "planning/_capacity_cell.html",
            {"team": team, "skill_id": skill.pk, "period": period, "cell": cell, "saved": True},
        )
    return _act(
        request,
        lambda: services.capacity_set(
            actor=user_of(request),
            team=team,
            skill=skill,
            period=period,
            weeks=request.POST.get("weeks", ""),
            version=version,
        ),
        reverse("planning:capacity"),
        "Capacity saved.",
    )


@login_required
@require_POST
def capacity_derive(request: HttpRequest) -> HttpResponse:
    periods = selectors.periods_upcoming()
    return _act(
        request,
        lambda: services.capacity_derive(
            actor=user_of(request), periods=periods, availability=request.POST.get("availability", "0.8")
        ),
        reverse("planning:capacity"),
        "{result} capacity cells derived from team members (cells set by hand were kept).",
    )


@login_required
@require_POST
def periods_add(request: HttpRequest) -> HttpResponse:
    count = _int(request.POST.get("count")) or 4
    kind = request.POST.get("kind", PlanningPeriod.Kind.QUARTER)
    return _act(
        request,
        lambda: len(services.periods_ensure(actor=user_of(request), count=count, kind=kind)),
        reverse("planning:capacity"),
        "{result} periods from today are in place.",
    )


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    periods = selectors.periods_upcoming()
    return render(
        request,
        "planning/budgets.html",
        {"periods": periods, "rows": selectors.budget_grid(periods), "can_lead": user_of(request).is_leading},
    )


@login_required
@require_POST
def budget_cell(request: HttpRequest) -> HttpResponse:
    line = fetch(get_or_404, ProductLine, request.POST.get("line"))
    period = fetch(get_or_404, PlanningPeriod, request.POST.get("period"))
    return _act(
        request,
        lambda: services.budget_set(
            actor=user_of(request),
            line=line,
            period=period,
            amount=request.POST.get("amount", ""),
            currency=request.POST.get("currency", "EUR"),
            version=concurrency.submitted_version(request.POST.get("version")),
        ),
        reverse("planning:budgets"),
        "Budget of {result.line} for {result.period} saved.",
    )
