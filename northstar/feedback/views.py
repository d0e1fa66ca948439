"""Feedback pages for the product team: inbox, items, imports, customers, themes and demand.

The portal's admin pages are in `admin_views.py`; the public portal in `portal_views.py`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import uploads
from northstar.core.errors import ApplicationError
from northstar.core.jobs import job_get
from northstar.core.models import Job
from northstar.core.services import get_or_404
from northstar.core.web import READ_ONLY, edit_page, fetch, paginate, render_list, require, safe_next, user_of
from northstar.engines.themes import available_embedders
from northstar.feedback import imports, selectors, services, theme_services
from northstar.feedback.forms import (
    CustomerForm,
    IdeaForm,
    ItemFilterForm,
    ItemForm,
    LinkForm,
    MappingForm,
    MergeForm,
    ReclusterForm,
    RenameForm,
    UploadForm,
)
from northstar.feedback.models import Customer, EvidenceLink, FeedbackItem, Segment, Theme
from northstar.portfolio.models import Initiative


def _fail(request: HttpRequest, exc: ApplicationError, to: str) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect(to)


# Inbox and items -----------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """New feedback first; near-identical items show how many copies arrived."""
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = FeedbackItem.Status.NEW
    form = ItemFilterForm(params)
    page = paginate(request, selectors.item_list(selectors.ItemFilters(**form.filters())))
    dupes = selectors.duplicate_counts(list(page.object_list))
    rows = [(item, dupes.get(item.fingerprint, 1)) for item in page.object_list]
    return render_list(
        request,
        "feedback/inbox.html",
        "feedback/_inbox_results.html",
        {"form": form, "page_obj": page, "rows": rows},
    )


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=ItemForm(request.POST or None),
        save=lambda data: services.feedback_create(actor=user_of(request), **data),
        done=lambda item: reverse("feedback:item_detail", args=[item.pk]),
        context={"heading": "Add feedback", "back_url": reverse("feedback:inbox"), "back_label": "Inbox"},
        success="The feedback was added.",
    )


def _item(item_id: int) -> FeedbackItem:
    return fetch(get_or_404, FeedbackItem, item_id, queryset=selectors.item_detail_queryset())


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    link_form = LinkForm()
    return render(
        request,
        "feedback/item_detail.html",
        {
            "item": item,
            "links": list(item.links.all()),
            "similar": selectors.similar_items(item),
            "link_form": link_form,
            "idea_form": IdeaForm(initial={"title": (item.title or item.text)[:120]}),
        },
    )


@login_required
@require_POST
def item_process(request: HttpRequest, item_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    item = _item(item_id)
    status = request.POST.get("status", FeedbackItem.Status.PROCESSED)
    try:
        services.feedback_set_status(actor=user_of(request), items=[item], status=status)
    except ApplicationError as exc:
        return _fail(request, exc, reverse("feedback:item_detail", args=[item.pk]))
    messages.success(
        request, "Marked processed." if status == FeedbackItem.Status.PROCESSED else "Back in the inbox."
    )
    return redirect(safe_next(request, reverse("feedback:inbox")))


@login_required
@require_POST
def item_link(request: HttpRequest, item_id: int) -> HttpResponse:
    """Link the item (or a quote from it) to an existing idea as evidence."""
    require(user_of(request).can_write, READ_ONLY)
    item = _item(item_id)
    back = reverse("feedback:item_detail", args=[item.pk])
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an idea to link to.")
        return redirect(back)
    try:
        initiative = get_or_404(Initiative, form.cleaned_data["initiative"])
        services.link_create(
            actor=user_of(request), item=item, initiative=initiative, quote=form.cleaned_data["quote"]
        )
    except ApplicationError as exc:
        return _fail(request, exc, back)
    messages.success(request, f"Linked to “{initiative.title}”.")
    return redirect(back)


@login_required
@require_POST
def link_delete(request: HttpRequest, link_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    link = fetch(get_or_404, EvidenceLink, link_id)
    back = reverse("feedback:item_detail", args=[link.item_id])
    try:
        services.link_delete(actor=user_of(request), link=link)
    except ApplicationError as exc:
        return _fail(request, exc, back)
    messages.success(request, "The link was removed.")
    return redirect(back)


@login_required
@require_POST
def item_idea(request: HttpRequest, item_id: int) -> HttpResponse:
    """Create a new idea from the item; the item becomes its first evidence."""
    require(user_of(request).can_write, READ_ONLY)
    item = _item(item_id)
    back = reverse("feedback:item_detail", args=[item.pk])
    form = IdeaForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new idea a title.")
        return redirect(back)
    product = form.cleaned_data["product"]
    try:
        initiative = services.idea_from_feedback(
            actor=user_of(request),
            item=item,
            title=form.cleaned_data["title"],
            product_id=product.pk if product else None,
            quote=form.cleaned_data["quote"],
        )
    except ApplicationError as exc:
        return _fail(request, exc, back)
    messages.success(request, f"Created the idea “{initiative.title}” with this feedback as evidence.")
    return redirect(back)


# Imports -------------------------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a file. CSVs go on to the column mapping; mail files start importing at once."""
    require(user_of(request).can_write, READ_ONLY)
    form = UploadForm(request.POST or None, request.FILES or None)
    too_large = uploads.refused_upload(request) if request.method == "POST" else None
    if too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large)
        return render(request, "feedback/import_upload.html", {"form": form}, status=413)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token = imports.upload_save(actor=user_of(request), upload=upload)
            if not token.endswith(".csv") and not token.endswith(".txt"):
                job = imports.import_start(
                    actor=user_of(request), token=token, kind="email", filename=upload.name
                )
                return redirect("feedback:import_job", job_id=job.pk)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            return render(request, "feedback/import_upload.html", {"form": form}, status=exc.status_code)
        url = reverse("feedback:import_map", args=[token])
        query = urlencode({"preset": form.cleaned_data["preset"], "name": upload.name})
        return redirect(f"{url}?{query}")
    status = 422 if request.method == "POST" else 200
    return render(request, "feedback/import_upload.html", {"form": form}, status=status)


