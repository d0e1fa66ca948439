"""Home pages: marking home as seen (the cockpit itself is core:home, core.views.home) and search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from northstar.core.errors import ApplicationError, ValidationFailed
from northstar.core.web import (
    edit_page,
    fetch,
    is_fragment_request,
    paginate,
    refuse,
    render_list,
    user_of,
)
from northstar.home import pickers, selectors, services
from northstar.home import search as home_search
from northstar.home.forms import CommentEditForm, CommentForm, NotificationSettingsForm
from northstar.home.indexing import SOURCES
from northstar.home.search import MAX_RESULTS


@login_required
@require_POST
def seen(request: HttpRequest) -> HttpResponse:
    """Everything on home up to now is seen: "what changed" starts again from here."""
    services.visit_mark_seen(user=user_of(request))
    messages.success(request, "Marked as seen: home now shows what changes from here on.")
    return redirect("core:home")


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search everything this person may see; HTMX asks for the results alone while they type."""
    query = request.GET.get("q", "")[:200]
    kind = request.GET.get("kind", "")
    if kind not in SOURCES:
        kind = ""
    results = home_search.search(user=user_of(request), query=query, kind=kind, limit=MAX_RESULTS)
    kinds = [(k, SOURCES[k].label) for k in home_search.visible_kinds(user_of(request))]
    return render_list(
        request,
        "home/search.html",
        "home/_search_results.html",
        {"results": results, "query": query, "kind": kind, "kinds": kinds},
    )


@login_required
@require_GET
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """A picker's matches for what was typed: a bounded list of options (see core.forms.Picker)."""
    query = request.GET.get("q", "")
    field = request.GET.get("field", "")
    if not field.replace("_", "").replace("-", "").isalnum():
        field = f"pick-{kind}"
    try:
        found, more = pickers.options(
            user=user_of(request), kind=kind, query=query, purpose=request.GET.get("purpose", "")
        )
    except ValidationFailed as exc:  # a hand-made address: a clear 400, not a server error
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    except ApplicationError as exc:
        refuse(exc)
    return render(
        request,
        "home/_pick_options.html",
        {"options": found, "more": more, "query": query, "field": field, "noun": pickers.SOURCES[kind].noun},
    )


# Following initiatives ----------------------------------------------------------------------------


@login_required
def follow(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """The initiative page's Follow button (HTMX loads it) and following or unfollowing."""
    initiative = fetch(services.target_get, target="initiative", target_id=initiative_id)
    user = user_of(request)
    if request.method == "POST":
        try:
            services.follow_set(
                actor=user, initiative=initiative, following=request.POST.get("follow") == "1"
            )
        except ApplicationError as exc:
            refuse(exc)
    if not is_fragment_request(request):
        return redirect(services.target_url("initiative", initiative.pk))
    return render(
        request,
        "home/_follow.html",
        {
            "initiative_id": initiative.pk,
            "following": selectors.is_following(user=user, initiative_id=initiative.pk),
        },
    )


# Comments -----------------------------------------------------------------------------------------


def _thread_context(
    request: HttpRequest, target: str, target_id: int, form: CommentForm | None = None
) -> dict:
    user = user_of(request)
    return {
        "target": target,
        "target_id": target_id,
        "thread": selectors.comment_thread(target=target, target_id=target_id),
        "form": form or CommentForm(),
        "can_moderate": user.is_leading,
    }


@login_required
def comments(request: HttpRequest, target: str, target_id: int) -> HttpResponse:
    """A record's comment thread (HTMX loads it into initiative and objective pages) and adding to it."""
    record = fetch(services.target_get, target=target, target_id=target_id, user=user_of(request))
    if request.method == "POST":
        form = CommentForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                comment = services.comment_create(
                    actor=user_of(request), target=target, target_id=record.pk, **form.service_data()
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                if not is_fragment_request(request):
                    messages.success(request, "Comment added.")
                    return redirect(services.comment_url(comment))
                return render(request, "home/_comments.html", _thread_context(request, target, record.pk))
        if not is_fragment_request(request):
            messages.error(request, "; ".join(str(m) for errs in form.errors.values() for m in errs))
            return redirect(services.target_url(target, record.pk) + "#comments")
        return render(
            request, "home/_comments.html", _thread_context(request, target, record.pk, form), status=status
        )
    if not is_fragment_request(request):
        return redirect(services.target_url(target, record.pk) + "#comments")
    return render(request, "home/_comments.html", _thread_context(request, target, record.pk))


@login_required
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = fetch(services.comment_get, comment_id=comment_id)
    try:
        services.require_comment_edit(user_of(request), comment)
    except ApplicationError as exc:
        refuse(exc)
    back = services.comment_url(comment)
    return edit_page(
        request,
        form=CommentEditForm(request.POST or None, initial={"body": comment.body}),
        save=lambda data: services.comment_update(actor=user_of(request), comment=comment, **data),
        done=services.comment_url,
        context={"heading": "Edit comment", "back_url": back, "back_label": "Back to the discussion"},
        success="Comment saved.",
        record=comment,
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = fetch(services.comment_get, comment_id=comment_id)
    back = services.target_url(comment.target, comment.target_id) + "#comments"
    try:
        services.comment_delete(actor=user_of(request), comment=comment)
    except ApplicationError as exc:
        refuse(exc)
    messages.success(request, "Comment deleted.")
    return redirect(back)


# Notifications ------------------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """This person's notifications, newest first, unread ones marked."""
    user = user_of(request)
    page = paginate(request, selectors.notification_list(user=user))
    return render(
        request,
        "home/notifications.html",
        {"page_obj": page, "unread": selectors.unread_count(user=user)},
    )


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """How notifications reach this person by email: each at once, a daily digest, or not at all."""
    user = user_of(request)
    current = services.notification_settings_get(user=user)
    return edit_page(
        request,
        form=NotificationSettingsForm(request.POST or None, initial={"email": current.email}),
        save=lambda data: services.notification_settings_set(actor=user, settings=current, **data),
        done=lambda saved: reverse("home:notifications"),
        context={
            "heading": "Notification email",
            "back_url": reverse("home:notifications"),
            "back_label": "Notifications",
        },
        success="Notification email saved.",
        record=current if current.pk else None,
    )


@login_required
@require_GET
def unread(request: HttpRequest) -> HttpResponse:
    """The navigation's notifications link with its unread count (HTMX refreshes it)."""
    return render(request, "home/_unread.html", {"unread": selectors.unread_count(user=user_of(request))})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=user_of(request))
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("home:notifications")


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark a notification read and go to what it is about."""
    notification = fetch(services.notification_open, user=user_of(request), notification_id=notification_id)
    return redirect(safe_url(notification.url, reverse("home:notifications")))


def safe_url(url: str, fallback: str) -> str:
    """Only paths of this site: a notification never sends anyone elsewhere."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return fallback
