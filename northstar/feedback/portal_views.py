"""The public portal: anyone reads; visitors post, vote and comment with an email address.

Visitor writes are plain forms (they work without JavaScript) guarded by the portal services'
rate limits, honeypot and moderation; every piece of visitor text is shown through the sanitiser.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.markdown import render_markdown
from northstar.core.services import get_or_404
from northstar.core.web import fetch
from northstar.feedback import portal_branding, portal_services, portal_sso, portal_subscriptions, selectors
from northstar.feedback.clients import client_id
from northstar.feedback.forms import CommentForm, PostForm, VoteForm
from northstar.feedback.models import Board, Moderation, Post, PostStatus


def page(request: HttpRequest, inner: str, context: dict, *, title: str, status: int = 200) -> HttpResponse:
    """A portal page: the same public frame for visitors and for signed-in people (inside the app),
    in the company's branding."""
    context = {
        **context,
        "inner": inner,
        "title": title,
        "branding": portal_branding.current_branding(),
        "portal_customer": portal_sso.signed_in_customer(request.session),
    }
    return render(request, "portal/_page.html", context, status=status)


def logo(request: HttpRequest, sha: str) -> HttpResponse:
    """The portal's logo; its address names the image's hash, so browsers may keep it for a year."""
    found = portal_branding.logo()
    if found is None:
        raise Http404("No logo.")
    data, content_type = found
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _viewer(request: HttpRequest) -> selectors.PortalViewer:
    """Team members see every public board; a customer signed in by their app, their segment's too."""
    if request.user.is_authenticated:
        return selectors.PortalViewer(team=True)
    person = portal_sso.signed_in_customer(request.session)
    return selectors.PortalViewer(segment=person.segment if person else "")


def _board(request: HttpRequest, slug: str) -> Board:
    board = selectors.public_boards(_viewer(request)).filter(slug=slug).first()
    if board is None:
        return fetch(get_or_404, Board, 0)  # raises: the same "not found" page as any missing board
    return board


def _post_form(board: Board, data: Any = None) -> PostForm:
    """The "suggest an idea" form; its title asks for similar requests while the visitor types."""
    form = PostForm(data)
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": reverse("portal:similar", args=[board.slug]),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#similar-posts",
            "hx-swap": "innerHTML",
            "autocomplete": "off",
        }
    )
    return form


def similar(request: HttpRequest, slug: str) -> HttpResponse:
    """Published requests like the title being typed (at most five), to vote for instead."""
    the_board = _board(request, slug)
    found = selectors.similar_posts(board=the_board, title=request.GET.get("title", "")[:200])
    return render(request, "portal/_similar.html", {"similar": found})


