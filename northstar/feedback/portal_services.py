"""The public portal's writes: posts, votes, comments, moderation, the changelog, the widget.

Visitors are strangers, so every write here is guarded: a rate limit per visitor (Django's cache),
a honeypot field bots fill in, moderation before a stranger's words are shown, and text that is
rendered only through the Markdown sanitiser. One vote per person is the database's rule, and a
visitor's vote counts only once they open the link we email them: otherwise anyone could vote under
any address, and the changelog would email people who never asked for it.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from django.core import signing
from django.core.mail import get_connection, send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from northstar.core import audit, concurrency, ratelimit
from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.feedback import portal_sso, portal_subscriptions
from northstar.feedback.models import (
    Board,
    ChangelogEntry,
    Comment,
    Customer,
    FeedbackItem,
    Moderation,
    Post,
    PostStatus,
    Segment,
    Source,
    Vote,
    WidgetSite,
)
from northstar.feedback.portal_sso import PortalCustomer
from northstar.feedback.services import RateLimited, build_item, customer_for_email
from northstar.org import access
from northstar.portfolio.models import Initiative
from northstar.portfolio.permissions import require_initiative_edit

logger = logging.getLogger(__name__)

#: (requests, seconds) per visitor and kind of write.
RATE_LIMITS = {
    "post": (5, 600),
    "comment": (10, 600),
    "vote": (60, 600),
    "widget": (20, 600),
    # Confirmation links we email: one address gets at most 2 a day for one post and 20 a day in all,
    # however many visitors (or addresses of theirs) ask, so the portal cannot be used to spam someone.
    "vote_link": (2, 86_400),
    "vote_link_address": (20, 86_400),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest address the standard (and our columns) allow.
MAX_EMAIL = 254
_TOO_LONG = f"That email address is too long: an address has at most {MAX_EMAIL} characters."
#: How long the link that confirms a visitor's vote works.
VOTE_LINK_DAYS = 7
_VOTE_LINK_SALT = "northstar.feedback.vote-confirm"


def rate_limit(*, kind: str, who: str) -> None:
    """Count one write by `who`; refuse when they are over the limit for this kind of write."""
    limit, window = RATE_LIMITS[kind]
    ratelimit.rate_limit(scope=f"feedback:{kind}", who=who, limit=limit, window=window)


def _check_honeypot(honeypot: str) -> None:
    if honeypot:
        raise ValidationFailed("Your message could not be accepted.")


def _visitor(user: User | None, email: str, customer: PortalCustomer | None = None) -> tuple[str, str]:
    """(voter key, email) for a signed-in user, a customer their app signed in, or a visitor who gave
    an email address. A signed-in customer is the same voter as the visitor with their address."""
    if customer is not None and not (user is not None and user.is_authenticated):
        return f"email:{customer.email}", customer.email
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", (user.email or "").lower()
    email = (email or "").strip().lower()
    if len(email) > MAX_EMAIL:
        raise ValidationFailed(_TOO_LONG)
    if not _EMAIL.match(email):
        raise ValidationFailed(
            "Give your email address so we can count your vote once and tell you when it ships."
        )
    return f"email:{email}", email


def _is_team(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.can_write


# Posts ---------------------------------------------------------------------------------------------


@transaction.atomic
def post_submit(
    *,
    board: Board,
    title: str,
    body: str = "",
    author_name: str = "",
    author_email: str = "",
    user: User | None = None,
    client: str,
    honeypot: str = "",
    base_url: str = "",
    customer: PortalCustomer | None = None,
) -> Post:
    """A visitor's request. Strangers' posts wait for moderation; the team's are shown at once.

    `base_url` (the site's address) makes the link that confirms a visitor author's vote; it is
    emailed when a moderator approves the post (`moderate` takes the address again)."""
    _check_honeypot(honeypot)
    rate_limit(kind="post", who=client)
    if not board.is_public:
        raise NotFound("No such board.")
    title, body = title.strip(), (body or "").replace("\r\n", "\n").strip()
    if not title:
        raise ValidationFailed("Give your request a short title.")
    if len(title) > 200 or len(body) > 10_000:
        raise ValidationFailed(
            "That is too long: keep the title under 200 and the text under 10,000 characters."
        )
    voter, email = _visitor(user, author_email, customer)
    post = Post(
        board=board,
        title=title,
        body=body,
        author_name=(
            author_name or (user.get_full_name() if user else "") or (customer.name if customer else "") or ""
        ).strip()[:120],
        author_email=email,
        author_user=user if user is not None and user.is_authenticated else None,
        moderation=Moderation.APPROVED if _is_team(user) else Moderation.PENDING,
    )
    post.save()
    # Authors vote for their own request. A visitor's vote waits for moderation: the link that confirms
    # it goes out when the post is approved, so we never email words nobody has read.
    _vote_add(
        post,
        voter,
        email,
        proven=_signed_in(user) or customer is not None,
        base_url=base_url,
        mail=post.moderation == Moderation.APPROVED,
        customer=customer,
    )
    if post.moderation == Moderation.APPROVED:
        _post_to_feedback(post)
    return post


def _post_to_feedback(post: Post) -> None:
    """An approved post is customer voice too: it lands in the inbox as a portal item."""
    if post.feedback_item_id:
        return
    customer = customer_for_email(post.author_email)
    item = build_item(
        text=post.body or post.title,
        title=post.title,
        source=Source.PORTAL,
        author_name=post.author_name,
        author_email=post.author_email,
        customer_id=customer.pk if customer else None,
        external_id=f"post-{post.pk}",
        received_at=post.created_at,
    )
    existing = FeedbackItem.objects.filter(dedupe_key=item.dedupe_key).first()
    if existing is None:
        item.save()
        existing = item
    post.feedback_item = existing
    post.save(update_fields=["feedback_item"])


@transaction.atomic
def vote_cast(
    *,
    post: Post,
    user: User | None = None,
    email: str = "",
    client: str,
    honeypot: str = "",
    base_url: str = "",
    customer: PortalCustomer | None = None,
) -> Vote:
    """One vote per person (the database enforces it, even for two requests at the same moment).

    A signed-in person's vote counts at once. A visitor's waits, unconfirmed, until they open the
    link emailed to them; voting again before that sends the link again.
    """
    _check_honeypot(honeypot)
    rate_limit(kind="vote", who=client)
    if post.moderation != Moderation.APPROVED:
        raise NotFound("No such post.")
    voter, email = _visitor(user, email, customer)
    proven = _signed_in(user) or customer is not None  # the customer's app vouched for the address
    vote = _vote_add(post, voter, email, proven=proven, base_url=base_url, customer=customer)
    if vote is None:
        vote = Vote.objects.filter(post=post, voter=voter).first()
        if vote is None or vote.confirmed_at is not None:
            raise Conflict("You have already voted for this request.")
        if proven:  # voted by email earlier, now signed in from their app: that proves the address
            return vote_confirm(token=vote_token(vote), customer=customer)
        _mail_vote_link(vote, post, base_url)
    return vote


def _signed_in(user: User | None) -> bool:
    return user is not None and user.is_authenticated


def _vote_add(
    post: Post,
    voter: str,
    email: str,
    *,
    proven: bool,
    base_url: str,
    mail: bool = True,
    customer: PortalCustomer | None = None,
) -> Vote | None:
    """Store a vote (counted at once when the voter is signed in, else after the emailed link);
    None when this voter already has one."""
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                post=post,
                voter=voter,
                email=email,
                confirmed_at=timezone.now() if proven else None,
                customer_id=customer.customer_id if customer else None,
            )
    except IntegrityError:
        return None
    if proven:
        _count_vote(post)
    elif mail:
        _mail_vote_link(vote, post, base_url)
    return vote


def _count_vote(post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(vote_count=F("vote_count") + 1)
    post.refresh_from_db(fields=["vote_count"])


def _mail_vote_link(vote: Vote, post: Post, base_url: str) -> None:
    """Email the link that confirms a visitor's vote (after the commit, like every mail we send)."""
    try:
        rate_limit(kind="vote_link", who=f"{post.pk}:{vote.email}")
        rate_limit(kind="vote_link_address", who=vote.email)
    except RateLimited:
        raise RateLimited(
            f"We have already emailed a link to {vote.email}: open it to count the vote, "
            "or try again tomorrow."
        ) from None
    link = base_url.rstrip("/") + reverse("portal:vote_confirm", args=[vote_token(vote)])
    text = (
        f"Please confirm your vote for “{post.title}”: open this link within {VOTE_LINK_DAYS} days and "
        f"press Confirm my vote.\n\n{link}\n\nYour vote counts once you do, and we will email you "
        "when it ships. If you did not vote, ignore this email: nothing is counted."
    )
    message = ("Confirm your vote", text, None, [vote.email])
    transaction.on_commit(lambda: _send([message]))


def vote_token(vote: Vote) -> str:
    """The signed, dated token in a vote's confirmation link (it names the vote; it expires)."""
    return signing.dumps(vote.pk, salt=_VOTE_LINK_SALT)


def vote_for_token(token: str, *, lock: bool = False) -> Vote:
    """The vote a confirmation link names; refuses a forged, altered or expired link."""
    try:
        vote_id = signing.loads(token, salt=_VOTE_LINK_SALT, max_age=timedelta(days=VOTE_LINK_DAYS))
    except signing.SignatureExpired:
        raise ValidationFailed("This link has expired. Vote again and we will email you a new one.") from None
    except signing.BadSignature:
        raise ValidationFailed(
            "This link is not valid: copy the whole link from the email, or vote again."
        ) from None
    votes = Vote.objects.select_for_update() if lock else Vote.objects
    vote = votes.select_related("post").filter(pk=vote_id).first()
    if vote is None:
        raise NotFound("This vote no longer exists: the request may have been removed.")
    return vote


@transaction.atomic
def vote_confirm(*, token: str, customer: PortalCustomer | None = None) -> Vote:
    """Count the vote the emailed link names. Confirming twice counts it once.

    Only a person pressing the button on the link's page gets here (a POST): mail scanners that open
    every link in a message must not confirm a vote cast in someone else's name."""
    vote = vote_for_token(token, lock=True)
    if vote.confirmed_at is None:
        vote.confirmed_at = timezone.now()
        if customer is not None and customer.customer_id:
            vote.customer_id = customer.customer_id
        vote.save(update_fields=["confirmed_at", "customer"])
        _count_vote(vote.post)
    return vote


@transaction.atomic
def comment_add(
    *,
    post: Post,
    body: str,
    author_name: str = "",
    author_email: str = "",
    user: User | None = None,
    client: str,
    honeypot: str = "",
    customer: PortalCustomer | None = None,
) -> Comment:
    _check_honeypot(honeypot)
    rate_limit(kind="comment", who=client)
    if post.moderation != Moderation.APPROVED:
        raise NotFound("No such post.")
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed("Write a comment first.")
    if len(body) > 5000:
        raise ValidationFailed("Keep comments under 5,000 characters.")
    _, email = _visitor(user, author_email, customer)
    fallback = (user.get_full_name() or user.username) if user else (customer.name if customer else "")
    return Comment.objects.create(
        post=post,
        body=body,
        author_name=(author_name or fallback).strip()[:120],
        author_email=email,
        author_user=user if user is not None and user.is_authenticated else None,
        moderation=Moderation.APPROVED if _is_team(user) else Moderation.PENDING,
    )


@transaction.atomic
def moderate(*, actor: User, target: Post | Comment, decision: str, base_url: str = "") -> Post | Comment:
    """Approve or reject a waiting post or comment. Approving a visitor's post emails its author the
    link that confirms their vote (`base_url`, the site's address, starts the link)."""
    access.require_write(actor)
    if decision not in (Moderation.APPROVED, Moderation.REJECTED):
        raise ValidationFailed("Approve or reject.")
    before = audit.snapshot(target)
    target.moderation = decision
    record_save(actor=actor, instance=target, before=before)
    if isinstance(target, Post) and decision == Moderation.APPROVED:
        _post_to_feedback(target)
        waiting = target.votes.filter(confirmed_at__isnull=True, voter=f"email:{target.author_email}").first()
        if waiting is not None:  # the visitor author's vote: its link goes out now the words are read
            try:
                _mail_vote_link(waiting, target, base_url)
            except RateLimited:
                logger.warning("Not emailing the author of post %s again today", target.pk)
    return target


@transaction.atomic
def post_update(
    *,
    actor: User,
    post: Post,
    status: str | None = None,
    initiative: Initiative | bool | None = False,
    version: int | None = None,
) -> Post:
    """Set a post's own status, or link it to an initiative (whose stage then decides its status).

    `version`: the post's version the editor saw; a post changed meanwhile is refused (core.concurrency).
    """
    access.require_write(actor)
    concurrency.expect_version(post, version)
    before = audit.snapshot(post)
    shown_before = post.public_status
    if status is not None:
        if status not in PostStatus.values:
            raise ValidationFailed(f"Unknown status {status!r}.")
        post.status = status
    if isinstance(initiative, Initiative):
        require_initiative_edit(actor, initiative)  # the post becomes evidence for it
    if initiative is not False:
        post.initiative = initiative if isinstance(initiative, Initiative) else None
        if post.feedback_item_id and isinstance(initiative, Initiative):
            from northstar.feedback.models import EvidenceLink

            EvidenceLink.objects.get_or_create(item_id=post.feedback_item_id, initiative=initiative, quote="")
    post = record_save(actor=actor, instance=post, before=before)
    # Followers hear about what customers see: the public status (a linked idea's stage decides it).
    portal_subscriptions.notify_status_change(post, old=shown_before, new=post.public_status)
    return post


# Boards and the changelog --------------------------------------------------------------------------


@transaction.atomic
def board_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    is_public: bool = True,
    segments: list[str] | None = None,
) -> Board:
    """A portal board. With `segments`, only customers of those segments (signed in from their app)
    and the team see it; strangers get "not found" for it and its posts."""
    access.require_leading(actor, "portal boards")
    unknown = sorted(set(segments or []) - set(Segment.values))
    if unknown:
        raise ValidationFailed(f"Unknown segment {unknown[0]!r}: choose from {', '.join(Segment.values)}.")
    name = name.strip()
    slug = slugify(name)[:60]
    if not slug:
        raise ValidationFailed("Give the board a name.")
    if Board.objects.filter(slug=slug).exists():
        raise Conflict(f"A board called “{name}” already exists.")
    board = Board(
        name=name,
        slug=slug,
        description=description.strip(),
        is_public=is_public,
        segments=sorted(set(segments or [])),
    )
    return record_save(actor=actor, instance=board, before=None)