@login_required
def import_map(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: say which column holds what (a preset fills it in), see the first rows, import."""
    require(user_of(request).can_write, READ_ONLY)
    try:
        path = imports.upload_path(actor=user_of(request), token=token)
        headers, sample = imports.csv_preview(path)
    except ApplicationError as exc:
        return _fail(request, exc, reverse("feedback:import_upload"))
    preset = request.GET.get("preset") or request.POST.get("preset") or "generic"
    filename = request.GET.get("name") or request.POST.get("name") or "feedback.csv"
    form = MappingForm(
        request.POST or None, headers=headers, initial_mapping=imports.preset_mapping(preset, headers)
    )
    context = {
        "form": form,
        "headers": headers,
        "sample": sample,
        "preset": preset,
        "name": filename,
        "token": token,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "feedback/import_map.html", context, status=422)
        try:
            job = imports.import_start(
                actor=user_of(request),
                token=token,
                kind="csv",
                mapping=form.mapping(),
                preset=preset,
                filename=filename,
                order=form.cleaned_data["date_order"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return render(request, "feedback/import_map.html", context, status=exc.status_code)
        return redirect("feedback:import_job", job_id=job.pk)
    return render(request, "feedback/import_map.html", context)


@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Step 3: the import's progress bar, then what it added (or why nothing was stored)."""
    job: Job = fetch(job_get, job_id=job_id, user=user_of(request))
    return render(request, "feedback/import_job.html", {"job": job})


# Customers -----------------------------------------------------------------------------------------


@login_required
def customers(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.customer_list(search=request.GET.get("search", "")))
    return render(
        request, "feedback/customers.html", {"page_obj": page, "search": request.GET.get("search", "")}
    )


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = fetch(get_or_404, Customer, customer_id)
    items = selectors.item_list(selectors.ItemFilters(customer=customer.pk))[:50]
    return render(
        request,
        "feedback/customer_detail.html",
        {"customer": customer, "items": items, "contacts": customer.contacts.all()},
    )


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=CustomerForm(request.POST or None),
        save=lambda data: services.customer_create(actor=user_of(request), **data),
        done=lambda c: reverse("feedback:customer_detail", args=[c.pk]),
        context={
            "heading": "New customer",
            "back_url": reverse("feedback:customers"),
            "back_label": "Customers",
        },
        success="{record} was created.",
    )


@login_required
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = fetch(get_or_404, Customer, customer_id)
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=CustomerForm(request.POST or None, customer=customer),
        record=customer,
        save=lambda data: services.customer_update(actor=user_of(request), customer=customer, **data),
        done=lambda c: reverse("feedback:customer_detail", args=[c.pk]),
        context={
            "heading": f"Edit {customer.name}",
            "back_url": reverse("feedback:customer_detail", args=[customer.pk]),
            "back_label": customer.name,
        },
        success="{record} was saved.",
    )


# Themes --------------------------------------------------------------------------------------------


