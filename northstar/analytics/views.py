"""Analytics pages: sites with their snippet, retention and friction; funnels; bulk import; linking
friction to initiatives as evidence. Views parse, call one service or selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.analytics import charts, funnels, ingest, selectors, services
from northstar.analytics.forms import EvidenceForm, FunnelForm, ImportForm, KpiForm, SiteForm
from northstar.analytics.models import FrictionEvidence, Funnel, Site
from northstar.core.errors import ApplicationError, ValidationFailed
from northstar.core.services import get_or_404
from northstar.core.uploads import refused_upload
from northstar.core.web import READ_ONLY, edit_page, fetch, flash, plotly_url, refuse, require, user_of
from northstar.org import access

SITES = Site.objects.select_related("product", "product__line")


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"plotly_url": plotly_url(), **context}, status=status)


def _site(site_id: int) -> Site:
    return fetch(get_or_404, Site, site_id, queryset=SITES)


def _can_edit(request: HttpRequest, site: Site) -> bool:
    return access.can_edit_line(user_of(request), site.product.line_id)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every registered site with its last 30 days of events."""
    sites = list(selectors.site_list()[:200])
    counts = selectors.event_counts_by_site([site.pk for site in sites])
    rows = [(site, counts[site.pk]) for site in sites]
    return _page(request, "analytics/index.html", {"rows": rows, "can_write": user_of(request).can_write})


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=SiteForm(request.POST or None),
        save=lambda data: services.site_create(actor=user_of(request), **data),
        done=lambda site: reverse("analytics:site_detail", args=[site.pk]),
        context={"heading": "New site", "back_url": reverse("analytics:index"), "back_label": "Analytics"},
        success="{record} was registered: install its snippet to start capturing.",
    )


@login_required
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    require(_can_edit(request, site), "You can only change sites of the product lines you belong to.")
    return edit_page(
        request,
        form=SiteForm(request.POST or None, site=site),
        record=site,
        save=lambda data: services.site_update(actor=user_of(request), site=site, **data),
        done=lambda saved: reverse("analytics:site_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {site.name}",
            "back_url": reverse("analytics:site_detail", args=[site.pk]),
            "back_label": site.name,
        },
        success="{record} was saved.",
    )


