"""Reads of the feedback area: the inbox, customers, themes with their evidence, and demand per idea.

`demand_for_initiatives` is the contract the prioritisation area uses for reach: a fixed number of
queries for any number of initiatives.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from northstar.feedback.models import (
    Board,
    ChangelogEntry,
    Comment,
    Customer,
    EvidenceLink,
    FeedbackItem,
    Moderation,
    Post,
    PostStatus,
    Theme,
    ThemeRun,
)
from northstar.portfolio.models import Initiative, Stage


@dataclass(frozen=True)
class ItemFilters:
    """What the inbox can be narrowed by; empty means any."""

    status: str = ""
    source: str = ""
    theme: int | None = None
    customer: int | None = None
    search: str = ""


def item_list(filters: ItemFilters = ItemFilters()) -> QuerySet[FeedbackItem]:
    qs = FeedbackItem.objects.select_related("customer", "theme").defer("embedding")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.theme:
        qs = qs.filter(theme_id=filters.theme)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.search:
        qs = qs.filter(Q(text__icontains=filters.search) | Q(title__icontains=filters.search))
    return qs.order_by("-received_at", "-id")


def duplicate_counts(items: list[FeedbackItem]) -> dict[str, int]:
    """How many items share each shown item's fingerprint: near-identical texts, grouped in the inbox."""
    prints = {i.fingerprint for i in items}
    rows = (
        FeedbackItem.objects.filter(fingerprint__in=prints)
        .values_list("fingerprint")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return dict(rows)


def item_detail_queryset() -> QuerySet[FeedbackItem]:
    return FeedbackItem.all_objects.select_related("customer", "theme", "batch").prefetch_related(
        "links__initiative"
    )


def similar_items(item: FeedbackItem, *, limit: int = 5) -> list[FeedbackItem]:
    """Items with the same words, then others in the same theme: where its duplicates are."""
    same = list(
        FeedbackItem.objects.filter(fingerprint=item.fingerprint)
        .exclude(pk=item.pk)
        .select_related("customer")
        .defer("embedding")[:limit]
    )
    if len(same) < limit and item.theme_id:
        same += list(
            FeedbackItem.objects.filter(theme_id=item.theme_id)
            .exclude(pk__in=[item.pk, *[s.pk for s in same]])
            .exclude(theme_similarity__isnull=True)
            .select_related("customer")
            .defer("embedding")
            .order_by("-theme_similarity")[: limit - len(same)]
        )
    return same


def customer_list(*, search: str = "") -> QuerySet[Customer]:
    qs = Customer.objects.annotate(items=Count("feedback"))
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("name")


# Themes --------------------------------------------------------------------------------------------


def theme_list() -> QuerySet[Theme]:
    """Active themes, largest first, with how many distinct customers have feedback in each."""
    return (
        Theme.objects.filter(status=Theme.Status.ACTIVE)
        .annotate(
            customers=Count("items__customer", distinct=True, filter=Q(items__archived_at__isnull=True))
        )
        .defer("centroid")
        .order_by("-size", "id")
    )


#: A customer's voice in a theme halves in weight every this many days since their latest item.
DEMAND_HALF_LIFE_DAYS = 90


@dataclass(frozen=True)
class ThemeDemand:
    """One row of the themes list: who asks, the revenue behind them, and how recently.

    `score` is the sum, over the distinct customers with feedback in the theme, of their annual
    revenue (in the main currency; other currencies count at face value) weighted by how recent
    their latest item in the theme is (halving every DEMAND_HALF_LIFE_DAYS). A theme that big
    accounts raised last week ranks above one that small accounts raised last year, so the list
    discriminates even when every theme has feedback from many accounts.
    """

    theme: Theme
    customers: int
    revenue: dict[str, Decimal]
    last_30_days: int
    latest: datetime | None
    score: float


def theme_demand(*, sort: str = "demand") -> list[ThemeDemand]:
    """Every active theme with its demand, ranked by `sort` ("demand", "size" or "recent"). 3 queries."""
    now = timezone.now()
    themes = list(Theme.objects.filter(status=Theme.Status.ACTIVE).defer("centroid").order_by("-size", "id"))
    ids = [t.pk for t in themes]
    pairs = (
        FeedbackItem.objects.filter(theme_id__in=ids, customer__isnull=False)
        .values_list("theme_id", "customer_id", "customer__annual_revenue", "customer__currency")
        .annotate(latest=Max("received_at"))
        .order_by()
    )
    per_theme = (
        FeedbackItem.objects.filter(theme_id__in=ids)
        .values_list("theme_id")
        .annotate(
            recent=Count("id", filter=Q(received_at__gte=now - timedelta(days=30))), latest=Max("received_at")
        )
        .order_by()
    )
    customers: Counter[int] = Counter()
    revenue: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    score: dict[int, float] = defaultdict(float)
    for theme_id, _customer_id, amount, currency, latest in pairs:
        customers[theme_id] += 1
        revenue[theme_id][currency] += amount
        age_days = max((now - latest).total_seconds() / 86400, 0.0)
        score[theme_id] += float(amount) * 0.5 ** (age_days / DEMAND_HALF_LIFE_DAYS)
    recent = {theme_id: (n, latest) for theme_id, n, latest in per_theme}
    rows = [
        ThemeDemand(
            theme=t,
            customers=customers[t.pk],
            revenue=dict(revenue[t.pk]),
            last_30_days=recent.get(t.pk, (0, None))[0],
            latest=recent.get(t.pk, (0, None))[1],
            score=round(score[t.pk], 2),
        )
        for t in themes
    ]
    keys = {
        "size": lambda r: (-r.theme.size, -r.score, r.theme.pk),
        "recent": lambda r: (-r.last_30_days, -r.score, r.theme.pk),
    }
    return sorted(rows, key=keys.get(sort, lambda r: (-r.score, -r.theme.size, r.theme.pk)))


def latest_run() -> ThemeRun | None:
    return ThemeRun.objects.first()


def unthemed_count() -> int:
    return FeedbackItem.objects.filter(theme__isnull=True).count()


@dataclass(frozen=True)
class ThemeStats:
    """What a theme page shows: how big, growing or not, who asks, the revenue behind it."""

    size: int
    customers: list[tuple[Customer, int]]  # (customer, items), most items first
    revenue: dict[str, Decimal]  # distinct customers' annual revenue, by currency
    trend: list[tuple[str, int]]  # (YYYY-MM, items) for the last 12 months
    last_30_days: int
    previous_30_days: int
    sources: list[tuple[str, int]]
    quotes: list[FeedbackItem]


def theme_stats(theme: Theme, *, quotes: int = 8) -> ThemeStats:
    items = FeedbackItem.objects.filter(theme=theme)
    now = timezone.now()
    by_customer = dict(
        items.exclude(customer__isnull=True).values_list("customer_id").annotate(n=Count("id")).order_by()
    )
    customers = Customer.objects.in_bulk(list(by_customer))
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for customer in customers.values():
        revenue[customer.currency] += customer.annual_revenue
    start = (now - timedelta(days=365)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    monthly = dict(
        items.filter(received_at__gte=start)
        .annotate(month=TruncMonth("received_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    trend = []
    cursor = start
    for _ in range(13):
        key = next((m for m in monthly if m and m.year == cursor.year and m.month == cursor.month), None)
        trend.append((cursor.strftime("%Y-%m"), monthly.get(key, 0) if key else 0))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    recent = items.filter(received_at__gte=now - timedelta(days=30)).count()
    before = items.filter(
        received_at__gte=now - timedelta(days=60), received_at__lt=now - timedelta(days=30)
    ).count()
    sources = list(items.values_list("source").annotate(n=Count("id")).order_by("-n"))
    sample = list(
        items.select_related("customer")
        .defer("embedding")
        .order_by("-theme_similarity", "-received_at")[:quotes]
    )
    ranked = sorted(customers.values(), key=lambda c: (-by_customer[c.pk], c.name))
    return ThemeStats(
        size=items.count(),
        customers=[(c, by_customer[c.pk]) for c in ranked],
        revenue=dict(revenue),
        trend=trend,
        last_30_days=recent,
        previous_30_days=before,
        sources=sources,
        quotes=sample,
    )


def theme_initiatives(theme: Theme) -> list[tuple[Initiative, int]]:
    """Ideas this theme's items are evidence for, with how many of its items each has."""
    rows = (
        EvidenceLink.objects.filter(item__theme=theme)
        .values_list("initiative_id")
        .annotate(n=Count("item_id", distinct=True))
        .order_by("-n")
    )
    counts = dict(rows)
    initiatives = Initiative.objects.in_bulk(list(counts))
    return [(initiatives[i], n) for i, n in counts.items() if i in initiatives]


# Demand --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentDemand:
    items: int = 0
    customers: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Demand:
    """The customer evidence behind one idea: how many items, from how many accounts, worth how much.

    `revenue` sums each distinct customer's annual revenue once (by currency), so one loud account
    does not count twice; `votes` are portal votes on posts linked to the idea.
    """

    initiative_id: int
    items: int = 0
    customers: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)
    by_segment: dict[str, SegmentDemand] = field(default_factory=dict)
    votes: int = 0

    def revenue_in(self, currency: str) -> Decimal:
        return self.revenue.get(currency, Decimal("0"))


def demand_for_initiatives(ids: list[int] | set[int] | tuple[int, ...]) -> dict[int, Demand]:
    """Demand for each initiative id (every id gets an entry, zero when nothing links to it). 3 queries.

    Customers are the accounts of linked items and of confirmed portal votes, each counted once."""
    wanted = sorted(set(ids))
    links = (
        EvidenceLink.objects.filter(initiative_id__in=wanted, item__archived_at__isnull=True)
        .values_list("initiative_id", "item_id", "item__customer_id")
        .distinct()
    )
    items: dict[int, set[int]] = defaultdict(set)
    customers_of: dict[int, set[int]] = defaultdict(set)
    item_customer: dict[int, int | None] = {}
    for initiative_id, item_id, customer_id in links:
        items[initiative_id].add(item_id)
        item_customer[item_id] = customer_id
        if customer_id:
            customers_of[initiative_id].add(customer_id)
    # Confirmed portal votes per idea, by the account the voter signed in for (none for most): the
    # accounts count as customers once each, like a linked item's.
    votes: Counter[int] = Counter()
    vote_rows = (
        Post.objects.filter(
            initiative_id__in=wanted, moderation=Moderation.APPROVED, votes__confirmed_at__isnull=False
        )
        .values_list("initiative_id", "votes__customer_id")
        .annotate(n=Count("votes"))
        .order_by()
    )
    for initiative_id, customer_id, n in vote_rows:
        votes[initiative_id] += n
        if customer_id:
            customers_of[initiative_id].add(customer_id)
    all_customers = {c for s in customers_of.values() for c in s}
    info = {
        pk: (segment, revenue, currency)
        for pk, segment, revenue, currency in Customer.objects.filter(pk__in=all_customers).values_list(
            "id", "segment", "annual_revenue", "currency"
        )
    }
    result = {}
    for initiative_id in wanted:
        revenue: dict[str, Decimal] = defaultdict(Decimal)
        segments: dict[str, dict] = defaultdict(
            lambda: {"items": 0, "customers": set(), "revenue": defaultdict(Decimal)}
        )
        for customer_id in customers_of[initiative_id]:
            segment, amount, currency = info[customer_id]
            revenue[currency] += amount
            segments[segment]["customers"].add(customer_id)
            segments[segment]["revenue"][currency] += amount
        for item_id in items[initiative_id]:
            item_customer_id = item_customer[item_id]
            segment = info[item_customer_id][0] if item_customer_id else "unknown"
            segments[segment]["items"] += 1
        result[initiative_id] = Demand(
            initiative_id=initiative_id,
            items=len(items[initiative_id]),
            customers=len(customers_of[initiative_id]),
            revenue=dict(revenue),
            by_segment={
                name: SegmentDemand(
                    items=s["items"], customers=len(s["customers"]), revenue=dict(s["revenue"])
                )
                for name, s in sorted(segments.items())
            },
            votes=votes.get(initiative_id, 0),
        )
    return result


def initiatives_with_demand(*, limit: int = 50) -> list[tuple[Initiative, Demand]]:
    """The ideas with the most customer evidence, for the demand page."""
    top = (
        EvidenceLink.objects.values_list("initiative_id")
        .annotate(n=Count("item__customer", distinct=True), m=Count("item", distinct=True))
        .order_by("-n", "-m")[:limit]
    )
    ids = [row[0] for row in top]
    demand = demand_for_initiatives(ids)
    initiatives = Initiative.objects.select_related("product").in_bulk(ids)
    return [(initiatives[i], demand[i]) for i in ids if i in initiatives]


# Portal --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalViewer:
    """Who is looking at the portal: boards private to segments open to their signed-in customers and
    to the team (signed in to Northstar); everyone else sees only boards open to every visitor."""

    segment: str = ""
    team: bool = False


_STRANGER = PortalViewer()


def _open_boards(viewer: PortalViewer) -> Q:
    """The boards this viewer may see, as a filter on `Board` (prefix `board__` for posts)."""
    if viewer.team:
        return Q(is_public=True)
    if not viewer.segment:
        return Q(is_public=True, segments=[])
    ids = [
        pk
        for pk, segments in Board.objects.filter(is_public=True).values_list("id", "segments")
        if not segments or viewer.segment in segments
    ]
    return Q(pk__in=ids)


def public_boards(viewer: PortalViewer = _STRANGER) -> QuerySet[Board]:
    return Board.objects.filter(_open_boards(viewer)).annotate(
        posts_count=Count(
            "posts", filter=Q(posts__moderation=Moderation.APPROVED, posts__merged_into__isnull=True)
        )
    )


def visible_posts(viewer: PortalViewer = _STRANGER) -> QuerySet[Post]:
    """Posts this viewer may see (and vote on): approved, on a board open to them, not merged into
    another. Private boards never leak; a merged duplicate's address leads to the request it joined."""
    return Post.objects.filter(
        moderation=Moderation.APPROVED, board__in=_board_ids(viewer), merged_into__isnull=True
    )


def _board_ids(viewer: PortalViewer) -> QuerySet[Board, int]:
    return Board.objects.filter(_open_boards(viewer)).values_list("pk", flat=True)


def merged_post_target(post_id: int, viewer: PortalViewer = _STRANGER) -> Post | None:
    """The live request a merged duplicate now points to, when the duplicate was public; else None."""
    merged = (
        Post.objects.filter(pk=post_id, moderation=Moderation.APPROVED, board__in=_board_ids(viewer))
        .exclude(merged_into=None)
        .values_list("merged_into", flat=True)
        .first()
    )
    return visible_posts(viewer).filter(pk=merged).first() if merged else None


#: Words too common to say two requests are alike.
_COMMON_WORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "have",
        "add",
        "allow",
        "able",
        "would",
        "like",
        "please",
        "support",
        "when",
        "into",
        "your",
        "our",
        "can",
        "not",
        "are",
        "was",
        "you",
        "all",
        "any",
    }
)
#: Most words of a typed title compared, and most candidates read to rank them.
_SIMILAR_WORDS = 6
_SIMILAR_CANDIDATES = 50


def similar_posts(*, board: Board, title: str, limit: int = 5) -> list[Post]:
    """Published requests on this board whose titles share the typed title's words, the closest and
    most voted first: shown while a visitor types, so they vote instead of posting a duplicate."""
    words = [
        w for w in dict.fromkeys(re.findall(r"\w+", title.lower())) if len(w) >= 3 and w not in _COMMON_WORDS
    ][:_SIMILAR_WORDS]
    if not words:
        return []
    match = Q()
    for word in words:
        match |= Q(title__icontains=word)
    candidates = list(
        visible_posts().filter(board=board).filter(match).order_by("-vote_count", "-id")[:_SIMILAR_CANDIDATES]
    )
    needed = max(1, (len(words) + 1) // 2)
    scored = [(sum(w in p.title.lower() for w in words), p) for p in candidates]
    scored = [(n, p) for n, p in scored if n >= needed]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].vote_count, -pair[1].pk))
    return [p for _, p in scored[:limit]]


