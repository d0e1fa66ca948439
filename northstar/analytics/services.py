"""Every write a person makes in the analytics area: sites, funnels, friction evidence, event KPIs.

Everything here follows the product-line rule through the site's product
(`org.access.require_line_edit`). The event write path (capture, spool, drain, import, purge) is in
`analytics/ingest.py`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F

from northstar.analytics.models import (
    FrictionEvidence,
    Funnel,
    Signal,
    Site,
)
from northstar.core import audit
from northstar.core.errors import NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.org import access
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.portfolio.permissions import require_initiative_edit
from northstar.strategy.models import Metric


def _line_of(site: Site) -> int:
    return site.product.line_id


# Sites ---------------------------------------------------------------------------------------------


def _clean_origins(text: str) -> str:
    origins = [o.strip().rstrip("/") for o in (text or "").splitlines() if o.strip()]
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ValidationFailed(f"“{origin[:80]}” is not an origin like https://app.example.com.")
    return "\n".join(origins)


@transaction.atomic
def site_create(
    *,
    actor: User,
    product: Product,
    name: str,
    allowed_origins: str = "",
    retention_days: int = 90,
    consent_required: bool = False,
) -> Site:
    """Register a product's web app; its write key is made here and never changes."""
    access.require_line_edit(actor, product.line_id, "analytics sites")
    site = Site(
        product=product,
        name=name.strip(),
        key="ns_a_" + secrets.token_urlsafe(24),
        allowed_origins=_clean_origins(allowed_origins),
        retention_days=retention_days,
        consent_required=consent_required,
    )
    return record_save(actor=actor, instance=site, before=None)


@transaction.atomic
def site_update(*, actor: User, site: Site, **data: Any) -> Site:
    """Change a site's name, origins, retention, consent mode or whether it takes events."""
    access.require_line_edit(actor, _line_of(site), "analytics sites")
    before = audit.snapshot(site)
    for field in ("name", "allowed_origins", "retention_days", "consent_required", "active"):
        if field in data and data[field] is not None:
            value = data[field]
            if field == "allowed_origins":
                value = _clean_origins(value)
            elif field == "name":
                value = value.strip()
            setattr(site, field, value)
    return record_save(actor=actor, instance=site, before=before)


def site_active(key: str) -> Site | None:
    """The active site a write key names, if any."""
    return Site.objects.filter(key=key, active=True).first() if key else None


def site_for_key(key: str) -> Site:
    site = site_active(key)
    if site is None:
        raise NotFound("Unknown or inactive site key.")
    return site


def site_count_rejected(*, key: str) -> None:
    """Count a refused batch on its site's page (when the key names one)."""
    if key:
        Site.objects.filter(key=key).update(rejected_batches=F("rejected_batches") + 1)


# Funnels -------------------------------------------------------------------------------------------


