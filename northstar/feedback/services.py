"""Every change to customers, feedback items and evidence links: permission, validation, audit.

Imports live in `imports.py`, themes in `theme_services.py`, the public portal in `portal_services.py`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg
from django.utils import timezone

from northstar.core import archive, audit
from northstar.core.errors import NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.ratelimit import RateLimited  # noqa: F401 - the portal's refusals, re-exported
from northstar.core.services import get_or_404, record_delete, record_save
from northstar.core.validation import assign
from northstar.engines.friction import FrictionReach
from northstar.engines.scoring import EvidenceReach
from northstar.feedback.models import Contact, Customer, EvidenceLink, FeedbackItem, Source
from northstar.org import access
from northstar.portfolio import scoring as portfolio_scoring
from northstar.portfolio import services as portfolio_services
from northstar.portfolio.models import Initiative, Kind
from northstar.portfolio.permissions import require_initiative_edit

CUSTOMER_FIELDS = {"name", "segment", "plan", "region", "annual_revenue", "currency", "renewal_date"}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def snapshot(instance: Any) -> audit.Snapshot:
    """The audit snapshot without binary columns (embeddings, centroids): they are derived, not edits."""
    return {k: v for k, v in audit.snapshot(instance).items() if not isinstance(v, bytes | memoryview)}


def fingerprint(text: str) -> str:
    """Same words in the same order, whatever the case, punctuation or spacing: near-identical texts."""
    return hashlib.sha1(_NON_WORD.sub(" ", text.lower()).strip().encode(), usedforsecurity=False).hexdigest()


def dedupe_key(*, source: str, external_id: str, author: str, received_at: datetime | None, text: str) -> str:
    """The identity of an item across re-imports: its source id when it has one, else who, when, what."""
    return _dedupe(
        source, external_id.strip(), author, received_at, fingerprint(text) if not external_id else ""
    )


def _dedupe(source: str, external_id: str, author: str, received_at: datetime | None, print_: str) -> str:
    if external_id:
        raw = f"{source}|id|{external_id}"
    else:
        when = received_at.isoformat() if received_at else ""
        raw = f"{source}|{author.strip().lower()}|{when}|{print_}"
    return hashlib.sha256(raw.encode()).hexdigest()


# Customers -----------------------------------------------------------------------------------------


@transaction.atomic
def customer_create(*, actor: User, **data: Any) -> Customer:
    access.require_write(actor)
    customer = Customer()
    assign(customer, data, allowed=CUSTOMER_FIELDS)
    return record_save(actor=actor, instance=customer, before=None)


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, **data: Any) -> Customer:
    access.require_write(actor)
    before = audit.snapshot(customer)
    assign(customer, data, allowed=CUSTOMER_FIELDS)
    return record_save(actor=actor, instance=customer, before=before)


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    access.require_leading(actor, "customers")
    record_delete(actor=actor, instance=customer, blocked_by="it is referenced")


@transaction.atomic
def contact_create(
    *, actor: User, customer: Customer, name: str, email: str = "", title: str = ""
) -> Contact:
    access.require_write(actor)
    contact = Contact(customer=customer, name=name.strip(), email=email.strip().lower(), title=title.strip())
    return record_save(actor=actor, instance=contact, before=None)


def customer_for_email(email: str) -> Customer | None:
    """The account a sender belongs to: a known contact's customer."""
    if not email:
        return None
    contact = Contact.objects.select_related("customer").filter(email=email.strip().lower()).first()
    return contact.customer if contact else None


# Feedback items ------------------------------------------------------------------------------------


#: The columns `item_values` fills, in its order (imports write them straight to the table).
ITEM_COLUMNS = (
    "source",
    "title",
    "text",
    "author_name",
    "author_email",
    "received_at",
    "external_id",
    "dedupe_key",
    "fingerprint",
)
_SOURCES = frozenset(Source.values)


