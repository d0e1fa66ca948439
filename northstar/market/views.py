"""Market pages: the overview (segments by size and our share), segments with their estimate history,
competitors side by side, win/loss with loss reasons as evidence, research notes. Views parse, call one
service or selector, and render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError, PermissionDenied
from northstar.core.markdown import render_markdown
from northstar.core.services import get_or_404
from northstar.core.web import (
    READ_ONLY,
    edit_page,
    fetch,
    flash,
    paginate,
    plotly_url,
    refuse,
    render_list,
    require,
    user_of,
)
from northstar.market import charts, imports, selectors, services
from northstar.market.forms import (
    CapabilityForm,
    CompetitorForm,
    EstimateForm,
    ImportForm,
    NoteForm,
    RatingForm,
    ReasonLinkForm,
    SegmentForm,
    ServesForm,
)
from northstar.market.models import Competitor, Outcome, ReasonLink, ResearchNote, Segment
from northstar.portfolio.models import Initiative
from northstar.portfolio.permissions import editable_ids
from northstar.strategy.models import Objective


def _date_param(request: HttpRequest, name: str) -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


# ---------------------------------------------------------------------------------------------------
# Overview and segments


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.segment_rows()
    wl = selectors.win_loss()
    return render(
        request,
        "market/index.html",
        {
            "rows": rows,
            "chart": charts.segment_chart(rows),
            "plotly_url": plotly_url(),
            "competitors": selectors.competitor_list()[:12],
            "win_loss": wl,
            "notes": selectors.note_search()[:5],
            "can_write": user_of(request).can_write,
        },
    )


@login_required
def segment_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=SegmentForm(request.POST or None),
        save=lambda data: services.segment_create(actor=user_of(request), **data),
        done=lambda segment: reverse("market:segment_detail", args=[segment.pk]),
        context={"heading": "New segment", "back_url": reverse("market:index"), "back_label": "Market"},
        success="{record} was created: add its first size estimate.",
    )


@login_required
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = fetch(get_or_404, Segment, segment_id, queryset=Segment.all_objects.all())
    row = selectors.segment_rows(Segment.all_objects.filter(pk=segment.pk))[0]  # archived ones too
    history = selectors.segment_history(segment)
    wl = selectors.win_loss(segment_id=segment.pk)
    return render(
        request,
        "market/segment_detail.html",
        {
            "segment": segment,
            "row": row,
            "history": history[::-1],
            "implied_growth": selectors.implied_growth(history),
            "competitors": segment.competitors.all(),
            "objectives": segment.objectives.select_related("period"),
            "initiatives": segment.initiatives.all(),
            "notes": selectors.note_search(segment_id=segment.pk)[:10],
            "win_loss": wl,
            "rate_chart": charts.win_rate_chart(wl.by_quarter),
            "plotly_url": plotly_url(),
            "estimate_form": EstimateForm(
                initial={"as_of": timezone.localdate(), "spread": "0.2", "growth_rate": "0"}
            ),
            "serves_form": ServesForm(segment=segment),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = fetch(get_or_404, Segment, segment_id)
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=SegmentForm(request.POST or None, segment=segment),
        record=segment,
        save=lambda data: services.segment_update(actor=user_of(request), segment=segment, **data),
        done=lambda saved: reverse("market:segment_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {segment.name}",
            "back_url": reverse("market:segment_detail", args=[segment.pk]),
            "back_label": segment.name,
        },
        success="{record} was saved.",
    )


@login_required
def estimate_add(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = fetch(get_or_404, Segment, segment_id)
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=EstimateForm(request.POST or None, initial={"as_of": timezone.localdate()}),
        save=lambda data: services.estimate_add(actor=user_of(request), segment=segment, **data),
        done=lambda saved: reverse("market:segment_detail", args=[segment.pk]) + "#estimates",
        context={
            "heading": f"New size estimate for {segment.name}",
            "back_url": reverse("market:segment_detail", args=[segment.pk]),
            "back_label": segment.name,
        },
        success="The estimate was added; earlier ones stay in the history.",
    )


@login_required
def segment_serves(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = fetch(get_or_404, Segment, segment_id)
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=ServesForm(request.POST or None, segment=segment),
        save=lambda data: services.segment_serves_set(actor=user_of(request), segment=segment, **data),
        done=lambda saved: reverse("market:segment_detail", args=[segment.pk]),
        context={
            "heading": f"What serves {segment.name}",
            "back_url": reverse("market:segment_detail", args=[segment.pk]),
            "back_label": segment.name,
        },
        success="Saved which objectives and initiatives serve {record}.",
    )


# ---------------------------------------------------------------------------------------------------
# Competitors and the matrix


@login_required
def competitors(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "market/competitors.html",
        {"page": paginate(request, selectors.competitor_list()), "can_write": user_of(request).can_write},
    )


@login_required
def competitor_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=CompetitorForm(request.POST or None),
        save=lambda data: services.competitor_create(actor=user_of(request), **data),
        done=lambda saved: reverse("market:competitor_detail", args=[saved.pk]),
        context={
            "heading": "New competitor",
            "back_url": reverse("market:competitors"),
            "back_label": "Competitors",
        },
        success="{record} was added.",
    )


@login_required
def competitor_detail(request: HttpRequest, competitor_id: int) -> HttpResponse:
    competitor = fetch(get_or_404, Competitor, competitor_id, queryset=Competitor.all_objects.all())
    columns, rows = selectors.matrix(competitor_ids=[competitor.pk], include_archived=True)
    wl = selectors.win_loss(competitor_id=competitor.pk)
    return render(
        request,
        "market/competitor_detail.html",
        {
            "competitor": competitor,
            "columns": columns,
            "rows": rows,
            "win_loss": wl,
            "rate_chart": charts.win_rate_chart(wl.by_quarter),
            "plotly_url": plotly_url(),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
def competitor_edit(request: HttpRequest, competitor_id: int) -> HttpResponse:
    competitor = fetch(get_or_404, Competitor, competitor_id)
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=CompetitorForm(request.POST or None, competitor=competitor),
        record=competitor,
        save=lambda data: services.competitor_update(actor=user_of(request), competitor=competitor, **data),
        done=lambda saved: reverse("market:competitor_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {competitor.name}",
            "back_url": reverse("market:competitor_detail", args=[competitor.pk]),
            "back_label": competitor.name,
        },
        success="{record} was saved.",
    )


def _chosen(request: HttpRequest, name: str) -> list[int] | None:
    ids = [int(v) for v in request.GET.getlist(name) if v.isdigit() and len(v) < 12]
    return ids or None


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    """Our products against chosen competitors, capability by capability; writers edit cells in place."""
    columns, rows = selectors.matrix(competitor_ids=_chosen(request, "c"), product_ids=_chosen(request, "p"))
    from northstar.org.models import Product

    return render(
        request,
        "market/matrix.html",
        {
            "columns": columns,
            "rows": rows,
            "all_competitors": Competitor.objects.all(),
            "all_products": Product.objects.order_by("name"),
            "chosen_c": {c.competitor.pk for c in columns if c.competitor},
            "chosen_p": {c.product.pk for c in columns if c.product},
            "can_write": user_of(request).can_write,
            "today": timezone.localdate(),
            "capability_form": CapabilityForm(),
        },
    )


@login_required
@require_POST
def rating_set(request: HttpRequest) -> HttpResponse:
    """Save one cell. HTMX gets the cell back (or the form with the refusal); a plain post is redirected."""
    require(user_of(request).can_write, READ_ONLY)
    form = RatingForm(request.POST)
    fragment = bool(getattr(request, "htmx", False))
    status = 200
    error = ""
    rating = None
    if form.is_valid():
        try:
            rating = services.rating_set(actor=user_of(request), **form.service_data())
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
    else:
        error = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        status = 422
    if not fragment:
        if error:
            flash(request, messages.ERROR, error)
        else:
            flash(request, messages.SUCCESS, f"Rated {rating}.")
        return redirect(request.POST.get("next") or reverse("market:matrix"))
    return render(
        request,
        "market/_cell.html",
        {
            "rating": rating,
            "error": error,
            "capability": form.cleaned_data.get("capability") if hasattr(form, "cleaned_data") else None,
            "column_key": request.POST.get("column", ""),
            "editable": True,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def capability_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    form = CapabilityForm(request.POST)
    if form.is_valid():
        try:
            capability = services.capability_create(actor=user_of(request), **form.service_data())
            flash(request, messages.SUCCESS, f"{capability} was added to the matrix.")
        except ApplicationError as exc:
            flash(request, messages.ERROR, exc.message)
    else:
        flash(request, messages.ERROR, "Give the capability a name (up to 120 characters).")
    return redirect("market:matrix")


@login_required
def changes(request: HttpRequest) -> HttpResponse:
    since = _date_param(request, "since") or timezone.localdate() - timedelta(days=90)
    return render(request, "market/changes.html", {"since": since, "changes": selectors.changes_since(since)})


# ---------------------------------------------------------------------------------------------------
# Win/loss


@login_required
def win_loss(request: HttpRequest) -> HttpResponse:
    wl = selectors.win_loss(since=_date_param(request, "since"), until=_date_param(request, "until"))
    return render(
        request,
        "market/win_loss.html",
        {
            "wl": wl,
            "chart": charts.win_rate_chart(wl.by_quarter),
            "plotly_url": plotly_url(),
            "can_write": user_of(request).can_write,
            "batches": selectors.recent_batches(),
        },
    )


@login_required
def deals(request: HttpRequest) -> HttpResponse:
    qs = selectors.deal_queryset()
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    reason = request.GET.get("reason", "").strip().lower()
    if reason:
        qs = qs.filter(reasons__reason=reason)
    segment_id = _int_param(request, "segment")
    if segment_id:
        qs = qs.filter(segment_id=segment_id)
    competitor_id = _int_param(request, "competitor")
    if competitor_id:
        qs = qs.filter(competitor_id=competitor_id)
    return render_list(
        request,
        "market/deals.html",
        "market/_deals.html",
        {"page": paginate(request, qs), "outcome": outcome, "reason": reason, "outcomes": Outcome.choices},
    )


@login_required
def deal_import(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "presets": imports.PRESETS.values()}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "market/import.html", context, status=422)
        upload = form.cleaned_data["file"]
        try:
            result = imports.deals_import(
                actor=user_of(request),
                stream=upload,
                filename=upload.name,
                preset=form.cleaned_data["preset"],
                order=form.cleaned_data["date_order"],
            )
        except ApplicationError as exc:
            context.update(error=exc.message, problems=exc.detail if isinstance(exc.detail, list) else [])
            return render(request, "market/import.html", context, status=exc.status_code)
        flash(
            request,
            messages.SUCCESS,
            f"Imported {result.deals} deals ({result.won} won, {result.lost} lost).",
        )
        return redirect("market:win_loss")
    return render(request, "market/import.html", context)


@login_required
def reason(request: HttpRequest) -> HttpResponse:
    """One loss reason: the deals lost for it, and the ideas it is evidence for."""
    text = request.GET.get("r", "").strip().lower()[:200]
    lost = selectors.deals_for_reason(text)
    links = list(ReasonLink.objects.filter(reason=text).select_related("initiative__product"))
    demand = selectors.lost_demand_for_initiatives([lk.initiative_id for lk in links])
    linked_editable = editable_ids(user_of(request), [lk.initiative for lk in links])
    return render(
        request,
        "market/reason.html",
        {
            "reason": text,
            "page": paginate(request, lost),
            "links": [(lk, demand[lk.initiative_id], lk.initiative_id in linked_editable) for lk in links],
            "form": ReasonLinkForm(initial={"reason": text}, auto_id="link-%s"),
        },
    )


@login_required
@require_POST
def reason_link(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    form = ReasonLinkForm(request.POST)
    if not form.is_valid():
        flash(request, messages.ERROR, "Choose the idea this loss reason is evidence for.")
        return redirect(reverse("market:win_loss"))
    data = form.cleaned_data
    try:
        services.reason_link_create(
            actor=user_of(request), reason=data["reason"], initiative=data["initiative"]
        )
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            refuse(exc)
        flash(request, messages.ERROR, exc.message)
    else:
        flash(request, messages.SUCCESS, f"“{data['reason']}” is now evidence for {data['initiative']}.")
    return redirect(reverse("market:initiative", args=[data["initiative"].pk]))


@login_required
@require_POST
def reason_unlink(request: HttpRequest, link_id: int) -> HttpResponse:
    link = fetch(get_or_404, ReasonLink, link_id, queryset=ReasonLink.objects.select_related("initiative"))
    require(user_of(request).can_write, READ_ONLY)
    try:
        services.reason_link_delete(actor=user_of(request), link=link)
    except ApplicationError as exc:
        refuse(exc)
    flash(request, messages.SUCCESS, f"“{link.reason}” is no longer evidence for {link.initiative}.")
    return redirect(reverse("market:initiative", args=[link.initiative_id]))


@login_required
def initiative(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """Market evidence for one idea: segments it serves, lost deals linked to it, research notes."""
    item = fetch(get_or_404, Initiative, initiative_id)
    return render(
        request,
        "market/initiative.html",
        {
            "initiative": item,
            "segments": selectors.segments_serving(initiative_id=item.pk),
            "demand": selectors.lost_demand_for_initiatives([item.pk])[item.pk],
            "links": ReasonLink.objects.filter(initiative=item),
            "notes": selectors.notes_for(initiative_id=item.pk),
        },
    )


@login_required
def objective(request: HttpRequest, objective_id: int) -> HttpResponse:
    """Market evidence for an objective: the segments it serves with their size, and its research."""
    item = fetch(get_or_404, Objective, objective_id)
    return render(
        request,
        "market/objective.html",
        {
            "objective": item,
            "segments": selectors.segments_serving(objective_id=item.pk),
            "notes": selectors.notes_for(objective_id=item.pk),
        },
    )


# ---------------------------------------------------------------------------------------------------
# Research notes


@login_required
def notes(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    tag = request.GET.get("tag", "")[:60]
    kind = request.GET.get("kind", "")
    kind = kind if kind in ResearchNote.Kind.values else ""
    segment_id = _int_param(request, "segment")
    qs = selectors.note_search(text=q, tag=tag, kind=kind, segment_id=segment_id)
    return render_list(
        request,
        "market/notes.html",
        "market/_notes.html",
        {
            "page": paginate(request, qs),
            "q": q,
            "tag": tag,
            "kind": kind,
            "segment_id": segment_id,
            "kinds": ResearchNote.Kind.choices,
            "segments": Segment.objects.all(),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
def note_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=NoteForm(request.POST or None, initial={"noted_on": timezone.localdate()}),
        save=lambda data: services.note_create(actor=user_of(request), **data),
        done=lambda saved: reverse("market:note_detail", args=[saved.pk]),
        context={
            "heading": "New research note",
            "back_url": reverse("market:notes"),
            "back_label": "Research notes",
        },
        success="{record} was saved.",
    )


@login_required
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = fetch(get_or_404, ResearchNote, note_id)
    return render(
        request,
        "market/note_detail.html",
        {"note": note, "body": render_markdown(note.body), "can_write": user_of(request).can_write},
    )


@login_required
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    note = fetch(get_or_404, ResearchNote, note_id)
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=NoteForm(request.POST or None, note=note),
        record=note,
        save=lambda data: services.note_update(actor=user_of(request), note=note, **data),
        done=lambda saved: reverse("market:note_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {note.title}",
            "back_url": reverse("market:note_detail", args=[note.pk]),
            "back_label": note.title,
        },
        success="{record} was saved.",
    )
