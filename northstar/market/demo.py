"""The demo company's market: four segments with estimates (two dates each, so there is history), three
competitors with a capability matrix against two of our products, a year of deals imported as a CRM
export would arrive (with loss reasons, two of them linked to ideas), and a handful of research notes
linked to objectives and initiatives. Written as seed data (no audit entries); idempotent."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from northstar.feedback.models import Customer
from northstar.feedback.models import Segment as CustomerSegment
from northstar.market.imports import deals_import
from northstar.market.models import (
    Capability,
    Competitor,
    Deal,
    Rating,
    ReasonLink,
    ResearchNote,
    Segment,
    SizeEstimate,
)
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.strategy.models import Objective

# name, dimension, customer segment, (tam, sam, som) a year ago in M EUR, growth, source
SEGMENTS = [
    ("SMB merchants", "company_size", CustomerSegment.SMB, (2_400, 420, 38), "0.09", "Payments Atlas 2025"),
    (
        "Mid-market retailers",
        "company_size",
        CustomerSegment.MID_MARKET,
        (1_300, 260, 24),
        "0.07",
        "Own CRM model",
    ),
    (
        "Enterprise platforms",
        "company_size",
        CustomerSegment.ENTERPRISE,
        (3_100, 640, 55),
        "0.05",
        "Analyst brief Q3",
    ),
    ("Online marketplaces", "industry", "", (900, 150, 9), "0.18", "Marketplace Pulse study"),
]

COMPETITORS = [
    (
        "Northwind Payments",
        "https://competitor-one.example",
        "Developer-first payments for internet businesses; wins on API quality and breadth.",
        "Blended 1.5 % + 0.25 EUR; volume discounts from 1M EUR a month.",
        "API and documentation\nGlobal coverage",
        "Support for mid-market\nComplex invoicing",
        ["SMB merchants", "Online marketplaces", "Enterprise platforms"],
    ),
    (
        "Omnipay Global",
        "https://competitor-two.example",
        "Single platform for enterprise omnichannel payments.",
        "Interchange++ with a processing fee per transaction; minimum monthly invoice.",
        "Enterprise references\nIn-store and online in one",
        "Slow onboarding for smaller merchants\nMinimum fees",
        ["Enterprise platforms", "Mid-market retailers"],
    ),
    (
        "LocalPay",
        "https://competitor-three.example",
        "Regional acquirer with bundled terminals and a bank partner.",
        "Flat monthly bundles; cheap for low volume.",
        "Price for small merchants\nLocal payment methods",
        "No marketplace split payments\nDated dashboard",
        ["SMB merchants", "Mid-market retailers"],
    ),
]

CAPABILITIES = [
    ("Split payments", "Pay out several sellers from one charge."),
    ("Single sign-on", "SAML / OIDC for merchant staff."),
    ("Local payment methods", "iDEAL, Bancontact, BLIK, PIX..."),
    ("Reporting and reconciliation", "Payout reports that match the bank statement."),
    ("Onboarding speed", "Days from sign-up to first live payment."),
    ("Developer experience", "API, SDKs and documentation."),
]

# capability -> (ours A, ours B, competitor 1, 2, 3)
SCORES = {
    "Split payments": (2, 1, 5, 3, 0),
    "Single sign-on": (1, 3, 4, 5, 1),
    "Local payment methods": (4, 3, 4, 4, 5),
    "Reporting and reconciliation": (4, 4, 3, 5, 2),
    "Onboarding speed": (5, 4, 4, 1, 3),
    "Developer experience": (3, 3, 5, 3, 1),
}

REASONS = [
    "price",
    "missing split payments",
    "no single sign-on",
    "onboarding too slow",
    "reporting gaps",
    "local methods",
    "chose incumbent",
]

NOTES = [
    ("Marketplaces move to embedded payouts", "trend", "marketplaces, payouts", "Online marketplaces"),
    (
        "Interview: head of finance at a mid-market retailer",
        "interview",
        "reconciliation, finance",
        "Mid-market retailers",
    ),
    (
        "Study: SSO is a gate for enterprise procurement",
        "study",
        "security, enterprise, sso",
        "Enterprise platforms",
    ),
    ("Pricing pressure from bundled acquirers", "trend", "pricing, smb", "SMB merchants"),
    ("Instant payouts become table stakes", "trend", "payouts, smb", "SMB merchants"),
]

MILLION = Decimal(1_000_000)


def _deals_csv(rng: random.Random, today: date, customers: list[str]) -> str:
    """A year of deals as a Northstar-shaped CRM export, with a win rate that differs by segment and
    competitor (marketplaces are hard without split payments; enterprise needs SSO)."""
    segment_names = [s[0] for s in SEGMENTS]
    competitor_names = [c[0] for c in COMPETITORS]
    base = {
        "SMB merchants": 0.5,
        "Mid-market retailers": 0.45,
        "Enterprise platforms": 0.35,
        "Online marketplaces": 0.25,
    }
    size = {
        "SMB merchants": 12_000,
        "Mid-market retailers": 60_000,
        "Enterprise platforms": 300_000,
        "Online marketplaces": 80_000,
    }
    rows = ["deal,name,account,segment,amount,currency,outcome,competitor,reasons,closed"]
    for n in range(240):
        segment = rng.choices(segment_names, weights=[5, 3, 2, 2])[0]
        competitor = rng.choice([*competitor_names, ""])
        closed = today - timedelta(days=rng.randrange(1, 365))
        # the win rate drifts up over the year as onboarding got faster
        p = (
            base[segment]
            + 0.1 * (1 - (today - closed).days / 365)
            - (0.1 if competitor == "Northwind Payments" else 0)
        )
        roll = rng.random()
        outcome = "won" if roll < p else ("no_decision" if roll > 0.92 else "lost")
        reasons: list[str] = []
        if outcome == "lost":
            if segment == "Online marketplaces":
                reasons.append("missing split payments")
            if segment == "Enterprise platforms" and rng.random() < 0.6:
                reasons.append("no single sign-on")
            reasons.append(rng.choices(REASONS, weights=[5, 2, 2, 2, 2, 1, 2])[0])
        elif outcome == "won":
            reasons.append(rng.choice(["onboarding speed", "support", "reporting"]))
        account = rng.choice(customers) if customers and rng.random() < 0.3 else f"Prospect {n:03d}"
        amount = round(size[segment] * rng.uniform(0.5, 1.8), -2)
        rows.append(
            f"D-{today.year}-{n:04d},{account} deal,{account},{segment},{amount:.2f},EUR,{outcome},"
            f"{competitor},{'; '.join(dict.fromkeys(reasons))},{closed.isoformat()}"
        )
    return "\n".join(rows) + "\n"


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add the demo records for this area (idempotent); returns {kind: number added}."""
    if Segment.objects.filter(name=SEGMENTS[0][0]).exists():
        return {}
    rng = random.Random(f"market-{seed}")
    today = timezone.localdate()
    counts = {"segments": 0, "estimates": 0, "competitors": 0, "ratings": 0, "deals": 0, "notes": 0}
    segments: dict[str, Segment] = {}
    for name, dimension, customer_segment, (tam, sam, som), growth, source in SEGMENTS:
        segment = Segment.objects.create(name=name, dimension=dimension, customer_segment=customer_segment)
        segments[name] = segment
        counts["segments"] += 1
        for age, factor in ((365 + 30, Decimal("1")), (30, Decimal("1") + Decimal(growth))):
            SizeEstimate.objects.create(
                segment=segment,
                method=SizeEstimate.Method.TOP_DOWN,
                as_of=today - timedelta(days=age),
                tam=Decimal(tam) * MILLION * factor,
                sam=Decimal(sam) * MILLION * factor,
                som=Decimal(som) * MILLION * factor,
                spread=Decimal("0.25") if age > 365 else Decimal("0.15"),
                growth_rate=Decimal(growth),
                source=source if age > 365 else f"{source} (refresh)",
            )
            counts["estimates"] += 1
    smb = segments["SMB merchants"]
    SizeEstimate.objects.create(
        segment=smb,
        method=SizeEstimate.Method.BOTTOM_UP,
        as_of=today - timedelta(days=7),
        accounts=200_000,
        serviceable_accounts=38_000,
        obtainable_accounts=3_400,
        annual_price=Decimal("12000"),
        tam=Decimal(200_000 * 12_000),
        sam=Decimal(38_000 * 12_000),
        som=Decimal(3_400 * 12_000),
        spread=Decimal("0.2"),
        growth_rate=Decimal("0.09"),
        source="Bottom-up from the merchant registry and our list price",
    )
    counts["estimates"] += 1

    competitors = []
    for name, website, positioning, pricing, strengths, weaknesses, served in COMPETITORS:
        competitor = Competitor.objects.create(
            name=name,
            website=website,
            positioning=positioning,
            pricing_notes=pricing,
            strengths=strengths,
            weaknesses=weaknesses,
            links=f"{website}/pricing\n{website}/docs",
        )
        competitor.segments.set([segments[s] for s in served])
        competitors.append(competitor)
        counts["competitors"] += 1

    products = list(Product.objects.order_by("id")[:2])
    for position, (name, description) in enumerate(CAPABILITIES):
        capability = Capability.objects.create(name=name, description=description, position=position)
        scores = SCORES[name]
        subjects: list[tuple[Product | None, Competitor | None]] = [(p, None) for p in products]
        subjects += [(None, c) for c in competitors]
        offset = 0 if len(products) == 2 else 2 - len(products)
        for index, (product, rival) in enumerate(subjects):
            score = scores[index + offset]
            # an older rating first for some cells, so "what changed" has something to show
            if (index + position) % 3 == 0:
                Rating.objects.create(
                    capability=capability,
                    product=product,
                    competitor=rival,
                    score=max(0, score - 1),
                    note="Earlier assessment",
                    rated_on=today - timedelta(days=200),
                )
                counts["ratings"] += 1
            Rating.objects.create(
                capability=capability,
                product=product,
                competitor=rival,
                score=score,
                note="Hands-on trial" if competitor else "Product review",
                rated_on=today - timedelta(days=rng.randrange(5, 60)),
            )
            counts["ratings"] += 1

    customers = list(Customer.objects.order_by("id").values_list("name", flat=True)[:40])
    if not Deal.objects.exists():
        result = deals_import(
            actor=None,
            stream=io.StringIO(_deals_csv(rng, today, customers)),
            filename="crm-export-demo.csv",
            preset="northstar",
        )
        counts["deals"] = result.deals

    ideas = list(Initiative.objects.order_by("id")[:40])
    by_word = {
        "missing split payments": next(
            (i for i in ideas if "split" in i.title.lower()), ideas[0] if ideas else None
        ),
        "no single sign-on": next(
            (i for i in ideas if "sso" in i.title.lower() or "sign-on" in i.title.lower()),
            ideas[1] if len(ideas) > 1 else None,
        ),
    }
    for reason, initiative in by_word.items():
        if initiative is not None:
            ReasonLink.objects.get_or_create(reason=reason, initiative=initiative)
    if ideas:
        segments["Online marketplaces"].initiatives.add(
            *(i for i in [by_word["missing split payments"]] if i)
        )
        segments["Enterprise platforms"].initiatives.add(*(i for i in [by_word["no single sign-on"]] if i))
    objectives = list(Objective.objects.filter(line__isnull=True).order_by("id")[:3])
    if objectives:
        segments["Online marketplaces"].objectives.add(objectives[0])
        segments["Enterprise platforms"].objectives.add(objectives[-1])

    for days, (title, kind, tags, segment_name) in enumerate(NOTES):
        note = ResearchNote.objects.create(
            title=title,
            kind=kind,
            noted_on=today - timedelta(days=20 + 35 * days),
            tags=tags,
            body=f"{title}.\n\nWhat we saw, why it matters for **{segment_name}**, and what we test next.",
        )
        note.segments.add(segments[segment_name])
        if objectives:
            note.objectives.add(objectives[days % len(objectives)])
        if ideas:
            note.initiatives.add(ideas[days % len(ideas)])
        counts["notes"] += 1
    return counts
