"""The team's side of the portal: moderation, boards, posts' links to ideas, changelog, widget sites."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import concurrency
from northstar.core.errors import ApplicationError
from northstar.core.services import get_or_404
from northstar.core.web import READ_ONLY, fetch, refuse, require, user_of
from northstar.feedback import portal_branding, portal_merge, portal_services, portal_sso, selectors
from northstar.feedback.forms import BoardForm, ChangelogForm, WidgetSiteForm
from northstar.feedback.models import ChangelogEntry, Comment, Post, PostStatus, Segment, WidgetSite
from northstar.org.access import can_see_customer_people
from northstar.portfolio.models import Initiative

#: The team sees every public board, segment-private ones included.
TEAM = selectors.PortalViewer(team=True)
LEADERS_ONLY = "Only product leaders and admins can change the portal's boards and widget sites."


def _post_choices() -> list[tuple[int, str]]:
    rows = (
        selectors.visible_posts(TEAM).order_by("-vote_count").values_list("id", "title", "vote_count")[:300]
    )
    return [(pk, f"{title} ({votes} votes)") for pk, title, votes in rows]


@login_required
def portal_admin(request: HttpRequest) -> HttpResponse:
    # The moderation queue holds unpublished posts with their authors' addresses: the people rule applies.
    posts, comments = selectors.moderation_queue() if can_see_customer_people(user_of(request)) else ([], [])
    return render(
        request,
        "feedback/portal_admin.html",
        {
            "pending_posts": posts,
            "pending_comments": comments,
            "boards": selectors.public_boards(TEAM),
            "sites": WidgetSite.objects.all(),
            "entries": ChangelogEntry.objects.prefetch_related("posts")[:20],
            "top_posts": selectors.public_posts(viewer=TEAM)[:20],
            "board_form": BoardForm(),
            "segments": Segment.choices,
            "site_form": WidgetSiteForm(),
        },
    )


@login_required
@require_POST
def moderate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    model = Post if kind == "post" else Comment
    target = fetch(get_or_404, model, pk)
    try:
        portal_services.moderate(
            actor=user_of(request),
            target=target,
            decision=request.POST.get("decision", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:portal_admin")


@login_required
@require_POST
def board_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY)
    form = BoardForm(request.POST)
    try:
        if not form.is_valid():
            raise portal_services.ValidationFailed("Give the board a name.")
        board = portal_services.board_create(actor=user_of(request), **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:portal_admin")
    messages.success(request, f"The board “{board.name}” is live on the portal.")
    return redirect("feedback:portal_admin")


@login_required
@require_POST
def widget_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, LEADERS_ONLY)
    form = WidgetSiteForm(request.POST)
    try:
        if not form.is_valid():
            raise portal_services.ValidationFailed("Give the site a name.")
        portal_services.widget_site_create(actor=user_of(request), **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:portal_admin")
    messages.success(request, "The site's widget key is ready: copy the snippet below into its pages.")
    return redirect("feedback:portal_admin")


@login_required
@require_POST
def widget_secret_rotate(request: HttpRequest, site_id: int) -> HttpResponse:
    """A new portal sign-in secret for a site (its first, or one replacing a leaked one)."""
    site = fetch(get_or_404, WidgetSite, site_id)
    try:
        portal_sso.sso_secret_rotate(actor=user_of(request), site=site)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect("feedback:portal_admin")
    messages.success(
        request, f"{site.name} has a new sign-in secret: tokens signed with the old one no longer work."
    )
    return redirect("feedback:portal_admin")


@login_required
def post_manage(request: HttpRequest, post_id: int) -> HttpResponse:
    """Link a portal request to an idea (its status then follows the idea's stage) or set its status."""
    post = fetch(
        get_or_404, Post, post_id, queryset=Post.objects.select_related("initiative", "board", "merged_into")
    )
    if request.method == "POST":
        require(user_of(request).can_write, READ_ONLY)
        raw = request.POST.get("initiative", "")
        try:
            initiative = get_or_404(Initiative, int(raw)) if raw.isdigit() else None
            portal_services.post_update(
                actor=user_of(request),
                post=post,
                status=request.POST.get("status") or None,
                initiative=initiative,
                version=concurrency.submitted_version(request.POST.get("version")),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("feedback:post_manage", post_id=post.pk)
        messages.success(request, "Saved.")
        return redirect("feedback:post_manage", post_id=post.pk)
    context = {
        "post": post,
        "statuses": PostStatus.choices,
        "merge_choices": [(pk, label) for pk, label in _post_choices() if pk != post.pk],
    }
    return render(request, "feedback/post_manage.html", context)


@login_required
def branding(request: HttpRequest) -> HttpResponse:
    """The portal's name, colour and logo (product leaders and admins)."""
    require(user_of(request).is_leading, "Only product leaders and admins can change the portal's branding.")
    row = portal_branding.branding_row()
    if request.method == "POST":
        try:
            portal_branding.branding_update(
                actor=user_of(request),
                company_name=request.POST.get("company_name", ""),
                primary_color=request.POST.get("primary_color", ""),
                logo_upload=request.FILES.get("logo"),
                remove_logo=request.POST.get("remove_logo") == "1",
                version=concurrency.submitted_version(request.POST.get("version")),
            )
        except ApplicationError as exc:
            context = {"row": row, "error": exc.message, "data": request.POST, "host": settings.PORTAL_HOST}
            return render(request, "feedback/portal_branding.html", context, status=exc.status_code)
        messages.success(request, "The portal's branding is saved.")
        return redirect("feedback:portal_branding")
    context = {"row": row, "data": None, "host": settings.PORTAL_HOST}
    return render(request, "feedback/portal_branding.html", context)


@login_required
@require_POST
def post_merge(request: HttpRequest, post_id: int) -> HttpResponse:
    """Merge this duplicate into the request the team picked (its votes, comments and followers move)."""
    source = fetch(get_or_404, Post, post_id)
    raw = request.POST.get("into", "")
    try:
        require(user_of(request).can_write, READ_ONLY)
        if not raw.isdigit():
            raise portal_services.ValidationFailed("Pick the request this one duplicates.")
        target = portal_merge.post_merge(
            actor=user_of(request), source=source, target=get_or_404(Post, int(raw))
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:post_manage", post_id=source.pk)
    messages.success(request, f"Merged into “{target.title}”: it now has {target.vote_count} votes.")
    return redirect("feedback:post_manage", post_id=target.pk)


@login_required
def changelog_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    form = ChangelogForm(request.POST or None, post_choices=_post_choices())
    if request.method == "POST" and form.is_valid():
        try:
            portal_services.changelog_create(
                actor=user_of(request),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                post_ids=[int(p) for p in form.cleaned_data["posts"]],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return render(request, "feedback/changelog_form.html", {"form": form}, status=exc.status_code)
        messages.success(request, "Draft saved. Publish it to email the voters.")
        return redirect("feedback:portal_admin")
    return render(
        request,
        "feedback/changelog_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def changelog_publish(request: HttpRequest, entry_id: int) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    entry = fetch(get_or_404, ChangelogEntry, entry_id)
    try:
        entry = portal_services.changelog_publish(
            actor=user_of(request),
            entry=entry,
            site_url=request.build_absolute_uri(reverse("portal:changelog")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:portal_admin")
    messages.success(
        request, f"Published; {entry.notified} voter{'s' if entry.notified != 1 else ''} emailed."
    )
    return redirect("feedback:portal_admin")
