"""What the strategy demo says: LumenPay's vision, its KPIs and their shapes, its OKRs, check-in words.

Kept apart from `demo.py` (which turns this content into records) so each reads on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

VISION_V1 = """Every growing merchant in Europe runs their money on LumenPay.

## Who we serve
Merchants with 5 to 500 staff who sell online and in person and have outgrown simple payment links.

## Where we are going
- **One checkout, everywhere**: the fastest checkout in Europe, on the web, in apps and at the counter.
- **Money that manages itself**: subscriptions, invoices and tax handled without a spreadsheet.
- **A platform others build on**: APIs good enough that partners build their products on ours.

## How we will know
Weekly active merchants is our north-star metric: a merchant who takes a payment in a week got value
from us that week.
"""

VISION_V2 = """Every growing merchant in Europe runs their money on LumenPay.

## Who we serve
Merchants with 5 to 500 staff who sell online and in person and have outgrown simple payment links,
and the platforms that serve them.

## Where we are going
- **One checkout, everywhere**: the fastest checkout in Europe, on the web, in apps and at the counter.
- **Money that manages itself**: subscriptions, invoices and tax handled without a spreadsheet.
- **Customers who come back**: messaging and loyalty that bring a merchant's customers back.
- **A platform others build on**: APIs good enough that partners build their products on ours.

## How we will know
Weekly active merchants is our north-star metric: a merchant who takes a payment in a week got value
from us that week. We grow it through activation, retention and payment volume, in that order.