@transaction.atomic
def changelog_create(
    *, actor: User, title: str, body: str = "", post_ids: list[int] | None = None
) -> ChangelogEntry:
    access.require_write(actor)
    entry = ChangelogEntry(title=title.strip(), body=(body or "").strip(), created_by=actor)
    return record_save(actor=actor, instance=entry, before=None, m2m={"posts": post_ids or []})


def changelog_publish(*, actor: User, entry: ChangelogEntry, site_url: str = "") -> ChangelogEntry:
    """Publish a release note, mark its posts done, and email each of their followers once (after
    the commit). This email is their status-change email: nobody gets a second one for the same news."""
    access.require_write(actor)
    with transaction.atomic():
        entry = ChangelogEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.published_at is not None:
            raise Conflict("This changelog entry is already published.")
        before = audit.snapshot(entry)
        shipped = list(entry.posts.select_for_update().filter(merged_into__isnull=True))
        followers = portal_subscriptions.shipped_followers(shipped)
        for post in shipped:
            if post.status != PostStatus.DONE:
                post_before = audit.snapshot(post)
                post.status = PostStatus.DONE
                record_save(actor=actor, instance=post, before=post_before)
        entry.published_at = timezone.now()
        entry.notified = len(followers)
        entry.save(update_fields=["published_at", "notified"])
        audit.audit_update(actor=actor, instance=entry, before=before, after=audit.snapshot(entry))
        portal_subscriptions.send_shipped(entry=entry, followers=followers, site_url=site_url)
    return entry


