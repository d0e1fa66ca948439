"""Who follows a portal request, and the emails they get when its status changes.

A post's subscribers are its voters, its author and its commenters, plus anyone who asked to follow it,
minus anyone who unsubscribed. We only email addresses their owner has proven (a signed-in account, or a
vote confirmed through the emailed link): a visitor's comment names an address nobody checked, and the
portal must not become a way to send mail to someone else's inbox.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from northstar.core.errors import NotFound, ValidationFailed
from northstar.core.markdown import render_markdown
from northstar.core.models import User
from northstar.feedback.models import (
    STAGE_TO_POST_STATUS,
    ChangelogEntry,
    Comment,
    Moderation,
    Post,
    PostStatus,
    Subscription,
    Vote,
)
from northstar.portfolio.models import Stage

logger = logging.getLogger(__name__)

_UNSUBSCRIBE_SALT = "northstar.feedback.unsubscribe"


def _base_url() -> str:
    return str(getattr(settings, "NORTHSTAR_BASE_URL", "")).rstrip("/")


def subscribers(post: Post) -> list[str]:
    """The proven addresses following this post, each once, sorted."""
    voters = set(
        Vote.objects.filter(post=post, confirmed_at__isnull=False)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    following = set(voters)
    if post.author_user_id and post.author_email:
        following.add(post.author_email.lower())
    commenters = set(
        Comment.objects.filter(post=post, moderation=Moderation.APPROVED)
        .exclude(author_email="")
        .values_list("author_email", "author_user_id")
    )
    signed_in = {email.lower() for email, user_id in commenters if user_id}
    unproven = {email.lower() for email, user_id in commenters if not user_id} - signed_in - voters
    proven_elsewhere = set(
        Vote.objects.filter(email__in=unproven, confirmed_at__isnull=False).values_list("email", flat=True)
    )
    following |= signed_in | proven_elsewhere
    choices = dict(Subscription.objects.filter(post=post).values_list("email", "active"))
    following |= {email for email, active in choices.items() if active}
    return sorted(email for email in following if choices.get(email, True))


def is_subscribed(post: Post, email: str) -> bool:
    return bool(email) and email.lower() in subscribers(post)


def _choose(post: Post, email: str, *, active: bool) -> None:
    Subscription.objects.update_or_create(post=post, email=email.lower(), defaults={"active": active})


@transaction.atomic
def subscription_set(*, post: Post, user: User, follow: bool) -> bool:
    """A signed-in person follows or stops following a post (their account proves the address)."""
    if not user.is_authenticated or not user.email:
        raise ValidationFailed("Sign in with an account that has an email address to follow a request.")
    if post.moderation != Moderation.APPROVED or post.merged_into_id:
        raise NotFound("No such post.")
    _choose(post, user.email, active=follow)
    return follow


def unsubscribe_token(post: Post, email: str) -> str:
    """The signed token in an email's unsubscribe link: it names one post and one address, never expires
    (an old email's link must still work) and cannot be altered to silence someone else."""
    return signing.dumps({"p": post.pk, "e": email.lower()}, salt=_UNSUBSCRIBE_SALT)


def _read_token(token: str) -> tuple[Post, str]:
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationFailed(
            "This unsubscribe link is not valid: copy the whole link from the email."
        ) from None
    post = Post.objects.filter(pk=data.get("p")).first()
    if post is None:
        raise NotFound("This request no longer exists, so it will not email you again.")
    return post, str(data.get("e", ""))


def post_for_unsubscribe(token: str) -> tuple[Post, str]:
    """The post and address an unsubscribe link names (for the page that asks to confirm)."""
    return _read_token(token)


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[Post, str]:
    """Stop emailing this address about this post. Doing it twice is harmless."""
    post, email = _read_token(token)
    _choose(post, email, active=False)
    return post, email


def _unsubscribe_url(post: Post, email: str) -> str:
    return _base_url() + reverse("portal:unsubscribe", args=[unsubscribe_token(post, email)])


def _message(post: Post, email: str, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    unsubscribe_url = _unsubscribe_url(post, email)
    context = {**context, "post": post, "unsubscribe_url": unsubscribe_url}
    text = render_to_string(f"portal/email/{template}.txt", context)
    html = render_to_string(f"portal/email/{template}.html", context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_after_commit(messages: list[EmailMultiAlternatives]) -> None:
    """Send once the change is committed: a rolled-back change emails nobody."""
    if not messages:
        return

    def send() -> None:
        try:
            get_connection().send_messages(messages)
        except OSError:  # the mail server is down: what was done stays done, the log says who was missed
            logger.exception("Could not send %s portal emails (%s)", len(messages), messages[0].subject)

    transaction.on_commit(send)


def notify_status_change(post: Post, *, old: str, new: str) -> int:
    """Email each subscriber once that the post moved from `old` to `new` (after the commit).
    Returns how many were emailed."""
    if old == new:
        return 0
    recipients = subscribers(post)
    context = {
        "old": PostStatus(old).label,
        "new": PostStatus(new).label,
        "post_url": _base_url() + reverse("portal:post", args=[post.pk]),
    }
    subject = f"{PostStatus(new).label}: {post.title}"
    send_after_commit([_message(post, email, subject, "status_changed", context) for email in recipients])
    return len(recipients)


def initiative_stage_changed(*, initiative_id: int, from_stage: str, to_stage: str) -> int:
    """A linked idea moved stage: the followers of each of its requests whose public status changes
    hear about it, like a status set by hand. Returns how many emails go out."""
    old, new = STAGE_TO_POST_STATUS[Stage(from_stage)].value, STAGE_TO_POST_STATUS[Stage(to_stage)].value
    if old == new:
        return 0
    posts = Post.objects.filter(
        initiative_id=initiative_id, moderation=Moderation.APPROVED, merged_into__isnull=True
    )
    return sum(notify_status_change(post, old=old, new=new) for post in posts[:200])


def move_followers(*, source: Post, target: Post) -> None:
    """Those following a duplicate follow the request it was merged into (its explicit choices too:
    someone who unsubscribed from the duplicate is not subscribed again by the merge)."""
    for choice in Subscription.objects.filter(post=source):
        Subscription.objects.get_or_create(
            post=target, email=choice.email, defaults={"active": choice.active}
        )
    if source.author_user_id and source.author_email:
        Subscription.objects.get_or_create(post=target, email=source.author_email.lower())
    Subscription.objects.filter(post=source).delete()


def shipped_followers(posts: list[Post]) -> dict[str, Post]:
    """Everyone following any of these posts, once each, with the first such post (its unsubscribe
    link goes in their "shipped" email)."""
    found: dict[str, Post] = {}
    for post in posts:
        for email in subscribers(post):
            found.setdefault(email, post)
    return dict(sorted(found.items()))


def send_shipped(*, entry: ChangelogEntry, followers: dict[str, Post], site_url: str = "") -> None:
    """The changelog's "shipped" email to each follower of its requests (after the commit)."""
    context = {
        "entry": entry,
        "body_html": render_markdown(entry.body),  # sanitised, like on the changelog page
        "changelog_url": site_url or _base_url() + reverse("portal:changelog"),
    }
    subject = f"Shipped: {entry.title}"
    send_after_commit(
        [_message(post, email, subject, "shipped", context) for email, post in followers.items()]
    )
