"""Every change to market knowledge: segments and their size estimates, competitors, the capability
matrix, deals, loss reasons as evidence, research notes.

Who may change what: market knowledge is shared by the whole organisation, like the customer voice, so
every writer (product managers, leaders, admins) may add to it; stakeholders read. What touches an
initiative (a loss reason as its evidence, a segment it serves) follows the portfolio's product-line
rule, because it changes what the idea is worth.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.core.validation import assign
from northstar.engines import market as engine
from northstar.market.models import (
    Capability,
    Competitor,
    Deal,
    DealReason,
    Outcome,
    Rating,
    ReasonLink,
    ResearchNote,
    Segment,
    SizeEstimate,
)
from northstar.org import access
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.portfolio.permissions import require_initiative_edit
from northstar.strategy.models import Objective

# ---------------------------------------------------------------------------------------------------
# Names


def _name_free(record: Segment | Competitor, label: str) -> None:
    """Refuse a name an archived record of the same kind still holds, saying how to get it back.

    Names are unique across archived records too, but Django's uniqueness check reads the default
    manager, which leaves archived ones out: without this the database would refuse the save instead."""
    clash = (
        type(record)
        .all_objects.archived()
        .filter(name=record.name)
        .exclude(pk=record.pk)
        .values_list("name", flat=True)
        .first()
    )
    if clash is not None:
        message = f"An archived {label} is called “{clash}”: restore it or choose another name."
        raise ValidationFailed(message, detail={"name": [message]})


# ---------------------------------------------------------------------------------------------------
# Segments and their size


SEGMENT_FIELDS = {"name", "dimension", "description", "customer_segment", "currency"}


@transaction.atomic
def segment_create(*, actor: User, **data: Any) -> Segment:
    access.require_write(actor)
    segment = Segment()
    assign(segment, data, allowed=SEGMENT_FIELDS)
    segment.name = segment.name.strip()
    segment.currency = (segment.currency or "EUR").upper()
    _name_free(segment, "segment")
    return record_save(actor=actor, instance=segment, before=None)


@transaction.atomic
def segment_update(*, actor: User, segment: Segment, **data: Any) -> Segment:
    access.require_write(actor)
    before = audit.snapshot(segment)
    assign(segment, data, allowed=SEGMENT_FIELDS)
    segment.name = segment.name.strip()
    segment.currency = segment.currency.upper()
    _name_free(segment, "segment")
    return record_save(actor=actor, instance=segment, before=before)


@transaction.atomic
def segment_delete(*, actor: User, segment: Segment) -> None:
    """Delete a segment with its estimates; its deals keep their record without a segment."""
    access.require_leading(actor, "the list of segments (delete)")
    record_delete(actor=actor, instance=segment, blocked_by="it is referenced")


def _decimal(value: Any, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed(f"{what} must be a number.") from None


@transaction.atomic
def estimate_add(
    *,
    actor: User,
    segment: Segment,
    method: str,
    as_of: date,
    source: str,
    tam: Any = None,
    sam: Any = None,
    som: Any = None,
    accounts: int | None = None,
    serviceable_accounts: int | None = None,
    obtainable_accounts: int | None = None,
    annual_price: Any = None,
    spread: Any = "0.2",
    growth_rate: Any = "0",
    source_url: str = "",
    note: str = "",
) -> SizeEstimate:
    """Add a dated size estimate (the history keeps every earlier one).

    Top-down: give TAM, SAM and SOM. Bottom-up: give the account counts and the annual price per account;
    TAM, SAM and SOM are computed from them. Either way SOM ≤ SAM ≤ TAM.
    """
    access.require_write(actor)
    if not (source or "").strip():
        raise ValidationFailed("Name the source of the numbers: a study, a CRM report, your own model.")
    spread_value = _decimal(spread, "The spread") or Decimal("0")
    price = _decimal(annual_price, "The annual price")
    estimate = SizeEstimate(
        segment=segment,
        method=method,
        as_of=as_of,
        source=source.strip(),
        source_url=source_url,
        note=note,
        spread=spread_value,
        growth_rate=_decimal(growth_rate, "The growth rate") or Decimal("0"),
        created_by=actor,
    )
    if method == SizeEstimate.Method.BOTTOM_UP:
        if None in (accounts, serviceable_accounts, obtainable_accounts, price):
            raise ValidationFailed(
                "A bottom-up estimate needs the number of accounts, serviceable and obtainable accounts, "
                "and the annual price per account."
            )
        sizing: engine.TopDown | engine.BottomUp = engine.BottomUp(
            float(accounts or 0),
            float(serviceable_accounts or 0),
            float(obtainable_accounts or 0),
            float(price or 0),
            spread=float(spread_value),
        )
        estimate.accounts, estimate.serviceable_accounts = accounts, serviceable_accounts
        estimate.obtainable_accounts, estimate.annual_price = obtainable_accounts, price
        assert price is not None
        estimate.tam = Decimal(accounts or 0) * price
        estimate.sam = Decimal(serviceable_accounts or 0) * price
        estimate.som = Decimal(obtainable_accounts or 0) * price
    elif method == SizeEstimate.Method.TOP_DOWN:
        values = [_decimal(v, n) for v, n in ((tam, "TAM"), (sam, "SAM"), (som, "SOM"))]
        if None in values:
            raise ValidationFailed("A top-down estimate needs TAM, SAM and SOM.")
        estimate.tam, estimate.sam, estimate.som = values  # type: ignore[assignment]
        top, serviceable, obtainable = (float(v or 0) for v in values)
        sizing = engine.TopDown(top, serviceable, obtainable, spread=float(spread_value))
    else:
        raise ValidationFailed(f"Unknown method “{method}”: top_down or bottom_up.")
    try:
        engine.size(sizing)
    except engine.SizingError as exc:
        raise ValidationFailed(str(exc)) from None
    return record_save(actor=actor, instance=estimate, before=None)


@transaction.atomic
def segment_serves_set(
    *, actor: User, segment: Segment, objective_ids: list[int], initiative_ids: list[int]
) -> Segment:
    """Say which objectives and initiatives serve this segment.

    Linking or unlinking an initiative follows the portfolio rule (it changes the idea's evidence);
    objectives are company knowledge any writer may connect."""
    access.require_write(actor)
    current = set(segment.initiatives.values_list("pk", flat=True))
    wanted = set(initiative_ids)
    changed = Initiative._base_manager.filter(pk__in=current ^ wanted)
    if len(changed) != len(current ^ wanted):
        raise ValidationFailed("Unknown initiative id.")
    for initiative in changed:
        require_initiative_edit(actor, initiative)
    if Objective.objects.filter(pk__in=objective_ids).count() != len(set(objective_ids)):
        raise ValidationFailed("Unknown objective id.")
    before = audit.snapshot(segment)
    return record_save(
        actor=actor,
        instance=segment,
        before=before,
        m2m={"objectives": sorted(set(objective_ids)), "initiatives": sorted(wanted)},
    )


# ---------------------------------------------------------------------------------------------------
# Competitors and the capability matrix


COMPETITOR_FIELDS = {"name", "website", "positioning", "pricing_notes", "strengths", "weaknesses", "links"}


def _segment_ids(segment_ids: list[int] | None) -> list[int] | None:
    if segment_ids is None:
        return None
    ids = sorted(set(segment_ids))
    if Segment.objects.filter(pk__in=ids).count() != len(ids):
        raise ValidationFailed("Unknown segment id.")
    return ids


@transaction.atomic
def competitor_create(*, actor: User, segment_ids: list[int] | None = None, **data: Any) -> Competitor:
    access.require_write(actor)
    competitor = Competitor()
    assign(competitor, data, allowed=COMPETITOR_FIELDS)
    competitor.name = competitor.name.strip()
    _name_free(competitor, "competitor")
    ids = _segment_ids(segment_ids)
    return record_save(actor=actor, instance=competitor, before=None, m2m={"segments": ids or []})


@transaction.atomic
def competitor_update(
    *, actor: User, competitor: Competitor, segment_ids: list[int] | None = None, **data: Any
) -> Competitor:
    access.require_write(actor)
    before = audit.snapshot(competitor, many={"segments": [str(s) for s in competitor.segments.all()]})
    assign(competitor, data, allowed=COMPETITOR_FIELDS)
    competitor.name = competitor.name.strip()
    _name_free(competitor, "competitor")
    ids = _segment_ids(segment_ids)
    return record_save(
        actor=actor, instance=competitor, before=before, m2m={"segments": ids} if ids is not None else None
    )


@transaction.atomic
def competitor_delete(*, actor: User, competitor: Competitor) -> None:
    access.require_leading(actor, "the list of competitors (delete)")
    record_delete(actor=actor, instance=competitor, blocked_by="it is referenced")


@transaction.atomic
def capability_create(
    *, actor: User, name: str, description: str = "", position: int | None = None
) -> Capability:
    access.require_write(actor)
    if position is None:
        position = Capability.objects.count()
    capability = Capability(name=name.strip(), description=description, position=position)
    return record_save(actor=actor, instance=capability, before=None)


@transaction.atomic
def capability_update(*, actor: User, capability: Capability, **data: Any) -> Capability:
    access.require_write(actor)
    before = audit.snapshot(capability)
    assign(capability, data, allowed={"name", "description", "position"})
    return record_save(actor=actor, instance=capability, before=before)


@transaction.atomic
def rating_set(
    *,
    actor: User,
    capability: Capability,
    score: int,
    rated_on: date,
    note: str = "",
    competitor: Competitor | None = None,
    product: Product | None = None,
) -> Rating:
    """Rate one cell of the matrix. The earlier rating of the cell stays as history; this one is current.

    Refuses a rating identical to the current one (nothing changed) and a date before the current one
    (the matrix would silently keep the old value)."""
    access.require_write(actor)
    if (competitor is None) == (product is None):
        raise ValidationFailed("Rate either one of our products or one competitor.")
    if not 0 <= int(score) <= 5:
        raise ValidationFailed("A rating is 0 (cannot) to 5 (best in class).")
    current = Rating.objects.filter(capability=capability, competitor=competitor, product=product).first()
    if current is not None:
        if current.score == int(score) and current.note == note.strip():
            raise ValidationFailed(f"{capability} is already rated {score} with that note.")
        if rated_on < current.rated_on:
            raise ValidationFailed(
                f"The current rating is dated {current.rated_on.isoformat()}: a new one cannot be older."
            )
    rating = Rating(
        capability=capability,
        competitor=competitor,
        product=product,
        score=int(score),
        note=note.strip(),
        rated_on=rated_on,
        created_by=actor,
    )
    return record_save(actor=actor, instance=rating, before=None)


# ---------------------------------------------------------------------------------------------------
# Deals and loss reasons


def reasons_parse(raw: str | list[str]) -> list[str]:
    """Reasons as one text ("price; missing SSO") or a list, normalised and without repeats, in order."""
    parts = raw if isinstance(raw, list) else raw.replace("|", ";").split(";")
    seen: list[str] = []
    for part in parts:
        reason = engine.normalise_reason(part)
        if reason and reason not in seen:
            seen.append(reason[:200])
    return seen


@transaction.atomic
def deal_create(
    *,
    actor: User,
    external_id: str,
    name: str,
    account: str,
    amount: Any,
    outcome: str,
    closed_on: date,
    currency: str = "EUR",
    segment: Segment | None = None,
    competitor: Competitor | None = None,
    reasons: str | list[str] = "",
) -> Deal:
    """Record one deal by hand (a CRM export comes in through `market.imports.deals_import`)."""
    from northstar.feedback.models import Customer

    access.require_write(actor)
    if outcome not in Outcome.values:
        raise ValidationFailed(f"Unknown outcome “{outcome}”: {', '.join(Outcome.values)}.")
    if Deal.objects.filter(external_id=external_id.strip()).exists():
        raise ValidationFailed(f"Deal {external_id} is already recorded.")
    money = _decimal(amount, "The amount")
    if money is None:
        raise ValidationFailed("The amount is required.")
    deal = Deal(
        external_id=external_id.strip(),
        name=name.strip(),
        account=account.strip(),
        customer=Customer.objects.filter(name__iexact=account.strip()).first(),
        amount=money,
        currency=currency.upper(),
        outcome=outcome,
        closed_on=closed_on,
        segment=segment,
        competitor=competitor,
    )
    record_save(actor=actor, instance=deal, before=None)
    DealReason.objects.bulk_create(DealReason(deal=deal, reason=r) for r in reasons_parse(reasons))
    return deal


@transaction.atomic
def reason_link_create(*, actor: User, reason: str, initiative: Initiative) -> ReasonLink:
    """Link a loss reason to an idea as evidence: the deals lost for it count in the idea's demand.

    Evidence changes what the idea is worth, so only whoever may change the idea may link to it."""
    require_initiative_edit(actor, initiative)
    key = engine.normalise_reason(reason)
    if not key:
        raise ValidationFailed("Name the loss reason to link.")
    if not DealReason.objects.filter(reason=key, deal__outcome=Outcome.LOST).exists():
        raise ValidationFailed(f"No lost deal gives the reason “{key}”.")
    if ReasonLink.objects.filter(reason=key, initiative=initiative).exists():
        raise ValidationFailed(f"“{key}” is already evidence for “{initiative.title}”.")
    link = ReasonLink(reason=key, initiative=initiative, created_by=actor)
    return record_save(actor=actor, instance=link, before=None)


@transaction.atomic
def reason_link_delete(*, actor: User, link: ReasonLink) -> None:
    require_initiative_edit(actor, link.initiative)
    record_delete(actor=actor, instance=link, blocked_by="it is referenced")


# ---------------------------------------------------------------------------------------------------
# Research notes


NOTE_FIELDS = {"title", "kind", "noted_on", "body", "tags", "source_url"}


def _note_links(segment_ids: Any, objective_ids: Any, initiative_ids: Any) -> dict[str, list[int]]:
    links: dict[str, list[int]] = {}
    for name, ids, model in (
        ("segments", segment_ids, Segment),
        ("objectives", objective_ids, Objective),
        ("initiatives", initiative_ids, Initiative),
    ):
        if ids is None:
            continue
        wanted = sorted(set(ids))
        if model._base_manager.filter(pk__in=wanted).count() != len(wanted):
            raise ValidationFailed(f"Unknown id among the {name}.")
        links[name] = wanted
    return links


def _clean_tags(tags: str) -> str:
    return ", ".join(dict.fromkeys(t.strip().lower() for t in tags.split(",") if t.strip()))


@transaction.atomic
def note_create(
    *,
    actor: User,
    segment_ids: list[int] | None = None,
    objective_ids: list[int] | None = None,
    initiative_ids: list[int] | None = None,
    **data: Any,
) -> ResearchNote:
    """Add a dated trend or research note. Linking a note to an initiative does not change its score, so
    any writer may link any idea (the note is context, not demand)."""
    access.require_write(actor)
    note = ResearchNote(author=actor)
    assign(note, data, allowed=NOTE_FIELDS)
    note.tags = _clean_tags(note.tags)
    links = _note_links(segment_ids or [], objective_ids or [], initiative_ids or [])
    return record_save(actor=actor, instance=note, before=None, m2m=links)


@transaction.atomic
def note_update(
    *,
    actor: User,
    note: ResearchNote,
    segment_ids: list[int] | None = None,
    objective_ids: list[int] | None = None,
    initiative_ids: list[int] | None = None,
    **data: Any,
) -> ResearchNote:
    access.require_write(actor)
    before = audit.snapshot(
        note,
        many={n: [str(o) for o in getattr(note, n).all()] for n in ("segments", "objectives", "initiatives")},
    )
    assign(note, data, allowed=NOTE_FIELDS)
    note.tags = _clean_tags(note.tags)
    links = _note_links(segment_ids, objective_ids, initiative_ids)
    return record_save(actor=actor, instance=note, before=before, m2m=links or None)


@transaction.atomic
def note_delete(*, actor: User, note: ResearchNote) -> None:
    access.require_write(actor)
    record_delete(actor=actor, instance=note, blocked_by="it is referenced")
