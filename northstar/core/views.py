"""Core pages: home, audit log, API tokens and the error pages (sign-in: signin_views; helpers: core.web)."""

from __future__ import annotations

import gzip
from functools import cache
from typing import Any

import plotly
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from northstar.core import audit_display, jobs, selectors, services
from northstar.core.errors import ApplicationError, NotFound
from northstar.core.forms import AuditFilterForm, TokenForm
from northstar.core.web import (
    fetch,
    is_fragment_request,
    paginate,
    plotly_bundle,
    refuse,
    render_list,
    safe_next,
    user_of,
)
from northstar.home import cockpit as home_cockpit
from northstar.org import access
from northstar.portfolio import selectors as portfolio_selectors
from northstar.portfolio.models import STAGE_PATH, Stage

# Pages -------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The leader's cockpit: what needs attention today, fitted to the role (see home.cockpit)."""
    stage_counts = portfolio_selectors.stage_counts()
    total = sum(stage_counts.values()) or 1
    stages: list[dict[str, Any]] = [
        {"value": stage.value, "label": stage.label, "count": stage_counts.get(stage.value, 0)}
        for stage in [*STAGE_PATH, Stage.PARKED, Stage.KILLED]
    ]
    for stage in stages:
        stage["share"] = round(100 * stage["count"] / total)
    return render(
        request,
        "core/home.html",
        {
            "cockpit": home_cockpit.cockpit(user_of(request)),
            "stages": stages,
            "initiative_total": sum(stage_counts.values()),
        },
    )


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """Who changed what and when, field by field; only leaders and admins may read it."""
    try:
        access.require_audit_reader(user_of(request))
    except ApplicationError as exc:
        refuse(exc)
    form = AuditFilterForm(
        request.GET or None,
        record_types=selectors.audit_record_types(),
        actors=selectors.user_list(),
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "record_type": form.cleaned_data["record_type"],
            "record_id": form.cleaned_data["record_id"],
            "actor_id": form.cleaned_data["actor"].pk if form.cleaned_data["actor"] else None,
        }
    page = paginate(request, selectors.audit_list(**filters))
    page.object_list = audit_display.readable(page.object_list)
    return render_list(
        request, "core/audit.html", "core/_audit_results.html", {"form": form, "page_obj": page}
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """Personal access tokens for the API: list and create. A new token is shown once, right here."""
    form = TokenForm(request.POST or None)
    context: dict[str, Any] = {"new_token": None}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, raw = services.api_token_create(
                    user=user_of(request),
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                context["new_token"] = {"token": token, "raw": raw}
                form = TokenForm()
        else:
            status = 422
    context.update(form=form, tokens=selectors.api_token_list(user=user_of(request)))
    return render(request, "core/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=user_of(request), token_id=token_id)
    except ApplicationError as exc:
        refuse(exc)
    messages.success(request, "Token revoked: anything still using it is now refused.")
    return redirect("core:tokens")


# Error pages -------------------------------------------------------------------------------------


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page: says why, in the words of the check that refused."""
    message = str(exception) if exception and str(exception) else "You don't have access to this page."
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page. Only our own NotFound messages are shown; Django's internal ones are not."""
    message = ""
    if exception is not None and isinstance(exception.__cause__, NotFound):
        message = str(exception)
    return render(request, "404.html", {"message": message}, status=404)


# Background jobs ---------------------------------------------------------------------------------


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress panel; HTMX polls it while the job runs, so no page ever waits on a job."""
    job = fetch(jobs.job_get, job_id=job_id, user=user_of(request))
    return render(request, "core/_job_status.html", {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = fetch(jobs.job_get, job_id=job_id, user=user_of(request))
    job = jobs.job_cancel(job=job, actor=user_of(request))
    if is_fragment_request(request):
        return render(request, "core/_job_status.html", {"job": job})
    messages.info(request, f"{job.title}: cancel requested.")
    return redirect(safe_next(request, reverse("core:home")))


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page names: send them to the icon (every page links it)."""
    return redirect(static("northstar/favicon.svg"), permanent=True)


# Chart library -----------------------------------------------------------------------------------


@cache
def _plotly_bundle(full: bool) -> tuple[bytes, bytes]:
    _name, path = plotly_bundle()
    raw = path.read_bytes() if path is not None and not full else plotly.offline.get_plotlyjs().encode()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


@require_GET
def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.js from an installed package (never copied into the repository): the partial bundle of the
    traces Northstar draws when `make install` put it in place, else the full bundle of the plotly
    Python package.

    The URL carries plotly's version (`core.web.plotly_url`), so browsers keep it for a year and an
    upgrade changes the URL. Public: it is a published library, and the public portal may chart too.
    `?bundle=full` serves the full bundle (for a chart type the partial one lacks, and for comparison).
    """
    raw, packed = _plotly_bundle(request.GET.get("bundle") == "full")
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(packed if gzipped else raw, content_type="text/javascript; charset=utf-8")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
