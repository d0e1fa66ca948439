"""Prioritisation pages: ranked lists with inline editing, CSV export, the value/effort matrix,
side-by-side comparison, and the scoring and estimate forms of one initiative.

A ranked page renders in a fixed number of queries however long the ranking (see
tests/portfolio/test_prioritisation_views.py); the engine runs only for the rows on screen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from northstar.core import concurrency
from northstar.core.csv_export import csv_response
from northstar.core.errors import ApplicationError
from northstar.core.errors import PermissionDenied as Refused
from northstar.core.services import get_or_404
from northstar.core.web import (
    READ_ONLY,
    edit_page,
    fetch,
    is_fragment_request,
    paginate,
    plotly_url,
    refuse,
    render_list,
    require,
    user_of,
)
from northstar.engines import scoring as engine
from northstar.engines.scoring.base import fmt
from northstar.portfolio import rankings, scoring, selectors
from northstar.portfolio.models import Initiative, ScoringCriterion
from northstar.portfolio.permissions import can_edit_initiative, editable_ids
from northstar.portfolio.prioritisation_forms import (
    EstimateFormSet,
    RankFilterForm,
    ScoringForm,
    skill_names,
)
from northstar.portfolio.scoring import FRAMEWORK_FIELDS

EDIT_REFUSED = "You can only change initiatives in the product lines you belong to."


def _initiative(initiative_id: int) -> Initiative:
    return fetch(get_or_404, Initiative, initiative_id, queryset=selectors.initiative_detail_queryset())


def _can_edit(request: HttpRequest, initiative: Initiative) -> bool:
    return can_edit_initiative(
        user_of(request), product_id=initiative.product_id, owner_id=initiative.owner_id
    )


# Ranked lists -------------------------------------------------------------------------------------


def _framework(params: QueryDict, keys: list[str]) -> str:
    key = params.get("framework", "")
    return key if key in keys else (keys[0] if keys else "")


def _columns(key: str, criteria: list[ScoringCriterion]) -> list[tuple[str, str]]:
    """(form field, heading) of the inputs a framework's ranked list lets people edit in place."""
    if key == "weighted":
        return [(f"criterion_{c.key}", c.label) for c in criteria]
    if key == "kano":
        return [(f"kano_{c}", c) for c in scoring.KANO_PAIRS]
    headings = {
        "reach": "Reach",
        "impact": "Impact",
        "confidence": "Conf. %",
        "effort": "Effort (tw)",
        "ice_impact": "Impact",
        "ease": "Ease",
        "value": "Value",
        "business_value": "Value",
        "time_criticality": "Time crit.",
        "risk_reduction": "Risk / opp.",
        "job_size": "Job size",
    }
    return [(name, headings[name]) for name in FRAMEWORK_FIELDS[key]]


def _input_value(row: rankings.RankedRow, name: str) -> Any:
    """The value a ranked-list cell shows for a form field name (as the scoring form would)."""
    if name.startswith("kano_"):
        return (row.inputs.kano or {}).get(name.removeprefix("kano_"), 0)
    if name.startswith("criterion_"):
        return row.ratings.get(name.removeprefix("criterion_"))
    value = getattr(row.inputs, name)
    if name == "impact" and value is not None:
        return f"{value:g}"
    return value