def home(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    context = {"boards": selectors.public_boards(viewer), "posts": selectors.public_posts(viewer=viewer)[:10]}
    return page(request, "portal/home.html", context, title="Feedback")


def board(request: HttpRequest, slug: str) -> HttpResponse:
    the_board = _board(request, slug)
    sort = "new" if request.GET.get("sort") == "new" else "top"
    status = request.GET.get("status", "")
    if status not in PostStatus.values:
        status = ""
    posts = selectors.public_posts(board=the_board, sort=sort, status=status, viewer=_viewer(request))[:100]
    context = {
        "board": the_board,
        "posts": posts,
        "sort": sort,
        "status": status,
        "statuses": PostStatus.choices,
        "form": _post_form(the_board),
    }
    return page(request, "portal/board.html", context, title=the_board.name)


@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    the_board = _board(request, slug)
    form = _post_form(the_board, request.POST)
    if form.is_valid():
        try:
            post = portal_services.post_submit(
                board=the_board,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                author_name=form.cleaned_data["author_name"],
                author_email=form.cleaned_data["author_email"],
                user=request.user if request.user.is_authenticated else None,
                client=client_id(request),
                customer=portal_sso.signed_in_customer(request.session),
                honeypot=form.cleaned_data["website"],
                base_url=request.build_absolute_uri("/"),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            confirm = (
                ""
                if post.vote_count
                else f" To count your own vote, open the link we emailed to {post.author_email}."
            )
            if post.moderation == Moderation.APPROVED:
                messages.success(request, "Thanks! Your request is on the board." + confirm)
                return redirect("portal:post", post_id=post.pk)
            messages.success(
                request, "Thanks! Your request will appear once a moderator has read it." + confirm
            )
            return redirect("portal:board", slug=the_board.slug)
    else:
        status = 422
    posts = selectors.public_posts(board=the_board, viewer=_viewer(request))[:100]
    context = {
        "board": the_board,
        "posts": posts,
        "sort": "top",
        "status": "",
        "statuses": PostStatus.choices,
        "form": form,
    }
    return page(request, "portal/board.html", context, title=the_board.name, status=status)


def _known(request: HttpRequest) -> bool:
    """Signed in to Northstar, or signed in by the customer's app: no email address to ask for."""
    return request.user.is_authenticated or portal_sso.signed_in_customer(request.session) is not None


def _post(request: HttpRequest, post_id: int) -> Post:
    visible = selectors.visible_posts(_viewer(request)).select_related("initiative", "board")
    return fetch(get_or_404, Post, post_id, queryset=visible)


def _post_context(request: HttpRequest, post: Post, **extra: object) -> dict:
    return {
        "post": post,
        "body_html": render_markdown(post.body),
        "comments": [(c, render_markdown(c.body)) for c in selectors.approved_comments(post)],
        "vote_form": VoteForm(signed_in=_known(request)),
        "comment_form": CommentForm(),
        "following": request.user.is_authenticated
        and portal_subscriptions.is_subscribed(post, request.user.email or ""),
        **extra,
    }


def post(request: HttpRequest, post_id: int) -> HttpResponse:
    target = selectors.merged_post_target(post_id, _viewer(request))
    if target is not None:  # a merged duplicate: its votes and comments are on the request it joined
        messages.info(request, f"That request was merged into “{target.title}”: your vote counts here.")
        return redirect("portal:post", post_id=target.pk)
    the_post = _post(request, post_id)
    return page(request, "portal/post.html", _post_context(request, the_post), title=the_post.title)


@require_POST
def follow(request: HttpRequest, post_id: int) -> HttpResponse:
    """A signed-in person follows (or stops following) a request's status emails."""
    the_post = _post(request, post_id)
    if not request.user.is_authenticated:
        messages.error(
            request, "Vote for this request to get its emails: we ask you to confirm your address."
        )
        return redirect("portal:post", post_id=the_post.pk)
    try:
        following = portal_subscriptions.subscription_set(
            post=the_post, user=request.user, follow=request.POST.get("follow") == "1"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "You follow this request." if following else "You no longer follow this request."
        )
    return redirect("portal:post", post_id=the_post.pk)


@csrf_exempt  # the signed token is the authority; mail clients' one-click unsubscribe posts without a form
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every status email. Opening it shows a button; pressing it (or a mail client's
    one-click POST) stops the emails for that request."""
    try:
        if request.method == "POST":
            the_post, email = portal_subscriptions.unsubscribe(token=token)
        else:
            the_post, email = portal_subscriptions.post_for_unsubscribe(token)
    except ApplicationError as exc:
        return page(
            request,
            "portal/unsubscribe.html",
            {"error": exc.message},
            title="Unsubscribe",
            status=exc.status_code,
        )
    context = {"post": the_post, "email": email, "token": token, "done": request.method == "POST"}
    return page(request, "portal/unsubscribe.html", context, title="Unsubscribe")


@require_POST
def vote(request: HttpRequest, post_id: int) -> HttpResponse:
    the_post = _post(request, post_id)
    form = VoteForm(request.POST, signed_in=_known(request))
    if form.is_valid():
        try:
            cast = portal_services.vote_cast(
                post=the_post,
                user=request.user if request.user.is_authenticated else None,
                email=form.cleaned_data["email"],
                client=client_id(request),
                customer=portal_sso.signed_in_customer(request.session),
                honeypot=form.cleaned_data["website"],
                base_url=request.build_absolute_uri("/"),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            context = _post_context(request, the_post, vote_form=form)
            return page(request, "portal/post.html", context, title=the_post.title, status=exc.status_code)
        if cast.confirmed_at:
            messages.success(request, "Thanks for your vote! We will email you when it ships.")
        else:
            messages.success(request, _CHECK_EMAIL.format(email=cast.email))
        return redirect("portal:post", post_id=the_post.pk)
    context = _post_context(request, the_post, vote_form=form)
    return page(request, "portal/post.html", context, title=the_post.title, status=422)


_CHECK_EMAIL = "Almost done: we emailed a link to {email}. Your vote counts once you open it."


def vote_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email. Opening it shows a button; pressing it (a POST) counts the vote, so a
    mail scanner that opens every link cannot confirm a vote for someone."""
    try:
        if request.method == "POST":
            the_vote = portal_services.vote_confirm(token=token)
        else:
            the_vote = portal_services.vote_for_token(token)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("portal:home")
    if request.method != "POST":
        return page(
            request, "portal/vote_confirm.html", {"vote": the_vote, "token": token}, title="Confirm your vote"
        )
    messages.success(request, "Thanks: your vote is counted. We will email you when it ships.")
    if selectors.visible_posts(_viewer(request)).filter(pk=the_vote.post_id).exists():
        return redirect("portal:post", post_id=the_vote.post_id)
    return redirect("portal:home")


@require_POST
def comment(request: HttpRequest, post_id: int) -> HttpResponse:
    the_post = _post(request, post_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            added = portal_services.comment_add(
                post=the_post,
                body=form.cleaned_data["body"],
                author_name=form.cleaned_data["author_name"],
                author_email=form.cleaned_data["author_email"],
                user=request.user if request.user.is_authenticated else None,
                client=client_id(request),
                customer=portal_sso.signed_in_customer(request.session),
                honeypot=form.cleaned_data["website"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            context = _post_context(request, the_post, comment_form=form)
            return page(request, "portal/post.html", context, title=the_post.title, status=exc.status_code)
        if added.moderation == Moderation.APPROVED:
            messages.success(request, "Comment added.")
        else:
            messages.success(request, "Thanks! Your comment will appear once a moderator has read it.")
        return redirect("portal:post", post_id=the_post.pk)
    context = _post_context(request, the_post, comment_form=form)
    return page(request, "portal/post.html", context, title=the_post.title, status=422)


def sso(request: HttpRequest) -> HttpResponse:
    """Where the customer's app sends its signed-in user: `?site=<widget key>&token=<JWT>&next=<path>`."""
    try:
        person = portal_sso.sso_sign_in(
            site_key=request.GET.get("site", ""), token=request.GET.get("token", "")
        )
    except ApplicationError as exc:
        return page(
            request,
            "portal/sso_refused.html",
            {"error": exc.message},
            title="Sign-in",
            status=exc.status_code,
        )
    portal_sso.remember(request.session, person)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    return redirect(target)


@require_POST
def sso_sign_out(request: HttpRequest) -> HttpResponse:
    portal_sso.forget(request.session)
    return redirect("portal:home")


def roadmap(request: HttpRequest) -> HttpResponse:
    return page(
        request,
        "portal/roadmap.html",
        {"columns": selectors.roadmap_columns(_viewer(request))},
        title="Roadmap",
    )


def changelog(request: HttpRequest) -> HttpResponse:
    entries = [(e, render_markdown(e.body)) for e in selectors.published_changelog()[:50]]
    return page(request, "portal/changelog.html", {"entries": entries}, title="Changelog")
