"""Reads of the market area: segments with their current size and our share, the comparison matrix,
what changed since a day, win rates and loss reasons, research notes, and market evidence per idea."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from northstar.engines import market as engine
from northstar.feedback.models import Customer
from northstar.market.models import (
    Capability,
    Competitor,
    Deal,
    DealBatch,
    DealReason,
    Outcome,
    Rating,
    ReasonLink,
    ResearchNote,
    Segment,
    SizeEstimate,
)
from northstar.org.models import Product

# ---------------------------------------------------------------------------------------------------
# Segments


@dataclass(frozen=True)
class SegmentRow:
    """A segment with its current estimate (None before the first), the size ranges it implies, and our
    revenue in it from known customers (in the segment's currency) with the share of SAM that is."""

    segment: Segment
    estimate: SizeEstimate | None
    size: engine.SegmentSize | None
    revenue: Decimal
    customers: int
    share_of_sam: float | None
    som_in_3_years: float | None


def customer_revenue_by_segment() -> dict[tuple[str, str], tuple[Decimal, int]]:
    """(customer segment, currency) -> (annual revenue, customers) of the accounts Northstar knows."""
    rows = (
        Customer.objects.values_list("segment", "currency")
        .annotate(total=Sum("annual_revenue"), n=Count("id"))
        .order_by()
    )
    return {(seg, cur): (total or Decimal("0"), n) for seg, cur, total, n in rows}


def _size(estimate: SizeEstimate | None) -> engine.SegmentSize | None:
    if estimate is None:
        return None
    return engine.size(
        engine.TopDown(float(estimate.tam), float(estimate.sam), float(estimate.som), float(estimate.spread))
    )


def segment_rows(segments: QuerySet[Segment] | None = None, *, as_of: date | None = None) -> list[SegmentRow]:
    """Every segment (or those given) with its current size (the newest estimate, or the newest on or
    before `as_of`) and our share. Three queries."""
    segments = segments if segments is not None else Segment.objects.all()
    chosen = list(segments)
    latest: dict[int, SizeEstimate] = {}
    estimates = SizeEstimate.objects.filter(segment__in=chosen)
    if as_of is not None:
        estimates = estimates.filter(as_of__lte=as_of)
    for newer in estimates.order_by("segment_id", "-as_of", "-id"):
        latest.setdefault(newer.segment_id, newer)
    revenue = customer_revenue_by_segment()
    rows = []
    for segment in chosen:
        estimate = latest.get(segment.pk)
        size = _size(estimate)
        ours, customers = (
            revenue.get((segment.customer_segment, segment.currency), (Decimal("0"), 0))
            if segment.customer_segment
            else (Decimal("0"), 0)
        )
        share = engine.share(float(ours), size.sam.likely) if size else None
        future = (
            engine.grow(size.som.likely, annual_rate=float(estimate.growth_rate), years=3)
            if size and estimate
            else None
        )
        rows.append(SegmentRow(segment, estimate, size, ours, customers, share, future))
    return rows


def segment_history(segment: Segment) -> list[SizeEstimate]:
    """Every estimate of a segment, oldest first: what we believed, when, and from which source."""
    return list(segment.estimates.order_by("as_of", "id").select_related("created_by"))


def implied_growth(history: list[SizeEstimate]) -> float | None:
    """The annual growth of TAM the estimates imply over time (None with fewer than two dates)."""
    return engine.implied_growth([(e.as_of, float(e.tam)) for e in history])


def segments_serving(
    *, objective_id: int | None = None, initiative_id: int | None = None
) -> list[SegmentRow]:
    """The segments an objective or an initiative serves, with their size (for strategy pages)."""
    qs = Segment.objects.all()
    if objective_id is not None:
        qs = qs.filter(objectives=objective_id)
    if initiative_id is not None:
        qs = qs.filter(initiatives=initiative_id)
    return segment_rows(qs)


# ---------------------------------------------------------------------------------------------------
# Competitors and the matrix


def competitor_list() -> QuerySet[Competitor]:
    return (
        Competitor.objects.order_by("name")
        .prefetch_related("segments")
        .annotate(
            deals_won=Count("deals", filter=Q(deals__outcome=Outcome.WON)),
            deals_lost=Count("deals", filter=Q(deals__outcome=Outcome.LOST)),
        )
    )


@dataclass(frozen=True)
class Column:
    """A column of the matrix: one of our products or a competitor."""

    key: str  # "p12" or "c3"
    label: str
    ours: bool
    competitor: Competitor | None = None
    product: Product | None = None


@dataclass(frozen=True)
class Cell:
    column: Column
    rating: Rating | None


@dataclass(frozen=True)
class MatrixRow:
    capability: Capability
    cells: list[Cell]


def matrix(
    *,
    competitor_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
    include_archived: bool = False,
) -> tuple[list[Column], list[MatrixRow]]:
    """Capabilities down, our products then the chosen competitors across (default: every product that
    has a rating, and every competitor in use), each cell its current (newest) rating. Four queries.

    Archived competitors are left out unless `include_archived` (an archived competitor's own page)."""
    rated_products = set(Rating.objects.filter(product__isnull=False).values_list("product_id", flat=True))
    products = Product.objects.filter(pk__in=product_ids if product_ids is not None else rated_products)
    competitors = (Competitor.all_objects if include_archived else Competitor.objects).order_by("name")
    if competitor_ids is not None:
        competitors = competitors.filter(pk__in=competitor_ids)
    columns = [Column(f"p{p.pk}", p.name, True, product=p) for p in products.order_by("name")]
    columns += [Column(f"c{c.pk}", c.name, False, competitor=c) for c in competitors]
    current: dict[tuple[int, str], Rating] = {}
    for rating in Rating.objects.order_by("-rated_on", "-id"):
        key = f"p{rating.product_id}" if rating.product_id else f"c{rating.competitor_id}"
        current.setdefault((rating.capability_id, key), rating)
    rows = [
        MatrixRow(cap, [Cell(col, current.get((cap.pk, col.key))) for col in columns])
        for cap in Capability.objects.all()
    ]
    return columns, rows


@dataclass(frozen=True)
class Change:
    day: date
    kind: str
    text: str
    competitor: Competitor | None = None
    segment: Segment | None = None


def changes_since(since: date, *, limit: int = 200) -> list[Change]:
    """What changed in the market picture since a day: new ratings (with the one they replaced), new
    size estimates, profile edits of competitors, new research notes. Newest first, capped. Archived
    segments and competitors are left out, as they are of every list."""
    changes: list[Change] = []
    ratings = list(
        Rating.objects.filter(Q(competitor__isnull=True) | Q(competitor__archived_at__isnull=True))
        .select_related("capability", "competitor", "product")
        .order_by("rated_on", "id")
    )
    previous: dict[tuple[int, int | None, int | None], Rating] = {}
    for rating in ratings:
        cell = (rating.capability_id, rating.competitor_id, rating.product_id)
        before = previous.get(cell)
        previous[cell] = rating
        if rating.rated_on < since:
            continue
        subject = rating.competitor or rating.product
        was = f" (was {before.score})" if before is not None else " (first rating)"
        note = f": {rating.note}" if rating.note else ""
        changes.append(
            Change(
                rating.rated_on,
                "rating",
                f"{subject} · {rating.capability}: {rating.score}/5{was}{note}",
                competitor=rating.competitor,
            )
        )
    estimates = SizeEstimate.objects.filter(as_of__gte=since, segment__archived_at__isnull=True)
    for estimate in estimates.select_related("segment"):
        changes.append(
            Change(
                estimate.as_of,
                "estimate",
                f"{estimate.segment}: new estimate, SAM {estimate.sam:,.0f} {estimate.segment.currency} "
                f"({estimate.source})",
                segment=estimate.segment,
            )
        )
    for competitor in Competitor.objects.filter(updated_at__date__gte=since):
        changes.append(
            Change(competitor.updated_at.date(), "profile", f"{competitor}: profile updated", competitor)
        )
    for research in ResearchNote.objects.filter(noted_on__gte=since):
        changes.append(Change(research.noted_on, "note", f"{research.get_kind_display()}: {research.title}"))
    changes.sort(key=lambda c: c.day, reverse=True)
    return changes[:limit]


# ---------------------------------------------------------------------------------------------------
# Deals, win rates and loss reasons


def deal_queryset() -> QuerySet[Deal]:
    return Deal.objects.select_related("segment", "competitor").prefetch_related(
        Prefetch("reasons", queryset=DealReason.objects.order_by("id"))
    )


def deal_window(since: date | None = None, until: date | None = None) -> tuple[date | None, date | None]:
    """The window a win/loss view covers: the given days, else the year up to the newest deal."""
    if until is None:
        until = Deal.objects.order_by("-closed_on").values_list("closed_on", flat=True).first()
    if since is None and until is not None:
        since = until - timedelta(days=365) if until > date.min + timedelta(days=365) else date.min
    return since, until


def deal_facts(
    *, since: date | None, until: date | None, segment_id: int | None = None, competitor_id: int | None = None
) -> list[engine.DealFact]:
    """Closed deals in a window as the engine reads them (two queries, however many deals)."""
    qs = Deal.objects.all()
    if since:
        qs = qs.filter(closed_on__gte=since)
    if until:
        qs = qs.filter(closed_on__lte=until)
    if segment_id:
        qs = qs.filter(segment_id=segment_id)
    if competitor_id:
        qs = qs.filter(competitor_id=competitor_id)
    reasons: dict[int, list[str]] = defaultdict(list)
    for deal_id, reason in DealReason.objects.filter(deal__in=qs).values_list("deal_id", "reason"):
        reasons[deal_id].append(reason)
    return [
        engine.DealFact(
            closed_on=closed_on,
            outcome=outcome,
            amount=float(amount),
            segment=segment_id_,
            competitor=competitor_id_,
            reasons=tuple(reasons.get(pk, ())),
        )
        for pk, closed_on, outcome, amount, segment_id_, competitor_id_ in qs.values_list(
            "pk", "closed_on", "outcome", "amount", "segment_id", "competitor_id"
        )
    ]


@dataclass(frozen=True)
class LabelledRate:
    label: str
    key: Hashable  # the segment's or competitor's id (None for none named), or the quarter
    rate: engine.WinRate
    won_amount: float
    lost_amount: float


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    deals: int
    amount: float
    links: list[ReasonLink] = field(default_factory=list)


@dataclass(frozen=True)
class WinLoss:
    since: date | None
    until: date | None
    overall: engine.WinRate
    by_segment: list[LabelledRate]
    by_competitor: list[LabelledRate]
    by_quarter: list[LabelledRate]
    quarter_trend: engine.Trend | None
    reasons: list[ReasonRow]
    currency: str


def _labelled(rows: list[engine.GroupRate], names: dict, none_label: str) -> list[LabelledRate]:
    """Rates by segment or competitor; groups of an archived one (not in `names`) are left out of the
    breakdown, while their deals still count in the overall rate and by quarter: they happened."""
    out = [
        LabelledRate(names[r.key] if r.key is not None else none_label, r.key, r.rate,
                     r.won_amount, r.lost_amount)
        for r in rows
        if r.key is None or r.key in names
    ]  # fmt: skip
    return sorted(out, key=lambda r: (-(r.rate.decided), r.label))


def win_loss(
    *,
    since: date | None = None,
    until: date | None = None,
    segment_id: int | None = None,
    competitor_id: int | None = None,
) -> WinLoss:
    """Win rates (with 90 % intervals) overall, by segment, by competitor and by quarter, the trend of
    the quarterly rate, and the top loss reasons with the ideas they are evidence for."""
    since, until = deal_window(since, until)
    facts = deal_facts(since=since, until=until, segment_id=segment_id, competitor_id=competitor_id)
    won = sum(1 for f in facts if f.outcome == "won")
    lost = sum(1 for f in facts if f.outcome == "lost")
    segments = dict(Segment.objects.values_list("pk", "name"))
    competitors = dict(Competitor.objects.values_list("pk", "name"))
    quarters = engine.win_rates_by_quarter(facts)
    reasons = engine.top_loss_reasons(facts, limit=10)
    links: dict[str, list[ReasonLink]] = defaultdict(list)
    for link in ReasonLink.objects.filter(reason__in=[r.reason for r in reasons]).select_related(
        "initiative"
    ):
        links[link.reason].append(link)
    currency = Deal.objects.values_list("currency", flat=True).first() or "EUR"
    return WinLoss(
        since=since,
        until=until,
        overall=engine.win_rate(won, lost),
        by_segment=_labelled(engine.win_rates_by(facts, lambda f: f.segment), segments, "No segment"),
        by_competitor=_labelled(
            engine.win_rates_by(facts, lambda f: f.competitor), competitors, "No competitor named"
        ),
        by_quarter=[LabelledRate(str(q.key), q.key, q.rate, q.won_amount, q.lost_amount) for q in quarters],
        quarter_trend=engine.trend([q.rate.rate for q in quarters if q.rate.rate is not None]),
        reasons=[ReasonRow(r.reason, r.deals, r.amount, links.get(r.reason, [])) for r in reasons],
        currency=currency,
    )


@dataclass(frozen=True)
class LostDemand:
    """Deals lost for the reasons linked to one idea: how many, worth how much (by currency)."""

    initiative_id: int
    reasons: list[str]
    deals: int
    amount: dict[str, Decimal]


def lost_demand_for_initiatives(ids: list[int] | set[int]) -> dict[int, LostDemand]:
    """Market demand in money per idea: the lost deals whose reasons are linked to it. A deal counts once
    per idea even when several of its reasons are linked. Two queries."""
    wanted = sorted(set(ids))
    reasons_of: dict[int, list[str]] = defaultdict(list)
    for initiative_id, reason in ReasonLink.objects.filter(initiative_id__in=wanted).values_list(
        "initiative_id", "reason"
    ):
        reasons_of[initiative_id].append(reason)
    all_reasons = {r for rs in reasons_of.values() for r in rs}
    deals_by_reason: dict[str, set[int]] = defaultdict(set)
    deal_money: dict[int, tuple[Decimal, str]] = {}
    rows = DealReason.objects.filter(reason__in=all_reasons, deal__outcome=Outcome.LOST).values_list(
        "reason", "deal_id", "deal__amount", "deal__currency"
    )
    for reason, deal_id, deal_amount, currency in rows:
        deals_by_reason[reason].add(deal_id)
        deal_money[deal_id] = (deal_amount, currency)
    result = {}
    for initiative_id in wanted:
        deals = (
            set().union(*(deals_by_reason[r] for r in reasons_of[initiative_id]))
            if reasons_of[initiative_id]
            else set()
        )
        amount: dict[str, Decimal] = defaultdict(Decimal)
        for deal_id in deals:
            value, currency = deal_money[deal_id]
            amount[currency] += value
        result[initiative_id] = LostDemand(
            initiative_id, sorted(reasons_of[initiative_id]), len(deals), dict(amount)
        )
    return result


def recent_batches(limit: int = 5) -> list[DealBatch]:
    return list(DealBatch.objects.select_related("created_by")[:limit])


def deals_for_reason(reason: str) -> QuerySet[Deal]:
    return deal_queryset().filter(reasons__reason=engine.normalise_reason(reason), outcome=Outcome.LOST)


# ---------------------------------------------------------------------------------------------------
# Research notes


def note_search(
    *, text: str = "", tag: str = "", kind: str = "", segment_id: int | None = None
) -> QuerySet[ResearchNote]:
    """Notes matching every given filter: words in the title or body, a tag, a kind, a segment."""
    qs = ResearchNote.objects.prefetch_related("segments", "objectives", "initiatives")
    for word in text.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(tags__icontains=word))
    if tag.strip():
        qs = qs.filter(tags__iregex=rf"(^|,\s*){re.escape(tag.strip().lower())}(\s*,|$)")
    if kind:
        qs = qs.filter(kind=kind)
    if segment_id:
        qs = qs.filter(segments=segment_id)
    return qs


def notes_for(*, objective_id: int | None = None, initiative_id: int | None = None) -> QuerySet[ResearchNote]:
    qs = ResearchNote.objects.all()
    if objective_id is not None:
        qs = qs.filter(objectives=objective_id)
    if initiative_id is not None:
        qs = qs.filter(initiatives=initiative_id)
    return qs[:50]
