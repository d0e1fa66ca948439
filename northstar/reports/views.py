"""Reports pages: the reports home, portfolio health, line status updates, packs (build, issue,
download, share), the company slide template and digest settings. Views parse, call one service or
selector, and render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from northstar.core import concurrency, jobs
from northstar.core.concurrency import StaleRecord
from northstar.core.errors import ApplicationError, NotFound
from northstar.core.ratelimit import rate_limit
from northstar.core.services import get_or_404
from northstar.core.web import (
    conflict_page,
    fetch,
    form_refused,
    invalid_form,
    paginate,
    refuse,
    require,
    user_of,
)
from northstar.feedback.clients import visitor_address
from northstar.org import access
from northstar.org.models import ProductLine
from northstar.reports import digests, health, packs, selectors, services
from northstar.reports import render as formats
from northstar.reports.forms import (
    DigestForm,
    PackCreateForm,
    PackEditForm,
    ShareForm,
    SlideTemplateForm,
    StatusUpdateForm,
)
from northstar.reports.models import DigestSubscription, Pack, PackShareLink, PackTemplate, StatusUpdate

LEADERS_ONLY = "Only product leaders and admins build and issue packs."
#: Downloads of an issued pack through a public link, per visitor and hour.
SHARED_DOWNLOADS = (30, 3600)


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _act(request: HttpRequest, action: Any, fallback: str, success: str = "") -> HttpResponse:
    try:
        result = action()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect(fallback)
    if success:
        messages.success(request, success.format(result=result))
    return redirect(fallback)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    period, owing = selectors.lines_owing_update(today)
    state = request.GET.get("state", "")
    return render(
        request,
        "reports/index.html",
        {
            "page": paginate(request, selectors.pack_list(state=state)),
            "state": state,
            "period": period,
            "owing": owing,
            "due": bool(period and selectors.is_due(period, today)),
            "create_form": PackCreateForm(initial={"cut_off": today, "template": PackTemplate.BOARD}),
            "subscription": DigestSubscription.objects.filter(user=user_of(request), is_active=True).first(),
            "slide_template": services.active_slide_template(),
        },
    )


@login_required
def health_page(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("date"))
    try:
        health.check_day(day, "The date")
    except ApplicationError as exc:
        # Like a date that does not parse: the page shows today, and says why.
        messages.error(request, exc.message)
        day = timezone.localdate()
    result = health.portfolio_health(today=day)
    return render(request, "reports/health.html", {"health": result, "day": day})


# Status updates ----------------------------------------------------------------------------------


@login_required
def line_status(request: HttpRequest, line_id: int) -> HttpResponse:
    line = fetch(get_or_404, ProductLine, line_id, queryset=ProductLine.objects.select_related("director"))
    page = Paginator(selectors.status_history(line), 12).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/line_status.html",
        {"line": line, "page": page, "can_post": access.can_edit_line(user_of(request), line.pk)},
    )


@login_required
def status_detail(request: HttpRequest, update_id: int) -> HttpResponse:
    update = fetch(get_or_404, StatusUpdate, update_id, queryset=selectors.update_detail(update_id))
    return render(request, "reports/status_detail.html", {"update": update})


@login_required
def status_create(request: HttpRequest, line_id: int) -> HttpResponse:
    line = fetch(get_or_404, ProductLine, line_id)
    require(
        access.can_edit_line(user_of(request), line.pk),
        "Only the line's director, its people and product leaders post its status.",
    )
    today = timezone.localdate()
    periods = selectors.periods_for_updates(today)
    form = StatusUpdateForm(request.POST or None, periods=periods, line=line)
    chosen = periods[0] if periods else None
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["period"]
    elif request.GET.get("period"):
        chosen = next((p for p in periods if str(p.pk) == request.GET["period"]), chosen)
    proposed, signals = (
        health.status_proposal(line=line, period=chosen, today=today) if chosen else ("on_track", [])
    )
    if not form.is_bound:
        form.initial.update(status=proposed, period=chosen)
    context = {"line": line, "form": form, "proposed": proposed, "signals": signals, "period": chosen}
    if request.method == "POST":
        if not form.is_valid():
            return invalid_form(request, "reports/status_form.html", context, form)
        try:
            update = services.status_update_create(
                actor=user_of(request), line=line, today=today, **form.service_data()
            )
        except ApplicationError as exc:
            return form_refused(request, "reports/status_form.html", context, form, exc)
        messages.success(request, f"{line.name}'s status for {update.period.name} is posted.")
        return redirect("reports:status_detail", update.pk)
    return render(request, "reports/status_form.html", context)


# Packs -------------------------------------------------------------------------------------------


@login_required
def pack_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY)
    form = PackCreateForm(request.POST or None, initial={"cut_off": timezone.localdate()})
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return invalid_form(request, "reports/pack_create.html", context, form)
        try:
            pack = services.pack_create(actor=user_of(request), **form.service_data())
        except ApplicationError as exc:
            return form_refused(request, "reports/pack_create.html", context, form, exc)
        messages.success(request, f"{pack.title} started: write the narrative, then issue it.")
        return redirect("reports:pack_edit", pack.pk)
    return render(request, "reports/pack_create.html", context)


def _pack_context(pack: Pack, *, base: str = "") -> dict[str, Any]:
    document = packs.document_of(pack)
    return {"pack": pack, "document": document, "sections": formats.section_views(document), "base": base}


@login_required
def pack_detail(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = fetch(services.get_pack, pack_id)
    context = _pack_context(pack)
    context.update(
        issue_job=selectors.pack_issue_job(pack) if user_of(request).is_leading else None,
        links=selectors.pack_links(pack) if user_of(request).is_leading else [],
        share_form=ShareForm(),
        previous=packs.previous_issued(pack),
        formats=formats.FORMATS,
    )
    return render(request, "reports/pack_detail.html", context)


@login_required
def pack_edit(request: HttpRequest, pack_id: int) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY)
    pack = fetch(services.get_pack, pack_id)
    if pack.is_issued:
        messages.error(request, "This pack was issued and is frozen: start a new draft to change it.")
        return redirect("reports:pack_detail", pack.pk)
    chosen = {s.key: (s.position, s.narrative) for s in pack.sections.all()}
    form = PackEditForm(
        request.POST or None, chosen=chosen, initial={"title": pack.title, "cut_off": pack.cut_off}
    )
    context = {"pack": pack, "form": form, "record_version": pack.version}
    if request.method == "POST":
        concurrency.stale_from_request(pack, request.POST.get("version"))
        if not form.is_valid():
            return invalid_form(request, "reports/pack_edit.html", context, form)
        try:
            services.pack_update(actor=user_of(request), pack=pack, **form.service_data())
        except StaleRecord as exc:
            return conflict_page(request, "reports/pack_edit.html", context, form, exc)
        except ApplicationError as exc:
            return form_refused(request, "reports/pack_edit.html", context, form, exc)
        messages.success(request, "Saved. The draft shows the data as it is now.")
        return redirect("reports:pack_detail", pack.pk)
    return render(request, "reports/pack_edit.html", context)


@login_required
@require_POST
def pack_issue(request: HttpRequest, pack_id: int) -> HttpResponse:
    """Start issuing in the background; the pack page follows the job and reloads when it is done."""
    pack = fetch(services.get_pack, pack_id)
    return _act(
        request,
        lambda: services.pack_issue_start(actor=user_of(request), pack=pack),
        reverse("reports:pack_detail", args=[pack.pk]),
        "Issuing in the background: the data is read and the PPTX, PDF and HTML files are rendered now.",
    )


@login_required
def pack_issue_status(request: HttpRequest, pack_id: int) -> HttpResponse:
    """The issue job's panel, polled by the pack page; tells HTMX to reload the page once it is done."""
    pack = fetch(services.get_pack, pack_id)
    job = selectors.pack_issue_job(pack)
    if job is None:
        refuse(NotFound("This pack has not been issued in the background."))
    fetch(jobs.job_get, job_id=job.pk, user=user_of(request))  # the job's own access rule
    response = render(request, "reports/_issue_status.html", {"pack": pack, "issue_job": job})
    if not job.is_active and request.headers.get("HX-Request"):
        # Done: the page reloads into the frozen pack, or (failed, cancelled) into the draft with the
        # reason and its Issue button back.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def pack_delete(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = fetch(services.get_pack, pack_id)
    try:
        services.pack_delete(actor=user_of(request), pack=pack)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect("reports:pack_detail", pack.pk)
    messages.success(request, "The draft was deleted.")
    return redirect("reports:index")