def public_posts(
    *, board: Board | None = None, sort: str = "top", status: str = "", viewer: PortalViewer = _STRANGER
) -> QuerySet[Post]:
    qs = visible_posts(viewer).select_related("initiative", "board")
    if board is not None:
        qs = qs.filter(board=board)
    qs = qs.annotate(
        comments_count=Count("comments", filter=Q(comments__moderation=Moderation.APPROVED), distinct=True)
    )
    if status:
        qs = _with_public_status(qs, status)
    return (
        qs.order_by("-created_at", "-id")
        if sort == "new"
        else qs.order_by("-vote_count", "-created_at", "-id")
    )


def _with_public_status(qs: QuerySet[Post], status: str) -> QuerySet[Post]:
    """Posts whose public status is `status`: by their initiative's stage when linked, else their own."""
    from northstar.feedback.models import STAGE_TO_POST_STATUS

    stages = [stage for stage, mapped in STAGE_TO_POST_STATUS.items() if mapped == status]
    return qs.filter(Q(initiative__isnull=True, status=status) | Q(initiative__stage__in=stages))


def roadmap_columns(viewer: PortalViewer = _STRANGER) -> list[tuple[str, list[Post]]]:
    """The public roadmap: planned, in progress and recently done, most voted first."""
    columns: list[tuple[str, list[Post]]] = []
    for status in (PostStatus.PLANNED, PostStatus.IN_PROGRESS, PostStatus.DONE):
        posts = list(public_posts(status=status, viewer=viewer)[:30])
        columns.append((str(status.label), posts))
    return columns


def approved_comments(post: Post) -> QuerySet[Comment]:
    return post.comments.filter(moderation=Moderation.APPROVED).order_by("created_at", "id")


def published_changelog() -> QuerySet[ChangelogEntry]:
    return (
        ChangelogEntry.objects.filter(published_at__isnull=False)
        .prefetch_related(Prefetch("posts", queryset=visible_posts()))
        .order_by("-published_at", "-id")
    )


def moderation_queue() -> tuple[QuerySet[Post], QuerySet[Comment]]:
    posts = Post.objects.filter(moderation=Moderation.PENDING).select_related("board").order_by("created_at")
    comments = (
        Comment.objects.filter(moderation=Moderation.PENDING).select_related("post").order_by("created_at")
    )
    return posts, comments


def stage_is_public(stage: str) -> bool:
    return stage in {Stage.PLANNED, Stage.IN_DELIVERY, Stage.LAUNCHED}
