"""The demo company's analytics: LumenPay's own checkout web app, with 30 days of events.

Shoppers browse, fill a cart, check out and pay; fewer make it through each step, most are lost at the
payment form. Real friction is planted the way it shows up in production: a coupon button that does
nothing (dead clicks and then rage clicks), a delivery estimate that looks clickable, a wallet button
that throws right after the click, and a slow payment page. The coupon rage clicks are linked to a
checkout initiative as evidence. Idempotent: a loaded site is left as it is.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from northstar.analytics.ingest import Row, events_write
from northstar.analytics.models import EVENT_COLUMNS, EventKind, FrictionEvidence, Funnel, Site
from northstar.feedback.models import Customer
from northstar.org.models import Product
from northstar.portfolio.models import Initiative

SITE = "Checkout web app"
VISITORS = {"standard": 5_000, "large": 90_000}
PRODUCTS = [
    f"/products/{slug}" for slug in ("starter-kit", "card-reader", "pos-stand", "receipt-printer", "tap-pad")
]

_AT, _VISITOR, _SELECTOR = (EVENT_COLUMNS.index(c) for c in ("at", "visitor", "selector"))


class _Story:
    """Builds one visitor's visits as stored event rows (`ingest.Row` tuples, written in one
    `events_write`): 60,000 Event objects and the ORM's per-field preparation took most of the
    area's load time."""

    def __init__(self, site: Site, rng: random.Random, now: datetime, accounts: list[str]) -> None:
        self.site, self.rng, self.now, self.accounts = site, rng, now, accounts
        self.rows: list[Row] = []

    def add(
        self,
        who: tuple[str, str, str],
        at: datetime,
        kind: int,
        path: str,
        *,
        name: str = "",
        selector: str = "",
        x: int | None = None,
        y: int | None = None,
        dead: bool = False,
        value: float | None = None,
        props: dict | None = None,
    ) -> None:
        visitor, user, account = who
        self.rows.append(
            (
                self.site.pk,
                at,
                kind,
                visitor,
                user,
                account,
                path,
                name,
                selector,
                x,
                y,
                dead,
                value,
                props or {},
            )
        )

    def click(
        self,
        who: tuple[str, str, str],
        at: datetime,
        path: str,
        selector: str,
        *,
        x: int | None = None,
        y: int | None = None,
        dead: bool = False,
    ) -> None:
        # both draws happen even for a given position, so the demo's random sequence stays as it was
        at_x, at_y = self.rng.randint(100, 1100), self.rng.randint(80, 900)
        x, y = (at_x if x is None else x), (at_y if y is None else y)
        self.add(who, at, EventKind.CLICK, path, selector=selector, x=x, y=y, dead=dead)

    def visit(self, who: tuple[str, str, str], start: datetime) -> None:
        rng, t = self.rng, start

        def step(seconds: float) -> datetime:
            nonlocal t
            t += timedelta(seconds=seconds * rng.uniform(0.5, 1.5))
            return t

        self.add(who, t, EventKind.PAGEVIEW, "/")
        for _ in range(rng.randint(1, 3)):
            page = rng.choice(PRODUCTS)
            self.add(who, step(20), EventKind.PAGEVIEW, page)
            self.click(who, step(15), page, "button#add-to-cart")
        if rng.random() > 0.55:
            return
        self.add(who, step(10), EventKind.PAGEVIEW, "/cart")
        if rng.random() < 0.12:  # the coupon button does nothing: a dead click, then a burst of rage
            at = step(8)
            self.click(who, at, "/cart", "button#apply-coupon", x=880, y=420, dead=True)
            for k in range(rng.randint(3, 6)):
                self.click(
                    who,
                    at + timedelta(seconds=1.2 + 0.18 * k),
                    "/cart",
                    "button#apply-coupon",
                    x=880 + rng.randint(-6, 6),
                    y=420 + rng.randint(-6, 6),
                    dead=True,
                )
            t = at + timedelta(seconds=3)
            if rng.random() < 0.5:
                return  # gave up
        if rng.random() > 0.7:
            return
        self.add(who, step(15), EventKind.PAGEVIEW, "/checkout")
        if rng.random() < 0.08:
            self.click(who, step(5), "/checkout", "span.delivery-estimate", dead=True)
        self.click(who, step(40), "/checkout", "button#continue")
        if rng.random() > 0.8:
            return
        self.add(who, step(3), EventKind.PAGEVIEW, "/checkout/payment")
        slow = rng.random() < 0.35
        self.add(
            who,
            step(2),
            EventKind.VITAL,
            "/checkout/payment",
            name="LCP",
            value=rng.uniform(3200, 6500) if slow else rng.uniform(900, 2200),
        )
        if rng.random() < 0.06:  # the wallet button throws right after the click
            at = step(10)
            self.click(who, at, "/checkout/payment", "button#pay-wallet")
            self.add(
                who,
                at + timedelta(milliseconds=rng.randint(40, 400)),
                EventKind.ERROR,
                "/checkout/payment",
                name="TypeError: wallet.session is undefined",
                props={"stack": "at startWalletSession (payment.js:214)"},
            )
        if rng.random() > (0.35 if slow else 0.6):
            return
        self.click(who, step(30), "/checkout/payment", "button#pay")
        self.add(
            who,
            step(3),
            EventKind.CUSTOM,
            "/checkout/payment",
            name="order_paid",
            props={"items": rng.randint(1, 4)},
        )
        self.add(who, step(1), EventKind.PAGEVIEW, "/checkout/done")


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add the demo records for this area (idempotent); returns {kind: number added}."""
    product = Product.objects.filter(name="Checkout").first()
    if product is None or Site.objects.filter(product=product, name=SITE).exists():
        return {}
    rng = random.Random(seed * 7919 + 18)
    site = Site.objects.create(
        product=product,
        name=SITE,
        key=f"ns_a_demo{rng.getrandbits(96):024x}",
        allowed_origins="https://checkout.lumenpay.example",
        retention_days=90,
    )
    now = timezone.now().replace(second=0, microsecond=0)
    accounts = list(Customer.objects.order_by("name").values_list("name", flat=True)[:40])
    story = _Story(site, rng, now, accounts)
    for n in range(VISITORS.get(scale, VISITORS["standard"])):
        identified = accounts and rng.random() < 0.4
        account = rng.choice(accounts) if identified else ""
        who = (f"v{n:06d}", f"user{n}@{account.lower().replace(' ', '')[:20]}" if identified else "", account)
        first = now - timedelta(days=rng.uniform(0, 30))
        visits = 1 + int(rng.expovariate(0.8))
        for k in range(visits):
            start = first + timedelta(days=k * rng.uniform(2, 8))
            if start < now - timedelta(hours=1):
                story.visit(who, start)
    events_write(story.rows)
    Funnel.objects.create(
        site=site,
        name="Cart to paid order",
        steps=[
            {"kind": "page", "match": "/cart"},
            {"kind": "page", "match": "/checkout"},
            {"kind": "page", "match": "/checkout/payment"},
            {"kind": "event", "match": "order_paid"},
        ],
        window_hours=2,
    )
    added = {"analytics sites": 1, "analytics events": len(story.rows), "funnels": 1}
    initiative = (
        Initiative.objects.filter(product=product, title__icontains="checkout").order_by("pk").first()
        or Initiative.objects.filter(product=product).order_by("pk").first()
    )
    if initiative is not None:
        FrictionEvidence.objects.create(
            site=site,
            initiative=initiative,
            signal="rage_click",
            path="/cart",
            selector="button#apply-coupon",
            users=len(
                {
                    row[_VISITOR]
                    for row in story.rows
                    if row[_SELECTOR] == "button#apply-coupon" and row[_AT] > now - timedelta(days=7)
                }
            ),
            note="Shoppers hammer the coupon button: it gives no feedback when a code is applied.",
        )
        added["friction evidence"] = 1
    return added