def _clean_steps(steps: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    clean = []
    for n, step in enumerate(steps, start=1):
        kind = str(step.get("kind", "")).strip()
        match = str(step.get("match", "")).strip()
        if kind not in {"page", "event"}:
            raise ValidationFailed(f"Step {n}: kind is “page” (a path pattern) or “event” (a custom event).")
        if not match or len(match) > 300:
            raise ValidationFailed(f"Step {n}: say which page or event (up to 300 characters).")
        if kind == "page" and not match.startswith("/"):
            raise ValidationFailed(f"Step {n}: a page pattern starts with /, e.g. /checkout/*.")
        clean.append({"kind": kind, "match": match})
    if not 2 <= len(clean) <= 10:
        raise ValidationFailed("A funnel has between 2 and 10 steps.")
    return clean


def parse_steps(text: str) -> list[dict[str, str]]:
    """Steps from a form's text: one per line, a path pattern (`/checkout*`) or `event:name`."""
    steps = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("event:"):
            steps.append({"kind": "event", "match": line.removeprefix("event:").strip()})
        else:
            steps.append({"kind": "page", "match": line})
    return steps


@transaction.atomic
def funnel_create(
    *, actor: User, site: Site, name: str, steps: Iterable[Mapping[str, Any]], window_hours: int = 24
) -> Funnel:
    access.require_line_edit(actor, _line_of(site), "funnels")
    funnel = Funnel(site=site, name=name.strip(), steps=_clean_steps(steps), window_hours=window_hours)
    return record_save(actor=actor, instance=funnel, before=None)


@transaction.atomic
def funnel_delete(*, actor: User, funnel: Funnel) -> None:
    access.require_line_edit(actor, _line_of(funnel.site), "funnels")
    record_delete(actor=actor, instance=funnel, blocked_by="it is referenced")


# Friction evidence ---------------------------------------------------------------------------------


@transaction.atomic
def evidence_link(
    *,
    actor: User,
    site: Site,
    initiative: Initiative,
    signal: str,
    path: str = "",
    selector: str = "",
    funnel: Funnel | None = None,
    step: int | None = None,
    users: int = 0,
    note: str = "",
) -> FrictionEvidence:
    """Link a friction issue (signal, page, element) or a funnel step's drop-off to an initiative as
    evidence. Like feedback evidence, only whoever may change the initiative may link to it."""
    require_initiative_edit(actor, initiative)
    if signal not in Signal.values:
        raise ValidationFailed("Unknown friction signal.")
    if signal == Signal.FUNNEL_DROP:
        if funnel is None or funnel.site_id != site.pk or step is None or not 2 <= step <= len(funnel.steps):
            raise ValidationFailed(
                "A drop-off names a funnel of this site and one of its steps after the first."
            )
        path, selector = "", ""
    else:
        funnel, step = None, None
        if not path:
            raise ValidationFailed("A friction issue names its page.")
    existing = FrictionEvidence.objects.filter(
        initiative=initiative,
        site=site,
        signal=signal,
        path=path,
        selector=selector,
        funnel=funnel,
        step=step,
    )
    if existing.exists():
        raise ValidationFailed(f"This is already evidence for “{initiative.title}”.")
    link = FrictionEvidence(
        site=site,
        initiative=initiative,
        signal=signal,
        path=path[:300],
        selector=selector[:300],
        funnel=funnel,
        step=step,
        users=max(0, int(users)),
        note=note.strip()[:300],
        created_by=actor,
    )
    saved = record_save(actor=actor, instance=link, before=None)
    _reach_refresh(initiative.pk)
    return saved


@transaction.atomic
def evidence_unlink(*, actor: User, link: FrictionEvidence) -> None:
    require_initiative_edit(actor, link.initiative)
    initiative_id = link.initiative_id
    record_delete(actor=actor, instance=link, blocked_by="it is referenced")
    _reach_refresh(initiative_id)


def _reach_refresh(initiative_id: int) -> None:
    """Friction evidence feeds the initiative's reach beside its feedback evidence: the feedback area
    owns that number and asks `selectors.friction_reach` for the friction part."""
    from northstar.feedback.services import evidence_reach_refresh

    evidence_reach_refresh(initiative_ids=[initiative_id])


# KPIs ----------------------------------------------------------------------------------------------


def kpi_publish(
    *, actor: User, site: Site, metric: Metric, measure: str, funnel: Funnel | None = None, weeks: int = 12
) -> int:
    """Write a KPI's weekly values computed from events (active people or accounts, or a funnel's
    conversion) into the strategy area's metric, through its own push: the KPI then behaves like any
    other (trend, flags, key results). Returns how many weeks were written."""
    from northstar.analytics.selectors import MEASURES, weekly_series
    from northstar.strategy import metric_values, metrics

    if measure not in MEASURES:
        raise ValidationFailed(f"Measure one of: {', '.join(MEASURES)}.")
    if MEASURES[measure][2] and (funnel is None or funnel.site_id != site.pk):
        raise ValidationFailed("Choose a funnel of this site for its conversion.")
    if not 1 <= weeks <= 104:
        raise ValidationFailed("Publish between 1 and 104 weeks.")
    metrics.require_metric_edit(actor, metric)
    series = weekly_series(site, measure=measure, funnel=funnel, weeks=weeks)
    metric_values.metric_values_push(
        actor=actor, metric=metric, points=[(day, value, "") for day, value in series]
    )
    return len(series)