@login_required
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    """The site's snippet, capture health, retention cohorts, funnels and its top friction."""
    site = _site(site_id)
    retention = funnels.retention_report(site)
    friction = selectors.friction_report(site, limit=5)
    snippet_url = request.build_absolute_uri(static("analytics/capture.js"))
    collect_url = request.build_absolute_uri("/api/v1/analytics/collect")
    return _page(
        request,
        "analytics/site_detail.html",
        {
            "site": site,
            "counts": selectors.event_counts(site),
            "funnels": selectors.funnel_list(site),
            "retention": retention,
            "retention_chart": charts.retention_chart(retention) if retention.cohorts else "",
            "friction": friction,
            "snippet": f'<script src="{snippet_url}" data-key="{site.key}" '
            f'data-endpoint="{collect_url}" async></script>',
            "can_edit": _can_edit(request, site),
            "kpi_form": KpiForm(site=site),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
def site_import(request: HttpRequest, site_id: int) -> HttpResponse:
    """Bulk import of past events from a CSV file, all or nothing."""
    site = _site(site_id)
    require(_can_edit(request, site), "You can only import into sites of the product lines you belong to.")
    context: dict[str, Any] = {"site": site}
    too_big = refused_upload(request) if request.method == "POST" else None
    form = ImportForm(request.POST or None, request.FILES or None)
    if too_big:
        form.add_error(None, too_big)
        return render(request, "analytics/import.html", {**context, "form": form}, status=413)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "analytics/import.html", {**context, "form": form}, status=422)
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
            return render(request, "analytics/import.html", {**context, "form": form}, status=422)
        try:
            count = ingest.events_import(actor=user_of(request), site=site, text=text)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return render(request, "analytics/import.html", {**context, "form": form}, status=exc.status_code)
        flash(request, messages.SUCCESS, f"Imported {count:,} events.")
        return redirect("analytics:site_detail", site.pk)
    return render(request, "analytics/import.html", {**context, "form": form})


@login_required
def friction(request: HttpRequest, site_id: int) -> HttpResponse:
    """Friction issues ranked by users affected, each linkable to an initiative as evidence."""
    site = _site(site_id)
    try:
        days = min(max(int(request.GET.get("days", 7)), 1), 90)
    except ValueError:
        days = 7
    rows = selectors.friction_report(site, days=days)
    return _page(
        request,
        "analytics/friction.html",
        {
            "site": site,
            "rows": rows,
            "days": days,
            "can_edit": user_of(request).can_write,
        },
    )


@login_required
def funnel_create(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    require(_can_edit(request, site), "You can only add funnels to sites of the product lines you belong to.")
    return edit_page(
        request,
        form=FunnelForm(request.POST or None),
        save=lambda data: services.funnel_create(actor=user_of(request), site=site, **data),
        done=lambda funnel: reverse("analytics:funnel_detail", args=[funnel.pk]),
        context={
            "heading": "New funnel",
            "back_url": reverse("analytics:site_detail", args=[site.pk]),
            "back_label": site.name,
        },
        success="{record} was created.",
    )


@login_required
def funnel_detail(request: HttpRequest, funnel_id: int) -> HttpResponse:
    funnel = fetch(
        get_or_404, Funnel, funnel_id, queryset=Funnel.objects.select_related("site__product__line")
    )
    try:
        days = min(max(int(request.GET.get("days", 30)), 1), 365)
    except ValueError:
        days = 30
    prop = request.GET.get("prop", "").strip()
    by, by_error = (f"prop:{prop}" if prop else request.GET.get("by", "identified")), ""
    try:
        report = funnels.funnel_report(funnel, days=days, by=by)
    except ValidationFailed as exc:
        by, by_error = "identified", exc.message
        report = funnels.funnel_report(funnel, days=days)
    return _page(
        request,
        "analytics/funnel_detail.html",
        {
            "by_error": by_error,
            "by_property": by.removeprefix("prop:") if by.startswith("prop:") else "",
            "funnel": funnel,
            "site": funnel.site,
            "report": report,
            "chart": charts.funnel_chart(report),
            "can_edit": user_of(request).can_write,
            "can_delete": _can_edit(request, funnel.site),
        },
    )


@login_required
@require_POST
def funnel_delete(request: HttpRequest, funnel_id: int) -> HttpResponse:
    funnel = fetch(get_or_404, Funnel, funnel_id, queryset=Funnel.objects.select_related("site__product"))
    try:
        services.funnel_delete(actor=user_of(request), funnel=funnel)
    except ApplicationError as exc:
        refuse(exc)
    flash(request, messages.SUCCESS, f"{funnel.name} was deleted.")
    return redirect("analytics:site_detail", funnel.site_id)


@login_required
@require_POST
def evidence_link(request: HttpRequest, site_id: int) -> HttpResponse:
    """Link the friction issue or funnel step named by the form to the chosen initiative."""
    site = _site(site_id)
    require(user_of(request).can_write, READ_ONLY)
    form = EvidenceForm(request.POST)
    back = request.POST.get("back") or ""
    fallback = reverse("analytics:friction", args=[site.pk])
    target = back if back.startswith("/analytics/") else fallback
    if not form.is_valid():
        flash(request, messages.ERROR, "Choose an initiative to link this to.")
        return redirect(target)
    data = form.cleaned_data
    funnel = None
    if data.get("funnel"):
        funnel = fetch(get_or_404, Funnel, data["funnel"])
    try:
        link = services.evidence_link(
            actor=user_of(request),
            site=site,
            initiative=data["initiative"],
            signal=data["signal"],
            path=data.get("path") or "",
            selector=data.get("selector") or "",
            funnel=funnel,
            step=data.get("step"),
            users=data.get("users") or 0,
            note=data.get("note") or "",
        )
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        flash(request, messages.ERROR, exc.message)
        return redirect(target)
    flash(request, messages.SUCCESS, f"Linked as evidence for “{link.initiative.title}”.")
    return redirect(target)


@login_required
@require_POST
def evidence_unlink(request: HttpRequest, link_id: int) -> HttpResponse:
    link = fetch(
        get_or_404, FrictionEvidence, link_id, queryset=FrictionEvidence.objects.select_related("initiative")
    )
    try:
        services.evidence_unlink(actor=user_of(request), link=link)
    except ApplicationError as exc:
        refuse(exc)
    flash(request, messages.SUCCESS, "The evidence link was removed.")
    return redirect("analytics:friction", link.site_id)


@login_required
@require_POST
def kpi_publish(request: HttpRequest, site_id: int) -> HttpResponse:
    """Write a KPI's weekly values from this site's events (into a strategy KPI the user may change)."""
    site = _site(site_id)
    require(user_of(request).can_write, READ_ONLY)
    form = KpiForm(request.POST, site=site)
    if not form.is_valid():
        flash(
            request, messages.ERROR, "Choose a KPI and what to measure (a funnel for conversion).", at="kpi"
        )
        return redirect(reverse("analytics:site_detail", args=[site.pk]) + "#kpi")
    data = form.cleaned_data
    try:
        weeks = services.kpi_publish(
            actor=user_of(request),
            site=site,
            metric=data["metric"],
            measure=data["measure"],
            funnel=data["funnel"],
        )
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        flash(request, messages.ERROR, exc.message, at="kpi")
        return redirect(reverse("analytics:site_detail", args=[site.pk]) + "#kpi")
    flash(request, messages.SUCCESS, f"Wrote {weeks} weeks to {data['metric'].name}.", at="kpi")
    return redirect(reverse("analytics:site_detail", args=[site.pk]) + "#kpi")


@login_required
def person(request: HttpRequest, site_id: int) -> HttpResponse:
    """One person's last week on the site, session by session, with friction marked."""
    site = _site(site_id)
    who = (request.GET.get("who") or "").strip()[:120]
    rows = selectors.person_timeline(site, who) if who else []
    return _page(request, "analytics/person.html", {"site": site, "who": who, "rows": rows})