## What we will not do
We will not build a point-of-sale hardware line, and we will not chase enterprise deals that need a
custom build.
"""


#: Units that count things: their values are whole numbers (nobody signs up 0.3 times).
COUNT_UNITS = frozenset({"merchants", "signups", "invoices", "tickets"})


@dataclass(frozen=True)
class KpiSpec:
    key: str
    name: str
    unit: str
    direction: str
    aggregation: str
    level: float  # value at the start of the two years
    growth: float  # relative growth over the two years
    season: float  # relative amplitude of the yearly wave
    noise: float  # relative noise
    line: str | None = None
    drives: str | None = None
    target: float | None = None  # relative to the latest level
    shock: tuple[str, int, float] | None = None  # (spike|shift, week index, relative size)
    description: str = ""


KPIS = [
    KpiSpec(
        "weekly_active_merchants",
        "Weekly active merchants",
        "merchants",
        "up",
        "last",
        18000,
        0.38,
        0.05,
        0.008,
        target=1.08,
        description="Merchants who took at least one payment in the week.",
    ),
    KpiSpec(
        "merchant_activations",
        "New merchant activations",
        "merchants",
        "up",
        "sum",
        420,
        0.30,
        0.12,
        0.03,
        "Engagement",
        "weekly_active_merchants",
        1.10,
    ),
    KpiSpec(
        "signups",
        "Merchant signups",
        "signups",
        "up",
        "sum",
        1300,
        0.25,
        0.15,
        0.03,
        "Engagement",
        "merchant_activations",
        1.10,
        ("spike", 40, 0.55),
        "Spring campaign week shows as a spike.",
    ),
    KpiSpec(
        "onboarding_completion",
        "Onboarding completion",
        "%",
        "up",
        "average",
        41,
        0.12,
        0.02,
        0.012,
        "Platform",
        "merchant_activations",
        1.12,
    ),
    KpiSpec(
        "retention_12w",
        "12-week merchant retention",
        "%",
        "up",
        "average",
        82,
        0.03,
        0.01,
        0.004,
        "Engagement",
        "weekly_active_merchants",
        1.03,
    ),
    KpiSpec(
        "messages_per_merchant",
        "Messages sent per merchant",
        "messages",
        "up",
        "average",
        140,
        0.35,
        0.10,
        0.025,
        "Engagement",
        "retention_12w",
        1.15,
    ),
    KpiSpec(
        "loyalty_adoption",
        "Loyalty programme adoption",
        "%",
        "up",
        "average",
        6,
        0.9,
        0.03,
        0.02,
        "Engagement",
        "retention_12w",
        1.2,
    ),
    KpiSpec(
        "payment_volume",
        "Payment volume",
        "EUR m",
        "up",
        "sum",
        210,
        0.45,
        0.14,
        0.015,
        "Commerce",
        "weekly_active_merchants",
        1.10,
        ("spike", 70, -0.35),
        "The card-network outage week.",
    ),
    KpiSpec(
        "checkout_conversion",
        "Checkout conversion",
        "%",
        "up",
        "average",
        61,
        0.02,
        0.015,
        0.006,
        "Commerce",
        "payment_volume",
        1.05,
        ("shift", 60, 0.05),
        "One-click checkout lifted it for good.",
    ),
    KpiSpec(
        "subscription_mrr",
        "Subscription MRR",
        "EUR k",
        "up",
        "last",
        820,
        0.55,
        0.02,
        0.006,
        "Commerce",
        "payment_volume",
        1.12,
    ),
    KpiSpec(
        "invoices_sent",
        "Invoices sent",
        "invoices",
        "up",
        "sum",
        38000,
        0.40,
        0.12,
        0.02,
        "Commerce",
        "payment_volume",
        1.1,
    ),
    KpiSpec(
        "api_latency_p95",
        "API latency (p95)",
        "ms",
        "down",
        "average",
        240,
        -0.10,
        0.03,
        0.02,
        "Platform",
        target=0.85,
        shock=("shift", 86, 0.30),
        description="A database migration slowed every call.",
    ),
    KpiSpec(
        "api_error_rate",
        "API error rate",
        "%",
        "down",
        "average",
        0.42,
        -0.3,
        0.05,
        0.03,
        "Platform",
        target=0.8,
    ),
    KpiSpec(
        "uptime", "Uptime", "%", "up", "average", 99.93, 0.0003, 0.0001, 0.0001, "Platform", target=1.0002
    ),
    KpiSpec(
        "support_tickets",
        "Support tickets",
        "tickets",
        "down",
        "sum",
        2100,
        0.10,
        0.10,
        0.025,
        target=0.85,
        shock=("spike", 92, 0.7),
        description="The invoice e-mail bug week.",
    ),
    KpiSpec("nps", "Merchant NPS", "points", "up", "average", 34, 0.25, 0.03, 0.02, target=1.15),
    KpiSpec(
        "crash_free_sessions",
        "Crash-free app sessions",
        "%",
        "up",
        "average",
        99.1,
        0.004,
        0.0005,
        0.0006,
        "Engagement",
        target=1.002,
    ),
    KpiSpec("sso_adoption", "SSO adoption", "%", "up", "average", 9, 1.2, 0.02, 0.02, "Platform", target=1.3),
    KpiSpec(
        "dunning_recovery",
        "Dunning recovery rate",
        "%",
        "up",
        "average",
        48,
        0.15,
        0.03,
        0.015,
        "Commerce",
        target=1.08,
    ),
    KpiSpec(
        "fraud_rate", "Fraud rate", "bps", "down", "average", 7.5, -0.2, 0.06, 0.03, "Commerce", target=0.85
    ),
    KpiSpec(
        "time_to_first_payment",
        "Time to first payment",
        "days",
        "down",
        "average",
        6.2,
        -0.25,
        0.04,
        0.025,
        "Platform",
        target=0.8,
    ),
    KpiSpec(
        "net_revenue_retention",
        "Net revenue retention",
        "%",
        "up",
        "average",
        103,
        0.03,
        0.005,
        0.003,
        target=1.03,
    ),
    KpiSpec(
        "churned_merchants",
        "Churned merchants",
        "merchants",
        "down",
        "sum",
        260,
        0.05,
        0.10,
        0.03,
        target=0.85,
        shock=("spike", 101, 0.6),
        description="Price-change week.",
    ),
    KpiSpec(
        "api_calls",
        "Developer API calls",
        "m calls",
        "up",
        "sum",
        310,
        0.7,
        0.08,
        0.02,
        "Platform",
        target=1.15,
    ),
    KpiSpec(
        "push_opt_in",
        "Push notification opt-in",
        "%",
        "up",
        "average",
        52,
        0.08,
        0.02,
        0.01,
        "Engagement",
        target=1.06,
    ),
]


#: A key result: (title, unit, direction, start, target); a milestone has no numbers.
KrRow = tuple[str, str, str, float | None, float | None]

COMPANY_OKRS = [
    (
        "Make LumenPay the default checkout for growing merchants",
        [
            ("Grow weekly active merchants", "merchants", "up", "weekly_active_merchants", 0.08),
            ("Net revenue retention from 103% to 106%", "%", "up", 103.0, 106.0),
        ],
    ),
    (
        "Earn the trust of merchants who run their business on us",
        [
            ("Merchant NPS from 38 to 45", "points", "up", 38.0, 45.0),
            ("SOC 2 Type II report published", "", "up", None, None),
        ],
    ),
]
#: Per line: (objective, index of the company objective it serves, key results).
LINE_OKRS: dict[str, list[tuple[str, int, list[KrRow]]]] = {
    "Commerce": [
        (
            "The fastest checkout in Europe",
            0,
            [("Checkout conversion from 62% to 66%", "%", "up", 62.0, 66.0),
             ("Wallet payments live in 6 markets", "markets", "up", 2.0, 6.0)],
        ),
        (
            "Subscriptions and invoices that run themselves",
            0,
            [("Dunning recovery from 50% to 58%", "%", "up", 50.0, 58.0),
             ("E-invoicing for the EU shipped", "", "up", None, None)],
        ),
    ],
    "Engagement": [
        (
            "Bring merchants' customers back",
            0,
            [("12-week retention from 83% to 86%", "%", "up", 83.0, 86.0),
             ("Loyalty adoption from 9% to 14%", "%", "up", 9.0, 14.0)],
        ),
        (
            "A mobile app merchants open every day",
            1,
            [("Crash-free sessions from 99.3% to 99.7%", "%", "up", 99.3, 99.7),
             ("Push opt-in from 55% to 62%", "%", "up", 55.0, 62.0)],
        ),
    ],
    "Platform": [
        (
            "APIs partners build their products on",
            0,
            [("API p95 latency from 260 ms to 200 ms", "ms", "down", 260.0, 200.0),
             ("API error rate from 0.35% to 0.2%", "%", "down", 0.35, 0.2)],
        ),
        (
            "Sign-in that enterprise IT signs off",
            1,
            [("SSO adoption from 15% to 25%", "%", "up", 15.0, 25.0),
             ("Passkeys available to all merchants", "", "up", None, None)],
        ),
    ],
}  # fmt: skip
TEAM_OKRS = {
    "Checkout Crew": (
        "Ship one-click checkout to every market",
        [("Markets with one-click", "markets", "up", 3.0, 9.0)],
    ),
    "Lifecycle Messaging": (
        "Campaigns that merchants set up in minutes",
        [("Median campaign setup time", "min", "down", 25.0, 10.0)],
    ),
    "API Platform": (
        "Halve the time to a first API call",
        [("Median time to first call", "min", "down", 40.0, 20.0)],
    ),
}  # fmt: skip


COMMENTS = [
    "On track; the launch in two more markets lands next sprint.",
    "Slower than hoped: the partner integration slipped two weeks.",
    "Experiment results in: the new flow wins by a clear margin.",
    "Holding steady. Watching the seasonal dip closely.",
    "Ahead of plan after the pricing page change.",
    "Blocked on legal review; escalated.",
]