def _send(messages: list[tuple]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False, connection=get_connection())
    except OSError:  # the mail server is down: what was done stays done, the log says who was missed
        logger.exception(
            "Could not send %s portal emails (%s)", len(messages), messages[0][0] if messages else ""
        )


# The in-app widget ---------------------------------------------------------------------------------


@transaction.atomic
def widget_site_create(*, actor: User, name: str, allowed_origin: str = "") -> WidgetSite:
    access.require_leading(actor, "widget sites")
    site = WidgetSite(
        name=name.strip(),
        allowed_origin=allowed_origin.strip().rstrip("/"),
        key="ns_w_" + secrets.token_urlsafe(24),
        sso_secret=portal_sso.new_secret(),
    )
    return record_save(actor=actor, instance=site, before=None)


def widget_site_for(key: str) -> WidgetSite:
    site = WidgetSite.objects.filter(key=key, active=True).first() if key else None
    if site is None:
        raise NotFound("Unknown widget key.")
    return site


@transaction.atomic
def widget_submit(
    *,
    key: str,
    text: str,
    email: str = "",
    name: str = "",
    page: str = "",
    client: str,
    honeypot: str = "",
    origin: str = "",
    token: str = "",
) -> FeedbackItem:
    """Feedback sent from the in-app widget of a registered site.

    A browser always names the page's origin; when the site is tied to one, another site's pages
    may not post with its key (a missing Origin is a server-side call and is let through). With a
    `token` signed by the site's app (as for portal sign-in), the signed-in person and their account
    are the author, whatever the form says: the feedback then carries the account and its revenue.
    """
    _check_honeypot(honeypot)
    site = widget_site_for(key)
    if site.allowed_origin and origin and origin.rstrip("/") != site.allowed_origin:
        raise PermissionDenied("This widget key may only be used from its own site.")
    rate_limit(kind="widget", who=f"{site.pk}:{client}")
    if len(text or "") > 5000:
        raise ValidationFailed("Keep feedback under 5,000 characters.")
    signed_in = portal_sso.sso_sign_in(site_key=key, token=token) if token else None
    email = signed_in.email if signed_in else (email or "").strip().lower()
    name = signed_in.name if signed_in else name
    if len(email) > MAX_EMAIL:
        raise ValidationFailed(_TOO_LONG)
    if email and not _EMAIL.match(email):
        raise ValidationFailed("That email address does not look right.")
    customer: Customer | None
    if signed_in and signed_in.customer_id:
        customer = Customer.objects.get(pk=signed_in.customer_id)
    else:
        customer = customer_for_email(email) or site.customer
    item = build_item(
        text=text,
        source=Source.WIDGET,
        title=page.strip()[:300],
        author_name=name,
        author_email=email,
        customer_id=customer.pk if customer else None,
        received_at=timezone.now(),  # each submission is its own item, even with the same words
    )
    if FeedbackItem.objects.filter(dedupe_key=item.dedupe_key).exists():
        raise Conflict("This feedback was already sent.")
    item.save()
    return item