def _plain(value: Any) -> Any:
    """2.0 shows as 2 in an input; other values as they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ranked_context(request: HttpRequest, params: QueryDict, **extra: Any) -> dict[str, Any]:
    keys = scoring.active_framework_keys()
    key = _framework(params, keys)
    form = RankFilterForm(params)
    chosen = {k: str(v) for k, v in params.items() if k in form.fields and v}
    filters = form.filters()
    criteria = scoring.criteria() if key == "weighted" else []
    context: dict[str, Any] = {
        "form": form,
        "framework": key,
        "framework_label": scoring.framework_label(key) if key else "",
        "tabs": [(k, scoring.framework_label(k)) for k in keys],
        "filter_query": urlencode(chosen),
        **extra,
    }
    context["page_base"] = reverse("portfolio:ranked") + "?" + urlencode({"framework": key, **chosen})
    if not key:
        return context
    # Page through ids only (a light sort, even 7,000 rows deep), then load the page's rows whole.
    page = paginate(request, rankings.ranked_ids(key, filters))
    model = scoring.weighted_model(criteria) if key == "weighted" else None
    items = rankings.in_order(list(page.object_list))
    rows = rankings.score_rows(items, key, start=page.start_index(), model=model)
    columns = _columns(key, criteria)
    editable = editable_ids(user_of(request), [r.initiative for r in rows])
    for row in rows:
        row.cells = [  # type: ignore[attr-defined]
            (name, heading, _plain(_input_value(row, name))) for name, heading in columns
        ]
        row.editable = row.initiative.pk in editable  # type: ignore[attr-defined]
        row.ordinal = engine.ordinal(row.rank)  # type: ignore[attr-defined]
        row.estimated = row.inputs.estimated_effort is not None  # type: ignore[attr-defined]
    context.update(
        page_obj=page,
        rows=rows,
        columns=columns,
        impact_choices=cast(forms.ChoiceField, ScoringForm.base_fields["impact"]).choices,
    )
    return context


@login_required
def ranked(request: HttpRequest) -> HttpResponse:
    """One framework's ranking, filtered; HTMX swaps the results, inline edits re-rank at once."""
    return render_list(
        request,
        "portfolio/ranked.html",
        "portfolio/_ranked_results.html",
        _ranked_context(request, request.GET),
    )


