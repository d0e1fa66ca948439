"""Delivery pages: connections and syncs, export files, links to initiatives, the forecast with its
cone, an initiative's delivery, and the webhook receiver. Views parse, call one service or selector,
and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.middleware import FORM_CONTENT_TYPES
from northstar.core.services import get_or_404
from northstar.core.web import edit_page, fetch, paginate, plotly_url, refuse, require, safe_next, user_of
from northstar.delivery import charts, forecasting, selectors, services
from northstar.delivery.forms import (
    ConnectionForm,
    ExportFileForm,
    FeedForm,
    ForecastForm,
    LinkForm,
    TeamMapForm,
)
from northstar.delivery.imports import work_items_import
from northstar.delivery.models import Connection, InitiativeLink, WorkItem
from northstar.delivery.webhooks import webhook_receive
from northstar.org import access
from northstar.portfolio.models import Initiative


def _refuse_or_say(request: HttpRequest, exc: ApplicationError) -> None:
    """A permission refusal becomes the 403 page; anything else a message above the page."""
    if exc.status_code in (403, 404):
        refuse(exc)
    messages.error(request, exc.message)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Connections, the latest forecast with the roadmap's cone, and what waits for a decision."""
    summary = selectors.forecast_summary(limit=15)
    cone = None
    if summary.forecast is not None:
        cone = charts.burn_up_chart(
            forecasting.burn_up(initiative_id=None, forecast=summary.forecast, weeks=52)
        )
    return render(
        request,
        "delivery/index.html",
        {
            "plotly_url": plotly_url(),
            "connections": selectors.connection_list(),
            "summary": summary,
            "cone": cone,
            "suggestions": selectors.suggestions(limit=10),
            "forecast_form": ForecastForm(),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
def connection_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can connect delivery tools.")
    return edit_page(
        request,
        form=ConnectionForm(request.POST or None),
        save=lambda data: services.connection_save(actor=user_of(request), **data),
        done=lambda c: reverse("delivery:connection_detail", args=[c.pk]),
        context={
            "heading": "Connect a delivery tool",
            "back_url": reverse("delivery:index"),
            "back_label": "Delivery",
        },
        success="Connected {record.name}.",
    )


@login_required
def connection_edit(request: HttpRequest, connection_id: int) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can change delivery connections.")
    connection = fetch(get_or_404, Connection, connection_id)
    back = reverse("delivery:connection_detail", args=[connection.pk])
    return edit_page(
        request,
        form=ConnectionForm(request.POST or None, connection=connection),
        save=lambda data: services.connection_save(actor=user_of(request), connection=connection, **data),
        done=lambda c: back,
        context={"heading": f"Edit {connection.name}", "back_url": back, "back_label": connection.name},
        success="Saved {record.name}.",
        record=connection,
    )


@login_required
def connection_detail(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = fetch(get_or_404, Connection, connection_id)
    containers = selectors.containers(connection)
    page = paginate(request, containers)
    progress = {c.pk: selectors.container_progress(c) for c in page.object_list}
    links = {
        link.container_id: link
        for link in InitiativeLink.objects.filter(container__in=page.object_list)
        .exclude(status=InitiativeLink.Status.REJECTED)
        .select_related("initiative")
    }
    return render(
        request,
        "delivery/connection_detail.html",
        {
            "connection": connection,
            "runs": selectors.sync_runs(connection),
            "mappings": connection.team_mappings.select_related("team").order_by("source_key")[:200],
            "page_obj": page,
            "rows": [(c, progress[c.pk], links.get(c.pk)) for c in page.object_list],
            "item_count": connection.items.count(),
            "file_form": ExportFileForm(),
            "map_form": TeamMapForm(),
            "webhook_url": request.build_absolute_uri(reverse("delivery:webhook", args=[connection.pk])),
            "can_write": user_of(request).can_write,
            "is_leading": user_of(request).is_leading,
        },
    )


@login_required
@require_POST
def connection_sync(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = fetch(get_or_404, Connection, connection_id)
    try:
        services.sync_start(actor=user_of(request), connection=connection)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Syncing {connection.name} in the background.")
    return redirect("delivery:connection_detail", connection.pk)


@login_required
@require_POST
def connection_import(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = fetch(get_or_404, Connection, connection_id)
    require(user_of(request).can_write, "Your role is read-only: ask a product leader to import work.")
    form = ExportFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the tool's export file.")
        return redirect("delivery:connection_detail", connection.pk)
    upload = form.cleaned_data["file"]
    try:
        run = work_items_import(
            actor=user_of(request),
            connection=connection,
            stream=upload,
            file_name=upload.name,
            order=form.cleaned_data["date_order"],
        )
    except ApplicationError as exc:
        errors = exc.detail if isinstance(exc.detail, list) else []
        return render(
            request,
            "delivery/import_refused.html",
            {"message": exc.message, "errors": errors, "file_name": upload.name, "connection": connection},
            status=exc.status_code,
        )
    messages.success(request, f"Took in {run.items:,} items from {run.file_name}.")
    return redirect("delivery:connection_detail", connection.pk)


@login_required
@require_POST
def team_map(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = fetch(get_or_404, Connection, connection_id)
    form = TeamMapForm(request.POST)
    if form.is_valid():
        try:
            moved = services.team_mapping_set(
                actor=user_of(request),
                connection=connection,
                source_key=form.cleaned_data["source_key"],
                team=form.cleaned_data["team"],
            )
        except ApplicationError as exc:
            _refuse_or_say(request, exc)
        else:
            messages.success(request, f"Mapped: {moved:,} items follow.")
    else:
        messages.error(request, "Name the project, team or repository.")
    return redirect("delivery:connection_detail", connection.pk)


@login_required
def container_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    container = fetch(get_or_404, WorkItem, item_id, queryset=WorkItem.objects.select_related("connection"))
    require(container.is_container, "Only epics, projects and milestones have a page of their own.")
    return render(
        request,
        "delivery/container_detail.html",
        {
            "container": container,
            "progress": selectors.container_progress(container),
            "page_obj": paginate(request, container.children.select_related("team").order_by("state", "key")),
            "links": container.initiative_links.exclude(status=InitiativeLink.Status.REJECTED).select_related(
                "initiative"
            ),
            "feeds": container.key_result_feeds.select_related("key_result__objective"),
            "feed_form": FeedForm(),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
@require_POST
def key_result_feed(request: HttpRequest, item_id: int) -> HttpResponse:
    container = fetch(get_or_404, WorkItem, item_id)
    require(user_of(request).can_write, "Your role is read-only: ask a product leader to make this change.")
    form = FeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a key result.")
        return redirect("delivery:container_detail", container.pk)
    try:
        services.key_result_feed_set(
            actor=user_of(request), key_result=form.cleaned_data["key_result"], container=container
        )
    except ApplicationError as exc:
        _refuse_or_say(request, exc)
    else:
        messages.success(request, f"“{form.cleaned_data['key_result']}” now follows {container.key}.")
    return redirect("delivery:container_detail", container.pk)


@login_required
def links(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "delivery/links.html",
        {"suggestions": selectors.suggestions(limit=100), "can_write": user_of(request).can_write},
    )


@login_required
@require_POST
def link_decide(request: HttpRequest, link_id: int) -> HttpResponse:
    link = fetch(
        get_or_404,
        InitiativeLink,
        link_id,
        queryset=InitiativeLink.objects.select_related("initiative__product"),
    )
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.link_decide(actor=user_of(request), link=link, confirm=confirm)
    except ApplicationError as exc:
        refuse(exc)
    messages.success(request, f"{'Linked' if confirm else 'Rejected'}: {link.initiative.title}.")
    return redirect(safe_next(request, reverse("delivery:links")))


@login_required
def initiative(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """An initiative's delivery: progress, linked work, its forecast and burn-up with the cone."""
    item = fetch(get_or_404, Initiative, initiative_id, queryset=Initiative.objects.select_related("product"))
    forecast = selectors.latest_forecast()
    line = forecast.lines.filter(initiative=item).select_related("team").first() if forecast else None
    burn = None
    if forecast is not None and line is not None:
        weeks = forecasting.cone_weeks(forecast.start, line.p95)
        burn = charts.burn_up_chart(
            forecasting.burn_up(initiative_id=item.pk, forecast=forecast, weeks=weeks)
        )
    line_id = item.product.line_id if item.product_id else None
    return render(
        request,
        "delivery/initiative.html",
        {
            "plotly_url": plotly_url(),
            "initiative": item,
            "progress": selectors.initiative_progress([item.pk]).get(item.pk),
            "links": selectors.links_for(item.pk),
            "line": line,
            "forecast": forecast,
            "burn": burn,
            "link_form": LinkForm(),
            "can_edit": access.can_edit_line(user_of(request), line_id),
        },
    )


@login_required
@require_POST
def link_create(request: HttpRequest, initiative_id: int) -> HttpResponse:
    item = fetch(get_or_404, Initiative, initiative_id, queryset=Initiative.objects.select_related("product"))
    form = LinkForm(request.POST)
    container = form.container() if form.is_valid() else None
    if container is None:
        messages.error(request, "No epic, project or milestone has that key: sync or import it first.")
        return redirect("delivery:initiative", item.pk)
    try:
        services.link_create(actor=user_of(request), initiative=item, container=container)
    except ApplicationError as exc:
        _refuse_or_say(request, exc)
    else:
        messages.success(request, f"{container.key} now counts for {item.title}.")
    return redirect("delivery:initiative", item.pk)


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    latest = selectors.latest_forecast()
    page = paginate(request, selectors.forecast_lines(latest)) if latest else None
    return render(
        request,
        "delivery/forecast.html",
        {
            "forecast": latest,
            "page_obj": page,
            "form": ForecastForm(),
            "can_write": user_of(request).can_write,
        },
    )


@login_required
@require_POST
def forecast_run(request: HttpRequest) -> HttpResponse:
    form = ForecastForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the forecast settings.")
        return redirect("delivery:forecast")
    try:
        made = forecasting.forecast_run(actor=user_of(request), **form.cleaned_data)
    except ApplicationError as exc:
        if exc.status_code == 403:
            refuse(exc)
        messages.error(request, exc.message)
        return redirect("delivery:forecast")
    messages.success(
        request, f"Forecast {made.lines.count()} initiatives over {made.simulations:,} simulations."
    )
    return redirect("delivery:forecast")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, connection_id: int) -> HttpResponse:
    """Deliveries from the tools: signed with the connection's secret, or refused."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return JsonResponse({"message": "No such connection."}, status=404)
    if request.content_type in FORM_CONTENT_TYPES:
        # The signature covers the raw JSON body; a form post has been parsed already and cannot be checked.
        return JsonResponse(
            {"message": "Webhook deliveries are JSON: send them with Content-Type: application/json."},
            status=415,
        )
    try:
        delivery = webhook_receive(connection=connection, headers=dict(request.headers), body=request.body)
    except ApplicationError as exc:
        return JsonResponse({"message": exc.message}, status=exc.status_code)
    return JsonResponse({"items": len(delivery.records), "deleted": len(delivery.deleted)}, status=202)