@login_required
def themes(request: HttpRequest) -> HttpResponse:
    job_id = request.GET.get("job", "")
    job = None
    if job_id.isdigit():
        try:
            job = job_get(job_id=int(job_id), user=user_of(request))
        except ApplicationError:
            job = None
    embedder = theme_services.current_embedder()
    run = selectors.latest_run()
    sort = request.GET.get("sort", "demand")
    sort = sort if sort in {"demand", "size", "recent"} else "demand"
    page = Paginator(selectors.theme_demand(sort=sort), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_list(
        request,
        "feedback/themes.html",
        "feedback/_themes_body.html",
        {
            "page_obj": page,
            "themes": page.object_list,
            "sort": sort,
            "run": run,
            "unthemed": selectors.unthemed_count(),
            "embedder": embedder,
            "installed_fallback_only": available_embedders()[0] != embedder.name or embedder.corpus_fitted,
            "run_used_fallback": run is not None and run.embedder != embedder.name,
            "form": ReclusterForm(),
            "job": job,
        },
    )


@login_required
@require_POST
def themes_recluster(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    form = ReclusterForm(request.POST)
    n_themes = form.cleaned_data["n_themes"] if form.is_valid() else None
    try:
        job = theme_services.themes_recluster_start(actor=user_of(request), n_themes=n_themes)
    except ApplicationError as exc:
        return _fail(request, exc, reverse("feedback:themes"))
    return redirect(f"{reverse('feedback:themes')}?job={job.pk}")


def _theme(theme_id: int) -> Theme:
    return fetch(get_or_404, Theme, theme_id)


@login_required
def theme_detail(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = _theme(theme_id)
    stats = selectors.theme_stats(theme)
    peak = max((n for _, n in stats.trend), default=0) or 1
    context: dict[str, Any] = {
        "theme": theme,
        "stats": stats,
        "trend": [(month, n, round(100 * n / peak)) for month, n in stats.trend],
        "initiatives": selectors.theme_initiatives(theme),
        "rename_form": RenameForm(initial={"name": theme.name}),
        "merge_form": MergeForm(theme=theme),
    }
    return render(request, "feedback/theme_detail.html", context)


@login_required
@require_POST
def theme_rename(request: HttpRequest, theme_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    theme = _theme(theme_id)
    back = reverse("feedback:theme_detail", args=[theme.pk])
    try:
        theme_services.theme_rename(actor=user_of(request), theme=theme, name=request.POST.get("name", ""))
    except ApplicationError as exc:
        return _fail(request, exc, back)
    messages.success(request, "Renamed. The name stays across re-clusterings.")
    return redirect(back)


@login_required
@require_POST
def theme_merge(request: HttpRequest, theme_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    theme = _theme(theme_id)
    back = reverse("feedback:theme_detail", args=[theme.pk])
    form = MergeForm(request.POST, theme=theme)
    if not form.is_valid():
        messages.error(request, "Choose at least one other theme to merge into this one.")
        return redirect(back)
    try:
        theme_services.theme_merge(
            actor=user_of(request), theme=theme, others=list(form.cleaned_data["others"])
        )
    except ApplicationError as exc:
        return _fail(request, exc, back)
    messages.success(request, "Merged. The theme is pinned: re-clustering keeps its items together.")
    return redirect(back)


@login_required
@require_POST
def theme_split(request: HttpRequest, theme_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    theme = _theme(theme_id)
    back = reverse("feedback:theme_detail", args=[theme.pk])
    parts = request.POST.get("parts", "2")
    try:
        theme_services.theme_split(
            actor=user_of(request), theme=theme, parts=int(parts) if parts.isdigit() else 2
        )
    except ApplicationError as exc:
        return _fail(request, exc, back)
    messages.success(request, "Split. The new themes are pinned: re-clustering keeps them apart.")
    return redirect(back)


@login_required
@require_POST
def theme_pin(request: HttpRequest, theme_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    theme = _theme(theme_id)
    back = reverse("feedback:theme_detail", args=[theme.pk])
    try:
        theme_services.theme_set_pinned(
            actor=user_of(request), theme=theme, pinned=request.POST.get("pinned") == "1"
        )
    except ApplicationError as exc:
        return _fail(request, exc, back)
    return redirect(back)


@login_required
def demand(request: HttpRequest) -> HttpResponse:
    """Ideas by the customer evidence behind them: items, accounts, revenue, segments, votes."""
    labels = {**dict(Segment.choices), "unknown": "No account"}
    rows = [
        (initiative, demand, [(labels.get(k, k), v) for k, v in demand.by_segment.items()])
        for initiative, demand in selectors.initiatives_with_demand()
    ]
    return render(request, "feedback/demand.html", {"rows": rows})