def _download(pack: Pack, fmt: str) -> HttpResponse:
    data = services.pack_file(pack, fmt)
    response = HttpResponse(data, content_type=formats.CONTENT_TYPES[fmt])
    stamp = f"{pack.cut_off:%Y-%m-%d}"
    kind = "issued" if pack.is_issued else "draft"
    response["Content-Disposition"] = f'attachment; filename="{pack.template}-{stamp}-{kind}-{pack.pk}.{fmt}"'
    if pack.is_issued:
        response["Cache-Control"] = "private, max-age=86400, immutable"
        response["ETag"] = f'"{pack.files[packs.SNAPSHOT if fmt == "json" else fmt]["sha256"]}"'
    return response


@login_required
def pack_download(request: HttpRequest, pack_id: int, fmt: str) -> HttpResponse:
    pack = fetch(services.get_pack, pack_id)
    try:
        return _download(pack, fmt)
    except ApplicationError as exc:
        refuse(exc)


@login_required
@require_POST
def pack_share(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = fetch(services.get_pack, pack_id)
    form = ShareForm(request.POST)
    label = form.data.get("label", "")
    return _act(
        request,
        lambda: services.pack_share_link_create(actor=user_of(request), pack=pack, label=label),
        reverse("reports:pack_detail", args=[pack.pk]) + "#share",
        "Link for {result.label} created: copy it below.",
    )


@login_required
@require_POST
def pack_share_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = fetch(get_or_404, PackShareLink, link_id)
    return _act(
        request,
        lambda: services.pack_share_link_revoke(actor=user_of(request), link=link),
        reverse("reports:pack_detail", args=[link.pack_id]) + "#share",
        "The link was revoked: it no longer opens the pack.",
    )


def shared(request: HttpRequest, token: str) -> HttpResponse:
    """An issued pack through its link: read-only, no login, from the frozen snapshot."""
    link, pack = fetch(services.shared_pack, token)
    context = _pack_context(pack)
    context.update(link=link, token=token, formats=formats.FORMATS)
    response = render(request, "reports/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_download(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Stored files only (nothing is rendered for a public visitor), and a limit per visitor."""
    _link, pack = fetch(services.shared_pack, token)
    try:
        rate_limit(
            scope="pack-download",
            who=visitor_address(request),
            limit=SHARED_DOWNLOADS[0],
            window=SHARED_DOWNLOADS[1],
        )
        response = _download(pack, fmt)
    except ApplicationError as exc:
        if exc.status_code == 404:
            refuse(exc)
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Settings: slide template, digests ---------------------------------------------------------------


@login_required
def slide_template(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins set the company slide template.")
    form = SlideTemplateForm(request.POST or None, request.FILES or None)
    context = {"form": form, "active": services.active_slide_template()}
    if request.method == "POST":
        if request.POST.get("clear"):
            return _act(
                request,
                lambda: services.slide_template_clear(actor=user_of(request)),
                reverse("reports:slide_template"),
                "Packs use Northstar's own slides again.",
            )
        if not form.is_valid():
            return invalid_form(request, "reports/slide_template.html", context, form)
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_TEMPLATE_BYTES:
            form.add_error("file", "The template is too large: at most 20 MB.")
            return invalid_form(request, "reports/slide_template.html", context, form)
        try:
            services.slide_template_upload(
                actor=user_of(request), name=form.cleaned_data["name"], data=upload.read()
            )
        except ApplicationError as exc:
            return form_refused(request, "reports/slide_template.html", context, form, exc)
        messages.success(request, "New packs' slides now use this template.")
        return redirect("reports:slide_template")
    return render(request, "reports/slide_template.html", context)


@login_required
def digest_settings(request: HttpRequest) -> HttpResponse:
    current = DigestSubscription.objects.filter(user=user_of(request), is_active=True).first()
    form = DigestForm(request.POST or None, initial={"frequency": current.frequency if current else ""})
    context = {"form": form, "current": current}
    if request.method == "POST":
        if not form.is_valid():
            return invalid_form(request, "reports/digest.html", context, form)
        try:
            digests.digest_subscribe(user=user_of(request), frequency=form.cleaned_data["frequency"])
        except ApplicationError as exc:
            return form_refused(request, "reports/digest.html", context, form, exc)
        messages.success(request, "Your digest setting is saved.")
        return redirect("reports:digest")
    return render(request, "reports/digest.html", context)


@csrf_exempt  # the one-click POST comes from a mail client (RFC 8058); the token is the key
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links; a GET never unsubscribes); POST unsubscribes."""
    if request.method == "POST":
        subscription = fetch(digests.digest_unsubscribe, token=token)
        return render(request, "reports/unsubscribed.html", {"subscription": subscription})
    subscription = fetch(digests.subscription_for_token, token)
    return render(request, "reports/unsubscribe.html", {"subscription": subscription, "token": token})


@login_required
@require_POST
def mail_send_now(request: HttpRequest) -> HttpResponse:
    """Queue the digests and reminders that are due (what the scheduler's `send-digests` does)."""
    from northstar.core.jobs import job_enqueue

    require(user_of(request).is_leading, "Only product leaders and admins send digests by hand.")
    try:
        job_enqueue(
            task="northstar.reports.tasks.mail_send",
            actor=user_of(request),
            title="Send due digests and reminders",
            unique_key="reports:mail",  # one send at a time: two would mail people twice
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index")
    messages.success(request, "Due digests and reminders are being sent in the background.")
    return redirect("reports:index")