@login_required
@require_POST
def score_inline(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """Save one input typed into a ranked list and return the re-ranked results, saying what moved."""
    initiative = _initiative(initiative_id)
    keys = scoring.active_framework_keys()
    key = _framework(request.POST, keys)
    criteria = scoring.criteria()
    posted = tuple(name for name in request.POST if name.startswith(("criterion_", "kano_")))
    posted += tuple(name for name in ScoringForm.base_fields if name in request.POST)
    form = ScoringForm(request.POST, criteria=criteria, only=posted)
    notice, error, status = "", "", 200
    before = rankings.rank_of(initiative, key, RankFilterForm(request.POST).filters())[0] if key else 0
    if not form.is_valid():
        error = "; ".join(f"{form.fields[f].label}: {' '.join(map(str, e))}" for f, e in form.errors.items())
        status = 422
    else:
        try:
            scoring.scoring_update(actor=user_of(request), initiative=initiative, **form.service_data())
        except ApplicationError as exc:
            if isinstance(exc, Refused):
                refuse(exc)
            error, status = exc.message, exc.status_code
        else:
            initiative = _initiative(initiative_id)
            after = rankings.rank_of(initiative, key, RankFilterForm(request.POST).filters())[0]
            ordinal = engine.ordinal
            notice = (
                f"“{initiative.title}” moved from {ordinal(before)} to {ordinal(after)}."
                if after != before
                else f"“{initiative.title}” stays {ordinal(after)}."
            )
    if not is_fragment_request(request):
        (messages.error if error else messages.success)(request, error or notice)
        return redirect(f"{reverse('portfolio:ranked')}?{urlencode({'framework': key})}")
    context = _ranked_context(request, request.POST, notice=notice, error=error, changed=initiative_id)
    return render(request, "portfolio/_ranked_results.html", context, status=status)


@login_required
def why(request: HttpRequest, initiative_id: int, framework: str) -> HttpResponse:
    """The sentence that explains a rank (loaded when a row's 'why' is opened)."""
    initiative = _initiative(initiative_id)
    if framework not in scoring.active_framework_keys():
        return HttpResponse("This framework is not active.", status=404)
    text = rankings.explain_position(initiative, framework, RankFilterForm(request.GET).filters())
    return render(request, "portfolio/_why.html", {"why": text})


def _csv_rows(key: str, filters: rankings.RankFilters) -> Iterator[list[Any]]:
    criteria = scoring.criteria() if key == "weighted" else []
    model = scoring.weighted_model(criteria) if key == "weighted" else None
    columns = _columns(key, criteria)
    yield [
        "rank",
        "id",
        "title",
        "kind",
        "stage",
        "line",
        "product",
        "owner",
        "score",
        "category",
        *[heading for _, heading in columns],
        "explanation",
    ]
    qs = rankings.ranked_queryset(key, filters)
    rank = 0
    chunk = 2000
    for start in range(0, qs.count(), chunk):
        for row in rankings.score_rows(qs[start : start + chunk], key, start=start + 1, model=model):
            rank = row.rank
            i = row.initiative
            values = {name: _input_value(row, name) for name, _ in columns}
            yield [
                rank,
                i.pk,
                i.title,
                i.get_kind_display(),
                i.get_stage_display(),
                i.product.line.name if i.product else "",
                i.product.name if i.product else "",
                i.owner.name if i.owner else "",
                "" if row.score.value is None else round(row.score.value, 4),
                row.score.category or "",
                *[values.get(name) if values.get(name) is not None else "" for name, _ in columns],
                row.score.explanation,
            ]


@login_required
def ranked_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The whole filtered ranking as CSV (every row, not one page), streamed and escaped."""
    keys = scoring.active_framework_keys()
    key = _framework(request.GET, keys)
    if not key:
        return HttpResponse("No framework is active.", status=404)
    filters = RankFilterForm(request.GET).filters()
    return csv_response(_csv_rows(key, filters), filename=f"northstar-ranking-{key}.csv")


# The 2x2 matrix -----------------------------------------------------------------------------------

QUADRANT_COLOURS = {
    "quick win": "#2f6b4f",
    "big bet": "#2d5b7d",
    "fill-in": "#9a9ca3",
    "time sink": "#bb6a63",
}


def _matrix_figure(points: list[rankings.MatrixPoint]) -> dict[str, Any]:
    import plotly.graph_objects as go

    split_value, split_effort = engine.VALUE_EFFORT.value_split, engine.VALUE_EFFORT.effort_split
    reaches = [p.reach for p in points if p.reach]
    biggest = max(reaches, default=1) or 1
    fig = go.Figure()
    for quadrant, colour in QUADRANT_COLOURS.items():
        mine = [p for p in points if p.quadrant == quadrant]
        if not mine:
            continue
        fig.add_trace(
            go.Scatter(
                x=[p.effort for p in mine],
                y=[p.value for p in mine],
                mode="markers",
                name=quadrant.capitalize(),
                marker={
                    "size": [8 + 42 * ((p.reach or 0) / biggest) ** 0.5 for p in mine],
                    "color": colour,
                    "opacity": 0.7,
                    "line": {"width": 1, "color": "#ffffff"},
                },
                text=[p.title for p in mine],
                customdata=[
                    [
                        reverse("portfolio:detail", args=[p.id]),
                        fmt(p.reach) if p.reach is not None else "—",
                        p.line,
                    ]
                    for p in mine
                ],
                hovertemplate="<b>%{text}</b><br>Value %{y} · effort %{x} team-weeks"
                "<br>Reach %{customdata[1]} · %{customdata[2]}<extra></extra>",
            )
        )
    efforts = [p.effort for p in points] or [split_effort * 2]
    fig.add_vline(x=split_effort, line={"color": "#cfccc1", "dash": "dot"})
    fig.add_hline(y=split_value, line={"color": "#cfccc1", "dash": "dot"})
    right = max(max(efforts) * 1.05, split_effort * 2)
    for x, y, text in (
        (split_effort / 2, 10.4, "Quick wins"),
        ((split_effort + right) / 2, 10.4, "Big bets"),
        (split_effort / 2, -0.5, "Fill-ins"),
        ((split_effort + right) / 2, -0.5, "Time sinks"),
    ):
        fig.add_annotation(x=x, y=y, text=text, showarrow=False, font={"color": "#626874", "size": 12})
    fig.update_layout(
        margin={"l": 50, "r": 20, "t": 20, "b": 50},
        height=560,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#fbfaf7",
        xaxis={"title": "Effort (team-weeks)", "range": [0, right], "zeroline": False},
        yaxis={"title": "Value (0-10)", "range": [-1, 11], "zeroline": False},
        legend={"orientation": "h", "y": -0.15},
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1f2430"},
    )
    return json.loads(fig.to_json())


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    """Value vs effort, bubble size = reach; clicking a bubble opens the initiative."""
    form = RankFilterForm(request.GET)
    points, total = rankings.matrix_points(form.filters())
    return render(
        request,
        "portfolio/matrix.html",
        {
            "form": form,
            "figure": _matrix_figure(points),
            "shown": len(points),
            "total": total,
            "points": points[:50],
            "plotly_url": plotly_url(),
        },
    )


# Compare ------------------------------------------------------------------------------------------


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Two to five initiatives side by side: scores, inputs, estimate, cost, dependencies."""
    raw = request.GET.getlist("ids")
    ids = list(dict.fromkeys(int(v) for part in raw for v in part.split(",") if v.strip().isdigit()))
    problem = ""
    if not 2 <= len(ids) <= 5:
        problem = "Pick two to five initiatives to compare (tick them in a ranked list)."
        items = []
    else:
        items = rankings.compare(ids)
        if len(items) < 2:
            problem = "Some of those initiatives no longer exist; pick two to five that do."
    keys = scoring.active_framework_keys()
    return render(
        request,
        "portfolio/compare.html",
        {
            "items": items,
            "problem": problem,
            "frameworks": [(k, scoring.framework_label(k)) for k in keys],
        },
        status=200 if not problem else 422,
    )


# One initiative's scoring inputs and estimate -----------------------------------------------------


@login_required
def scores(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = _initiative(initiative_id)
    require(user_of(request).can_write, READ_ONLY)
    require(_can_edit(request, initiative), EDIT_REFUSED)
    criteria = scoring.criteria()
    ratings = scoring.ratings_of([initiative.pk]).get(initiative.pk, {})
    inputs = scoring.scoring_of(initiative)
    form = ScoringForm(request.POST or None, inputs=inputs, ratings=ratings, criteria=criteria)
    return edit_page(
        request,
        form=form,
        record=inputs,
        save=lambda data: scoring.scoring_update(
            actor=user_of(request),
            initiative=initiative,
            version=concurrency.expected_version(inputs),
            **data,
        ),
        done=lambda saved: reverse("portfolio:detail", args=[initiative.pk]) + "#scores",
        success_at="scores",
        context={
            "heading": f"Scores of {initiative.title}",
            "back_url": reverse("portfolio:detail", args=[initiative.pk]),
            "back_label": initiative.title,
        },
        success=f"Scores of {initiative.title} were saved.",
    )


@login_required
def estimate(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """Effort per skill as low / likely / high team-weeks, with its PERT summary and cost."""
    initiative = _initiative(initiative_id)
    can_edit = _can_edit(request, initiative)
    lines = list(initiative.estimate_lines.select_related("skill"))
    skills = skill_names()
    initial = [{"skill": e.skill.name, "low": e.low, "likely": e.likely, "high": e.high} for e in lines]
    formset = EstimateFormSet(
        request.POST or None, initial=initial, form_kwargs={"skills": skills}, prefix="lines"
    )
    error, status = "", 200
    if request.method == "POST":
        require(user_of(request).can_write, READ_ONLY)
        require(can_edit, EDIT_REFUSED)
        if formset.is_valid():
            try:
                scoring.estimate_set(
                    actor=user_of(request),
                    initiative=initiative,
                    lines=formset.lines(),
                    version=concurrency.submitted_version(request.POST.get("version")),
                )
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, f"The estimate of {initiative.title} was saved.")
                return redirect(reverse("portfolio:estimate", args=[initiative.pk]))
        else:
            error, status = "Check the numbers below: each must be 0 or more.", 422
    summary = engine.estimate_effort(scoring.engine_estimate(lines)) if lines else None
    return render(
        request,
        "portfolio/estimate.html",
        {
            "initiative": initiative,
            "formset": formset,
            "summary": summary,
            "cost": scoring.estimate_cost(initiative, lines),
            "can_edit": can_edit,
            "error": error,
            # The version this form saves over; after a conflict, the one stored now (see core.concurrency).
            "version": scoring.inputs_version(initiative.pk),
        },
        status=status,
    )