def item_values(
    *,
    text: str,
    source: str = Source.MANUAL,
    title: str = "",
    author_name: str = "",
    author_email: str = "",
    received_at: datetime | None = None,
    external_id: str = "",
) -> tuple[Any, ...]:
    """An item's cleaned values and keys, in `ITEM_COLUMNS` order: the one place they are made.

    A tuple rather than a model instance because imports make a million of them.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("Feedback needs some text: what did the customer say?")
    if source not in _SOURCES:
        raise ValidationFailed(f"Unknown source {source!r}: choose one of {', '.join(Source.values)}.")
    when = received_at or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    author_email = author_email.strip().lower()
    external_id = external_id.strip()
    print_ = fingerprint(text)
    return (
        source,
        title.strip()[:300],
        text,
        author_name.strip()[:200],
        author_email,
        when,
        external_id[:200],
        _dedupe(source, external_id, author_email or author_name, received_at, print_),
        print_,
    )


def build_item(
    *,
    text: str,
    source: str = Source.MANUAL,
    title: str = "",
    author_name: str = "",
    author_email: str = "",
    customer_id: int | None = None,
    received_at: datetime | None = None,
    external_id: str = "",
) -> FeedbackItem:
    """An unsaved item with its keys computed; shared by typed-in items, imports, the API and the widget."""
    values = item_values(
        text=text,
        source=source,
        title=title,
        author_name=author_name,
        author_email=author_email,
        received_at=received_at,
        external_id=external_id,
    )
    return FeedbackItem(customer_id=customer_id, **dict(zip(ITEM_COLUMNS, values, strict=True)))


def _assign_theme_later(item_ids: list[int]) -> None:
    from northstar.feedback import theme_services

    transaction.on_commit(lambda: theme_services.themes_assign_new(item_ids=item_ids))


@transaction.atomic
def feedback_create(*, actor: User | None, **data: Any) -> FeedbackItem:
    """Add one item (typed in, API, widget). The same item twice is refused, not stored twice."""
    if actor is not None:
        access.require_write(actor)
    if data.get("customer_id") is None and data.get("author_email"):
        customer = customer_for_email(data["author_email"])
        data["customer_id"] = customer.pk if customer else None
    if data.get("received_at") is None:
        data["received_at"] = timezone.now()  # typed in now: the same words tomorrow are new feedback
    item = build_item(**data)
    if FeedbackItem.objects.filter(dedupe_key=item.dedupe_key).exists():
        raise ValidationFailed("This feedback is already in Northstar (same source, author, date and text).")
    record_save(actor=actor, instance=item, before=None)
    _assign_theme_later([item.pk])
    return item


@transaction.atomic
def feedback_set_status(*, actor: User, items: Iterable[FeedbackItem], status: str) -> int:
    """Mark items processed (or back to new); returns how many changed."""
    access.require_write(actor)
    if status not in FeedbackItem.Status.values:
        raise ValidationFailed(f"Unknown status {status!r}.")
    changed = 0
    for item in items:
        if item.status == status:
            continue
        before = snapshot(item)
        item.status = status
        item.save(update_fields=["status"])
        audit.audit_update(actor=actor, instance=item, before=before, after=snapshot(item))
        changed += 1
    return changed


@transaction.atomic
def feedback_delete(*, actor: User, item: FeedbackItem) -> None:
    access.require_leading(actor, "feedback items")
    record_delete(actor=actor, instance=item, blocked_by="it is referenced")


# Evidence links ------------------------------------------------------------------------------------


#: How much an account's revenue weighs in evidence reach: 0 counts heads, 1 counts revenue only.
REACH_REVENUE_WEIGHTING = 0.5


def evidence_reach_refresh(*, initiative_ids: Iterable[int]) -> None:
    """Feed prioritisation's reach input from the evidence behind each idea.

    Each distinct account asking counts once (authors without an account count as one each, with no
    revenue), weighted half by head-count and half by revenue against the average account's revenue,
    so one large customer outweighs a small one without drowning out many.
    """
    ids = sorted(set(initiative_ids))
    if not ids:
        return
    reference = Customer.objects.filter(annual_revenue__gt=0).aggregate(avg=Avg("annual_revenue"))["avg"]
    requests: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    rows = EvidenceLink.objects.filter(initiative_id__in=ids, item__archived_at__isnull=True).values_list(
        "initiative_id",
        "item_id",
        "item__customer_id",
        "item__customer__annual_revenue",
        "item__author_email",
    )
    for initiative_id, item_id, customer_id, revenue, email in rows:
        who = f"customer:{customer_id}" if customer_id else f"author:{email or item_id}"
        requests[initiative_id].append((who, Decimal(revenue or 0)))
    weighting = REACH_REVENUE_WEIGHTING if reference else 0.0
    from northstar.analytics.selectors import friction_reach  # people hurt by linked friction

    hurt = friction_reach(ids)
    for initiative_id in ids:
        asking = requests.get(initiative_id)
        source: Any = (
            EvidenceReach(requests=asking, revenue_weighting=weighting, reference_revenue=reference)
            if asking
            else None
        )
        if initiative_id in hurt:
            source = FrictionReach(*hurt[initiative_id], evidence=source)
        portfolio_scoring.reach_evidence_set(initiative_id=initiative_id, source=source)


@transaction.atomic
def link_create(*, actor: User, item: FeedbackItem, initiative: Initiative, quote: str = "") -> EvidenceLink:
    """Link an item, or a quote highlighted in it, to an idea as evidence. Refuses a quote not in the item.

    Evidence re-scores the idea (its reach), so only whoever may change the idea may link to it.
    """
    require_initiative_edit(actor, initiative)
    quote = (quote or "").strip()
    if quote and " ".join(quote.split()).lower() not in " ".join(item.text.split()).lower():
        raise ValidationFailed("A quote must be a passage of the feedback's own text.")
    if EvidenceLink.objects.filter(item=item, initiative=initiative, quote=quote).exists():
        raise ValidationFailed(f"This is already evidence for “{initiative.title}”.")
    link = EvidenceLink(item=item, initiative=initiative, quote=quote, created_by=actor)
    record_save(actor=actor, instance=link, before=None)
    evidence_reach_refresh(initiative_ids=[initiative.pk])
    if item.status == FeedbackItem.Status.NEW:
        feedback_set_status(actor=actor, items=[item], status=FeedbackItem.Status.PROCESSED)
    return link


@transaction.atomic
def link_delete(*, actor: User, link: EvidenceLink) -> None:
    require_initiative_edit(actor, link.initiative)
    initiative_id = link.initiative_id
    record_delete(actor=actor, instance=link, blocked_by="it is referenced")
    evidence_reach_refresh(initiative_ids=[initiative_id])


@transaction.atomic
def idea_from_feedback(
    *, actor: User, item: FeedbackItem, title: str, product_id: int | None = None, quote: str = ""
) -> Initiative:
    """Create a new idea from an item and link the item (or its quote) to it as its first evidence."""
    title = title.strip()
    if not title:
        raise ValidationFailed("Give the new idea a title.")
    owner_id = None
    if product_id is None and actor.is_authenticated:
        person = getattr(actor, "person", None)
        owner_id = person.pk if person is not None else None
    body = quote or item.text
    description = "> " + "\n> ".join(body.splitlines()) + f"\n\nFrom feedback #{item.pk}."
    initiative = portfolio_services.initiative_create(
        actor=actor,
        title=title,
        kind=Kind.IDEA,
        product_id=product_id,
        owner_id=owner_id,
        description=description,
    )
    link_create(actor=actor, item=item, initiative=initiative, quote=quote)
    return initiative


def item_for(item_id: int) -> FeedbackItem:
    return get_or_404(FeedbackItem, item_id)


# Many at once --------------------------------------------------------------------------------------


def items_for(ids: Iterable[Any]) -> list[FeedbackItem]:
    """The feedback items with these ids (in that order), at most `archive.BULK_LIMIT`."""
    wanted = list(dict.fromkeys(int(i) for i in ids if str(i).isdigit()))
    if not wanted:
        raise ValidationFailed("Choose the feedback to act on.")
    if len(wanted) > archive.BULK_LIMIT:
        raise ValidationFailed(f"At most {archive.BULK_LIMIT} feedback items at a time: choose fewer.")
    found = FeedbackItem.all_objects.select_related("customer").in_bulk(wanted)
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"No feedback item with id {', '.join(missing[:10])}.", detail={"missing": missing})
    return [found[i] for i in wanted]


@transaction.atomic
def feedback_triage_many(*, actor: User, items: list[FeedbackItem], initiative: Initiative) -> int:
    """Link many items to one idea as evidence (all or none) and mark them processed.

    Items already evidence for it are left as they are; returns how many were newly linked. Evidence
    re-scores the idea, so, as for one link, only whoever may change the idea may link to it.
    """
    require_initiative_edit(actor, initiative)
    already = set(
        EvidenceLink.objects.filter(initiative=initiative, item__in=items, quote="").values_list(
            "item_id", flat=True
        )
    )
    linked = 0
    for item in items:
        if item.pk in already:
            continue
        record_save(
            actor=actor,
            instance=EvidenceLink(item=item, initiative=initiative, quote="", created_by=actor),
            before=None,
        )
        linked += 1
    feedback_set_status(
        actor=actor,
        items=[i for i in items if i.status == FeedbackItem.Status.NEW],
        status=FeedbackItem.Status.PROCESSED,
    )
    evidence_reach_refresh(initiative_ids=[initiative.pk])
    return linked


@transaction.atomic
def idea_from_feedback_many(
    *, actor: User, items: list[FeedbackItem], title: str, product_id: int | None = None
) -> Initiative:
    """One new idea from many items: the first few quoted in its description, every item its evidence."""
    if not items:
        raise ValidationFailed("Choose the feedback the idea comes from.")
    initiative = idea_from_feedback(actor=actor, item=items[0], title=title, product_id=product_id)
    if len(items) > 1:
        quotes = "\n\n".join("> " + (i.title or i.text)[:300].replace("\n", " ") for i in items[1:6])
        more = f"\n\n…and {len(items) - 6} more." if len(items) > 6 else ""
        portfolio_services.initiative_update(
            actor=actor,
            initiative=initiative,
            description=f"{initiative.description}\n\n{quotes}{more}\n\nFrom {len(items)} feedback items.",
        )
        feedback_triage_many(actor=actor, items=items[1:], initiative=initiative)
    return initiative
