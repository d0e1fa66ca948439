"""Demo data of the feedback area, loaded after the org and the portfolio (see northstar.demo).

LumenPay's customers (about 60 accounts with contacts) and ~5,000 feedback items in their own
voices, from support tickets, chats, sales calls, emails, Canny and app-store reviews. Each item is
written from one of two dozen underlying needs, so there are clear themes to find; some needs grow
over the year. Plus portal boards with votes and comments, evidence links to ideas, and a changelog.

Idempotent: items carry stable source ids (a second load adds nothing), everything else is looked up
by name first. Each need is raised by its own few accounts, so a theme's customers differ from the
next theme's. Themes are clustered at load time with the fast TF-IDF fallback (a few seconds); a
re-clustering from the Themes page upgrades them to sentence embeddings and keeps them by overlap.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from northstar.feedback import services
from northstar.feedback.demo_voices import (
    _APP_STARS,
    _BOARDS,
    _CLOSE,
    _COMMENTS,
    _FIRST,
    _KIND,
    _LAST,
    _NAME_A,
    _NAME_B,
    _OPEN,
    _POSTS,
    NEED_IDEAS,
    NEEDS,
)
from northstar.feedback.models import (
    Board,
    ChangelogEntry,
    Comment,
    Contact,
    Customer,
    EvidenceLink,
    FeedbackItem,
    Moderation,
    Post,
    PostStatus,
    Segment,
    ThemeRun,
    Vote,
    WidgetSite,
)
from northstar.feedback.services import build_item
from northstar.portfolio.models import Decision, Initiative, Stage

ITEMS = {"standard": 5_000, "large": 20_000}

_REGIONS = ["EMEA", "North America", "APAC", "LATAM"]
_PLANS = {Segment.SMB: "Starter", Segment.MID_MARKET: "Growth", Segment.ENTERPRISE: "Enterprise"}
_REVENUE = {
    Segment.SMB: (4_000, 30_000),
    Segment.MID_MARKET: (30_000, 160_000),
    Segment.ENTERPRISE: (160_000, 1_200_000),
}


def _customers(rng: random.Random) -> list[Customer]:
    wanted: list[Customer] = []
    seen: set[str] = set()
    while len(wanted) < 60:
        name = f"{rng.choice(_NAME_A)}{rng.choice(_NAME_B)} {rng.choice(_KIND)}"
        if name in seen:
            continue
        seen.add(name)
        segment = rng.choices([Segment.SMB, Segment.MID_MARKET, Segment.ENTERPRISE], weights=[5, 3, 2])[0]
        low, high = _REVENUE[segment]
        wanted.append(
            Customer(
                name=name,
                segment=segment,
                plan=_PLANS[segment],
                region=rng.choice(_REGIONS),
                annual_revenue=Decimal(round(rng.uniform(low, high), -2)),
                currency="EUR",
                renewal_date=date(2026, 1, 1) + timedelta(days=rng.randrange(0, 540)),
            )
        )
    have = set(Customer.objects.filter(name__in=[c.name for c in wanted]).values_list("name", flat=True))
    Customer.objects.bulk_create([c for c in wanted if c.name not in have])
    customers = list(Customer.objects.filter(name__in=[c.name for c in wanted]).order_by("id"))
    contacts = []
    for customer in customers:
        domain = customer.name.lower().replace(" ", "") + ".example"
        for _ in range(rng.randint(1, 3)):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            contacts.append(
                Contact(customer=customer, name=f"{first} {last}", email=f"{first}.{last}@{domain}".lower())
            )
    known = set(Contact.objects.values_list("email", flat=True))
    unique = {c.email: c for c in contacts if c.email not in known}
    Contact.objects.bulk_create(unique.values())
    return customers


def _text(rng: random.Random, sentences: list[str], source: str) -> str:
    core = rng.choice(sentences)
    if rng.random() < 0.35:
        core += " " + rng.choice(sentences)
    opener = rng.choice(_APP_STARS) if source == "app_store" else rng.choice(_OPEN)
    if opener.endswith(("but", ",")):  # "Love the product, but please add…", "Hi team, please…"
        core = core[0].lower() + core[1:]
    closer = "" if source == "app_store" else rng.choice(_CLOSE)
    return " ".join(p for p in (opener, core, closer) if p)


def _need_initiatives() -> dict[str, int]:
    """need -> the first live initiative whose title names it (none for needs the portfolio lacks)."""
    rows = list(
        Initiative.objects.exclude(stage__in=[Stage.PARKED, Stage.KILLED])
        .order_by("id")
        .values_list("id", "title")
    )
    found = {}
    for need, phrase in NEED_IDEAS.items():
        match = next((pk for pk, title in rows if phrase in title.lower()), None)
        if match is not None:
            found[need] = match
    return found


def _items(rng: random.Random, customers: list[Customer], count: int) -> int:
    contacts: dict[int, list[tuple[str, str]]] = {}
    for customer_id, name, email in Contact.objects.values_list("customer_id", "name", "email"):
        contacts.setdefault(customer_id, []).append((name, email))
    now = timezone.now()
    weights = [n[1] for n in NEEDS]
    # Each need matters to some accounts, not all: a theme's customers are the ones who raise it.
    askers = {need[0]: rng.sample(customers, k=min(len(customers), rng.randint(5, 20))) for need in NEEDS}
    rows: list[FeedbackItem] = []
    need_of: dict[str, str] = {}  # each demo item's need, by external id
    for n in range(count):
        key, _w, trend, sources, sentences = rng.choices(NEEDS, weights=weights)[0]
        source = rng.choice(sources)
        # trend: growing needs are more likely to be recent (age skewed towards 0 days)
        age = rng.random() ** (1 + max(trend, 0)) if trend >= 0 else 1 - rng.random() ** (1 - trend)
        received = now - timedelta(days=365 * age, minutes=rng.randrange(0, 1440))
        customer = None if source == "app_store" else rng.choice(askers[key])
        name, email = ("", "")
        if customer is not None and contacts.get(customer.pk):
            name, email = rng.choice(contacts[customer.pk])
        elif source == "app_store":
            name = f"{rng.choice(_FIRST).lower()}{rng.randrange(10, 99)}"
        rows.append(
            build_item(
                text=_text(rng, sentences, source),
                source=source,
                author_name=name,
                author_email=email,
                customer_id=customer.pk if customer else None,
                received_at=received,
                external_id=f"demo-{n}",
            )
        )
        rows[-1].status = FeedbackItem.Status.PROCESSED if age > 0.25 else FeedbackItem.Status.NEW
        need_of[rows[-1].external_id] = key
    before = FeedbackItem.objects.count()
    FeedbackItem.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    _links(rng, rows, need_of)
    return FeedbackItem.objects.count() - before


def _links(rng: random.Random, rows: list[FeedbackItem], need_of: dict[str, str]) -> None:
    """About one item in twelve is evidence for an idea of the portfolio: each need points at one idea."""
    need_idea = _need_initiatives()
    ids = dict(
        FeedbackItem.objects.filter(external_id__in=[r.external_id for r in rows]).values_list(
            "external_id", "id"
        )
    )
    links = []
    for row in rows:
        if rng.random() < 0.08 and row.external_id in ids and need_of[row.external_id] in need_idea:
            quote = row.text.split(". ")[0] if rng.random() < 0.3 else ""
            links.append(
                EvidenceLink(
                    item_id=ids[row.external_id],
                    initiative_id=need_idea[need_of[row.external_id]],
                    quote=quote,
                )
            )
    EvidenceLink.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    services.evidence_reach_refresh(initiative_ids={link.initiative_id for link in links})


def _portal(rng: random.Random) -> dict[str, int]:
    added = {"portal posts": 0, "votes": 0, "comments": 0, "changelog entries": 0}
    boards = {}
    for slug, name, description in _BOARDS:
        boards[slug], _ = Board.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    emails = list(Contact.objects.order_by("id").values_list("email", flat=True))
    need_idea = _need_initiatives()
    weights = {key: w for key, w, *_ in NEEDS}
    for slug, title, need in _POSTS:
        post = Post.objects.filter(board=boards[slug], title=title).first()
        if post is not None:
            continue
        initiative_id = need_idea.get(need)  # its public status follows that idea's stage
        sentences = next(n[4] for n in NEEDS if n[0] == need)
        post = Post.objects.create(
            board=boards[slug],
            title=title,
            body=sentences[0] + "\n\n" + sentences[-1],
            author_name=rng.choice(_FIRST),
            author_email=rng.choice(emails) if emails else "",
            moderation=Moderation.APPROVED,
            initiative_id=initiative_id,
        )
        added["portal posts"] += 1
        voters = rng.sample(emails, min(len(emails), int(weights[need] * rng.uniform(3, 6))))
        Vote.objects.bulk_create(
            [Vote(post=post, voter=f"email:{e}", email=e, confirmed_at=timezone.now()) for e in voters],
            ignore_conflicts=True,
        )
        post.vote_count = post.votes.filter(confirmed_at__isnull=False).count()
        post.save(update_fields=["vote_count"])
        added["votes"] += post.vote_count
        comments = [
            Comment(
                post=post,
                body=rng.choice(_COMMENTS),
                author_name=rng.choice(_FIRST),
                author_email=rng.choice(emails),
                moderation=Moderation.APPROVED,
            )
            for _ in range(rng.randint(0, 4))
        ]
        Comment.objects.bulk_create(comments)
        added["comments"] += len(comments)
    if not Post.objects.filter(moderation=Moderation.PENDING).exists():
        Post.objects.create(
            board=boards["feature-requests"],
            title="Export disputes to CSV",
            body="We need disputes in our BI tool.",
            author_email="new.visitor@example.com",
            moderation=Moderation.PENDING,
        )
    if not WidgetSite.objects.exists():
        WidgetSite.objects.create(
            name="LumenPay merchant dashboard",
            allowed_origin="https://dashboard.lumenpay.example",
            key="ns_w_" + secrets.token_urlsafe(24),
        )
    shipped = [
        (
            "Partial refunds in the dashboard",
            "Refund part of a payment, one line at a time.",
            "Partial refunds from the dashboard",
            40,
        ),
        (
            "Webhook log and one-click replay",
            "See every delivery and replay failed events.",
            "Webhook log and replay",
            75,
        ),
        (
            "Faster Android app",
            "The payouts screen no longer crashes on Android 14.",
            "Android app crashes on the payouts screen",
            110,
        ),
    ]
    for title, body, post_title, days in shipped:
        if ChangelogEntry.objects.filter(title=title).exists():
            continue
        entry = ChangelogEntry.objects.create(
            title=title, body=body, published_at=timezone.now() - timedelta(days=days), notified=0
        )
        entry.posts.set(Post.objects.filter(title=post_title))
        added["changelog entries"] += 1
    added["changelog entries"] += _statuses_follow_the_changelog()
    return added


def _statuses_follow_the_changelog() -> int:
    """What the changelog announces shows as done on the portal, and what shows as done was announced.

    A post in a published entry is done: it no longer follows an initiative still short of launch (the
    entry shipped a different, smaller piece). A post done through its launched initiative but never
    announced gets its own entry, dated when the initiative launched.
    """
    shipped = Post.objects.filter(changelog_entries__published_at__isnull=False).select_related("initiative")
    for post in shipped:
        if post.public_status != PostStatus.DONE:
            post.status = PostStatus.DONE
            if post.initiative_id is not None:
                post.initiative = None
            post.save(update_fields=["status", "initiative"])
    added = 0
    announced = set(shipped.values_list("id", flat=True))
    for post in Post.objects.select_related("initiative").order_by("id"):
        if post.pk in announced or post.public_status != PostStatus.DONE:
            continue
        launched = (
            Decision.objects.filter(initiative_id=post.initiative_id, to_stage=Stage.LAUNCHED)
            .values_list("decided_on", flat=True)
            .first()
            if post.initiative_id is not None
            else None  # a post marked done by hand has no launch decision
        )
        when = timezone.now() - timedelta(days=30)
        if launched is not None:
            when = datetime.combine(launched, datetime.min.time(), tzinfo=UTC)
        entry = ChangelogEntry.objects.create(
            title=post.title, body=f"Shipped: {post.title}. Thank you to everyone who asked for it.",
            published_at=when, notified=0,
        )  # fmt: skip
        entry.posts.set([post])
        added += 1
    return added


#: How many themes the clustering engine's silhouette search chooses for the demo's feedback, by
#: (scale, seed): the search is most of the load's time and its answer for these fixed items is known.
#: tests/core/test_demo.py runs the search on the loaded demo and fails if this ever drifts from it.
KNOWN_THEMES = {("standard", 7): 600}


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    rng = random.Random(seed * 31 + 6)
    with transaction.atomic():
        before = Customer.objects.count()
        customers = _customers(rng)
        added = {"customers": Customer.objects.count() - before}
        added["feedback items"] = _items(rng, customers, ITEMS.get(scale, ITEMS["standard"]))
        added.update(_portal(rng))
    if not ThemeRun.objects.exists():
        from northstar.feedback.theme_services import themes_recluster

        run = themes_recluster(actor=None, prefer="tfidf-svd", known_themes=KNOWN_THEMES.get((scale, seed)))
        added["themes"] = run.themes
    return added
