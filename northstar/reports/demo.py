"""The demo company's reports: each line's status updates for the last and the current quarter (one
overridden, with its reason), a board pack issued at the end of last quarter and a draft for this
quarter, so "since the last pack" has content on first launch. Idempotent: what exists is kept."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from northstar.org.models import ProductLine
from northstar.reports import health, services
from northstar.reports.models import Pack, PackSection, PackTemplate, Risk, Status, StatusUpdate
from northstar.reports.sections import TEMPLATE_SECTIONS
from northstar.strategy.models import PlanningPeriod

#: line -> (highlights, lowlights, asks, risks [(description, severity, mitigation)])
CONTENT = {
    "Commerce": (
        "- Wallet payments live in 6 markets; checkout conversion up 1.8 pts\n"
        "- E-invoicing pilot with 40 merchants",
        "- Address autocomplete slipped a quarter: the vendor's EU data residency is not ready",
        "Decide whether we build address autocomplete in-house (2 engineers for a quarter).",
        [
            ("EU e-invoicing mandate lands before our GA", "high", "Pilot now; legal review booked"),
            (
                "Fraud-screening false positives in Brazil (São Paulo merchants)",
                "medium",
                "Tune the rules weekly",
            ),
        ],
    ),
    "Engagement": (
        "- Campaign builder beta: 320 merchants, 41% weekly active\n"
        "- Push settings shipped on iOS and Android",
        "- SMS fallback costs 30% over plan in Łódź and Warsaw pilots",
        "Approve the SMS budget increase, or cap SMS fallback to enterprise plans.",
        [
            ("Mobile team down two engineers until March", "high", "Contractors for the offline-mode work"),
            ("Apple review delays for tap to pay (東京 launch)", "low", "Submit two weeks early"),
        ],
    ),
    "Platform": (
        "- Webhooks v2 carries 60% of event traffic\n- Passkeys in public beta",
        "- SCIM provisioning needs a second iteration for Okta",
        "",
        [("Identity migration window overlaps peak season", "medium", "Move it to January")],
    ),
}
#: One director overrides the proposal, with the reason people will read next to the evidence.
OVERRIDE = ("Engagement", Status.AT_RISK, "Hiring for the mobile team is three months behind plan.")


def _at(day, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _updates(periods: list[PlanningPeriod], today) -> int:
    added = 0
    for line in ProductLine.objects.filter(name__in=CONTENT).order_by("name"):
        highlights, lowlights, asks, risks = CONTENT[line.name]
        for period in periods:
            if StatusUpdate.objects.filter(line=line, period=period).exists():
                continue
            posted = min(today, period.end - timedelta(days=6))
            proposed, signals = health.status_proposal(line=line, period=period, today=posted)
            status, reason = proposed, ""
            if line.name == OVERRIDE[0] and period == periods[-1] and proposed != OVERRIDE[1]:
                status, reason = OVERRIDE[1], OVERRIDE[2]
            update = StatusUpdate.objects.create(
                line=line,
                period=period,
                status=status,
                proposed_status=proposed,
                proposal=[s.as_dict() for s in signals],
                override_reason=reason,
                highlights=highlights,
                lowlights=lowlights,
                asks=asks,
            )
            StatusUpdate.objects.filter(pk=update.pk).update(created_at=_at(posted, 9))
            Risk.objects.bulk_create(
                Risk(update=update, description=d, severity=sev, mitigation=m, owner=line.director)
                for d, sev, m in risks
            )
            added += 1
    return added


NARRATIVE = {
    "headline": "**{period}**: the portfolio is broadly on plan. Commerce carries the quarter; "
    "Engagement needs "
    "a decision on SMS costs and mobile hiring.",
    "roadmap": "What shipped matches the published roadmap; the slips are explained item by item.",
    "decisions": "We ask the board to note the e-invoicing risk and the SMS budget decision.",
}


def _pack(period: PlanningPeriod, cut_off, title: str) -> Pack:
    pack = Pack.objects.create(template=PackTemplate.BOARD, title=title, cut_off=cut_off)
    PackSection.objects.bulk_create(
        PackSection(
            pack=pack, key=key, position=n, narrative=NARRATIVE.get(key, "").format(period=period.name)
        )
        for n, key in enumerate(TEMPLATE_SECTIONS[PackTemplate.BOARD])
    )
    return pack


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add the demo records for this area (idempotent); returns {kind: number added}."""
    today = timezone.localdate()
    current = health.period_at(today)
    if current is None:
        return {}
    last = PlanningPeriod.objects.filter(kind=current.kind, end__lt=current.start).order_by("-start").first()
    periods = [p for p in (last, current) if p is not None]
    added = {"status updates": _updates(periods, today), "packs": 0}
    if not Pack.objects.exists():
        if last is not None:
            issued = _pack(last, last.end, f"Board pack {last.name}")
            # Rendering its PDF, PPTX and HTML took most of the demo load: a job does it once the
            # server runs (`make demo` starts it next); the pack page shows it being issued till then.
            services.pack_issue_enqueue(pack=issued, actor=None, as_of=_at(last.end + timedelta(days=3)))
            added["packs"] += 1
        _pack(current, today, f"Board pack {current.name}")
        added["packs"] += 1
    return added
