"""Demo data of the feedback area, loaded after the org and the portfolio (see northstar.demo).

LumenPay's customers (about 60 accounts with contacts) and ~5,000 feedback items in their own
voices, from support tickets, chats, sales calls, emails, Canny and app-store reviews. Each item is
written from one of two dozen underlying needs, so there are clear themes to find; some needs grow
over the year. Plus portal boards with votes and comments, evidence links to ideas, and a changelog.

Idempotent: items carry stable source ids (a second load adds nothing), everything else is looked up
by name first. Themes are clustered at load time with the fast TF-IDF fallback (a few seconds); a
re-clustering from the Themes page upgrades them to sentence embeddings and keeps them by overlap.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

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
    Segment,
    ThemeRun,
    Vote,
)
from northstar.feedback.services import build_item
from northstar.portfolio.models import Initiative, Stage

ITEMS = {"standard": 5_000, "large": 20_000}

_FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dmitri",
    "Eva",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jakub",
    "Kemi",
    "Lars",
    "Mina",
    "Noah",
    "Olga",
    "Pablo",
    "Rhea",
    "Sven",
    "Tomas",
    "Una",
    "Vito",
    "Wanda",
    "Yuki",
    "Zora",
]
_LAST = [
    "Alvarez",
    "Berg",
    "Chowdhury",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gallo",
    "Hayes",
    "Ivanova",
    "Jensen",
    "Kim",
    "Larsen",
    "Mendes",
    "Nowak",
    "Ortiz",
    "Price",
    "Quinn",
    "Reyes",
    "Sato",
    "Thorne",
    "Ueda",
    "Vance",
    "Wright",
    "Young",
]
_NAME_A = [
    "Bright",
    "Blue",
    "North",
    "Silver",
    "Green",
    "Urban",
    "Harbor",
    "Summit",
    "Copper",
    "Golden",
    "Maple",
    "Cedar",
    "Coral",
    "Swift",
    "Lumen",
    "Pine",
    "Iron",
    "River",
    "Stone",
    "Sun",
]
_NAME_B = [
    "wave",
    "leaf",
    "point",
    "line",
    "field",
    "gate",
    "works",
    "nest",
    "peak",
    "mill",
    "craft",
    "port",
    "bay",
    "ridge",
    "loop",
    "yard",
    "hive",
    "foundry",
    "dock",
    "lane",
]
_KIND = [
    "Retail",
    "Foods",
    "Studio",
    "Travel",
    "Health",
    "Fitness",
    "Books",
    "Apparel",
    "Logistics",
    "Games",
    "Media",
    "Labs",
    "Home",
    "Pets",
    "Coffee",
    "Outdoor",
    "Beauty",
    "Motors",
    "Music",
    "Garden",
]
_REGIONS = ["EMEA", "North America", "APAC", "LATAM"]
_PLANS = {Segment.SMB: "Starter", Segment.MID_MARKET: "Growth", Segment.ENTERPRISE: "Enterprise"}
_REVENUE = {
    Segment.SMB: (4_000, 30_000),
    Segment.MID_MARKET: (30_000, 160_000),
    Segment.ENTERPRISE: (160_000, 1_200_000),
}

#: (key, weight, trend, sources, sentences). trend > 0 grows over the year, < 0 fades.
NEEDS: list[tuple[str, float, float, tuple[str, ...], list[str]]] = [
    (
        "wallets",
        9,
        0.8,
        ("zendesk", "sales", "canny"),
        [
            "Our shoppers keep asking for Apple Pay at checkout.",
            "We lose mobile buyers because Google Pay is not offered on the payment page.",
            "Please add Apple Pay and Google Pay to the hosted checkout.",
            "Competitors let customers pay with a wallet in one tap; we need Apple Pay too.",
            "Wallet payments like Apple Pay would lift our mobile conversion a lot.",
        ],
    ),
    (
        "slow_checkout",
        7,
        0.2,
        ("zendesk", "intercom", "app_store"),
        [
            "The checkout page takes ages to load on mobile.",
            "Checkout is slow, customers abandon the cart while the payment form loads.",
            "Payment page loading time is terrible on 4G.",
            "The card form spins for several seconds before it shows up.",
        ],
    ),
    (
        "declines",
        6,
        0.0,
        ("zendesk", "intercom", "email"),
        [
            "Cards get declined and we cannot see the reason anywhere.",
            "Please show why a payment was declined so support can help the buyer.",
            "Decline codes are missing from the dashboard, we are guessing why cards fail.",
            "A customer's card was refused three times with no explanation.",
        ],
    ),
    (
        "proration",
        5,
        0.0,
        ("zendesk", "sales", "email"),
        [
            "When a subscriber upgrades mid-month the proration is wrong.",
            "Changing plans in the middle of a billing cycle charges the full price again.",
            "We need proper proration when customers switch subscription plans.",
            "Plan downgrades should credit the unused days automatically.",
        ],
    ),
    (
        "pause",
        5,
        0.5,
        ("canny", "intercom", "zendesk"),
        [
            "Let subscribers pause their subscription instead of cancelling.",
            "A pause button for subscriptions would save us a lot of churn.",
            "Customers want to skip a month of their subscription box.",
            "Please allow pausing memberships for the summer.",
        ],
    ),
    (
        "dunning",
        4,
        0.1,
        ("zendesk", "sales"),
        [
            "Failed subscription payments are not retried automatically.",
            "We need smarter dunning: retry failed card payments and email the customer.",
            "Too many subscriptions lapse because an expired card is never retried.",
            "Please add retry schedules for failed recurring payments.",
        ],
    ),
    (
        "vat",
        6,
        0.3,
        ("zendesk", "email", "sales"),
        [
            "Invoices need the customer's VAT number printed on them.",
            "Our EU customers require reverse-charge VAT on invoices.",
            "Tax ids are missing from invoices, our accountants reject them.",
            "Please support VAT rates per country on invoices.",
        ],
    ),
    (
        "invoice_brand",
        3,
        0.0,
        ("canny", "intercom"),
        [
            "We would like to put our logo and colours on invoices.",
            "Custom invoice templates with our branding, please.",
            "Invoices look generic; let us design the layout.",
        ],
    ),
    (
        "accounting",
        6,
        0.4,
        ("sales", "canny", "email"),
        [
            "Sync invoices and payouts to Xero automatically.",
            "We need a QuickBooks integration for reconciliation.",
            "Exporting transactions to our accounting software by hand takes days every month.",
            "An export of all invoices to CSV for the accountants would help.",
        ],
    ),
    (
        "sms",
        3,
        0.6,
        ("canny", "sales"),
        [
            "Send payment reminders by SMS, not only email.",
            "Our customers never read email; text message reminders please.",
            "SMS notifications when an invoice is due would cut late payments.",
        ],
    ),
    (
        "spam",
        4,
        -0.2,
        ("zendesk", "email"),
        [
            "Receipts sent by LumenPay land in our customers' spam folder.",
            "Payment confirmation emails go to junk for Outlook users.",
            "Emails to customers are not delivered; can we use our own domain with DKIM?",
        ],
    ),
    (
        "android_crash",
        7,
        -0.5,
        ("app_store", "zendesk"),
        [
            "The Android app crashes every time I open the payouts screen.",
            "App keeps crashing on my Samsung after the last update.",
            "Crashes on launch on Android 14, unusable.",
            "The app closes by itself when I try to scan a card.",
        ],
    ),
    (
        "dark_mode",
        4,
        0.3,
        ("app_store", "canny"),
        [
            "Please add a dark mode to the app.",
            "The app is blinding at night, dark theme please.",
            "Dark mode would make the merchant app much easier on the eyes.",
        ],
    ),
    (
        "face_id",
        3,
        0.2,
        ("app_store",),
        [
            "Let me log in with Face ID instead of typing my password.",
            "Biometric login on iPhone would be great.",
            "Fingerprint unlock for the app, please.",
        ],
    ),
    (
        "loyalty_expiry",
        3,
        0.0,
        ("intercom", "canny"),
        [
            "We need to set an expiry date for loyalty points.",
            "Loyalty points never expire and that is costing us money.",
            "Allow points to expire after twelve months of inactivity.",
        ],
    ),
    (
        "webhooks",
        6,
        0.1,
        ("zendesk", "email", "sales"),
        [
            "Webhooks are sometimes never delivered and there is no retry.",
            "We missed payment_succeeded webhooks last week and orders were not fulfilled.",
            "Please add a webhook log and a way to replay failed events.",
            "Webhook deliveries time out and are silently dropped.",
        ],
    ),
    (
        "rate_limits",
        4,
        0.4,
        ("zendesk", "sales"),
        [
            "The API rate limit is too low for our month-end batch.",
            "We hit 429 errors from the API during peak sales.",
            "Please raise API rate limits for enterprise accounts.",
        ],
    ),
    (
        "sdk",
        3,
        0.0,
        ("canny", "email"),
        [
            "An official Python SDK would save us writing our own client.",
            "The Node library is out of date with the API reference.",
            "Please publish SDKs for Go and Python with examples.",
        ],
    ),
    (
        "sso",
        6,
        0.7,
        ("sales", "zendesk"),
        [
            "We need single sign-on with Okta for our finance team.",
            "SAML SSO is a requirement from our security team before we can roll out.",
            "Please support login through Azure AD.",
            "Without SSO our IT department will not approve LumenPay.",
        ],
    ),
    (
        "roles",
        5,
        0.3,
        ("sales", "intercom", "canny"),
        [
            "Give us roles so support agents can refund but not see payouts.",
            "We need read-only access for our accountants.",
            "Team permissions are all-or-nothing; we need finer roles.",
            "Let us restrict who can issue refunds.",
        ],
    ),
    (
        "payouts",
        6,
        0.2,
        ("zendesk", "intercom", "sales"),
        [
            "Payouts take five days to reach our bank, that is too slow.",
            "We want daily payouts instead of weekly.",
            "Instant payouts would help our cash flow a lot.",
            "Why are payouts held over the weekend?",
        ],
    ),
    (
        "currency",
        4,
        0.5,
        ("sales", "canny"),
        [
            "Let us price in euros, pounds and dollars at the same time.",
            "Multi-currency pricing is a must for our US expansion.",
            "Customers abroad are charged in the wrong currency.",
        ],
    ),
    (
        "refunds",
        4,
        0.0,
        ("zendesk", "intercom"),
        [
            "We cannot issue a partial refund from the dashboard.",
            "Partial refunds should be possible for one item of an order.",
            "Refunding part of a payment requires contacting support, please add it.",
        ],
    ),
    (
        "reports",
        5,
        0.2,
        ("intercom", "canny", "sales"),
        [
            "The revenue report needs filters by product and country.",
            "We want to schedule the monthly sales report by email.",
            "Reporting in the dashboard is too basic, we export everything to Excel.",
            "Please add a chart of refunds and disputes over time.",
        ],
    ),
]

_OPEN = [
    "",
    "",
    "",
    "Hi team,",
    "Hello!",
    "Quick one:",
    "Feedback from our side:",
    "Honestly,",
    "Love the product, but",
]
_CLOSE = [
    "",
    "",
    "",
    "Thanks!",
    "This is blocking our rollout.",
    "We would pay more for this.",
    "Several of our stores mention it every week.",
    "Any news on this?",
    "Please prioritise.",
]
_APP_STARS = ["1 star.", "2 stars.", "3 stars.", "4 stars.", "5 stars, but"]


def _customers(rng: random.Random) -> list[Customer]:
    wanted = []
    seen = set()
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


#: The portfolio idea each need is evidence for (matched by a phrase of the demo portfolio's titles).
NEED_IDEAS = {
    "wallets": "wallet payments",
    "slow_checkout": "one-click checkout",
    "declines": "fraud screening",
    "proration": "plan upgrades mid-cycle",
    "pause": "pause a subscription",
    "dunning": "dunning emails",
    "vat": "tax calculation",
    "invoice_brand": "invoice templates",
    "accounting": "accounting export",
    "sms": "sms fallback",
    "spam": "transactional email analytics",
    "dark_mode": "dark mode",
    "face_id": "biometric sign-in",
    "loyalty_expiry": "points programme",
    "webhooks": "webhooks v2",
    "rate_limits": "api rate-limit dashboard",
    "sdk": "sdk for python",
    "sso": "single sign-on with saml",
    "roles": "role-based access",
    "currency": "multi-currency invoices",
    "refunds": "credit notes",
    "reports": "merchant dashboard widgets",
}


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
    rows = []
    for n in range(count):
        key, _w, trend, sources, sentences = rng.choices(NEEDS, weights=weights)[0]
        source = rng.choice(sources)
        # trend: growing needs are more likely to be recent (age skewed towards 0 days)
        age = rng.random() ** (1 + max(trend, 0)) if trend >= 0 else 1 - rng.random() ** (1 - trend)
        received = now - timedelta(days=365 * age, minutes=rng.randrange(0, 1440))
        customer = None if source == "app_store" else rng.choice(customers)
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
        rows[-1]._need = key
    before = FeedbackItem.objects.count()
    FeedbackItem.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    _links(rng, rows)
    return FeedbackItem.objects.count() - before


def _links(rng: random.Random, rows: list[FeedbackItem]) -> None:
    """About one item in twelve is evidence for an idea of the portfolio: each need points at one idea."""
    need_idea = _need_initiatives()
    ids = dict(
        FeedbackItem.objects.filter(external_id__in=[r.external_id for r in rows]).values_list(
            "external_id", "id"
        )
    )
    links = []
    for row in rows:
        if rng.random() < 0.08 and row.external_id in ids and row._need in need_idea:
            quote = row.text.split(". ")[0] if rng.random() < 0.3 else ""
            links.append(
                EvidenceLink(item_id=ids[row.external_id], initiative_id=need_idea[row._need], quote=quote)
            )
    EvidenceLink.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)


_BOARDS = [
    ("feature-requests", "Feature requests", "Ideas for checkout, subscriptions, invoicing and payouts."),
    ("mobile-app", "Mobile app", "The LumenPay merchant app for iOS and Android."),
    ("developers", "Developers", "The API, webhooks and SDKs."),
]
_POSTS = [
    ("feature-requests", "Apple Pay and Google Pay at checkout", "wallets"),
    ("feature-requests", "Pause a subscription instead of cancelling", "pause"),
    ("feature-requests", "VAT numbers and reverse charge on invoices", "vat"),
    ("feature-requests", "Xero and QuickBooks sync", "accounting"),
    ("feature-requests", "Daily or instant payouts", "payouts"),
    ("feature-requests", "Partial refunds from the dashboard", "refunds"),
    ("feature-requests", "Prices in several currencies", "currency"),
    ("feature-requests", "SMS payment reminders", "sms"),
    ("feature-requests", "Roles: refund without seeing payouts", "roles"),
    ("feature-requests", "Single sign-on (SAML, Okta, Azure AD)", "sso"),
    ("feature-requests", "Scheduled revenue reports by email", "reports"),
    ("feature-requests", "Branded invoice templates", "invoice_brand"),
    ("mobile-app", "Dark mode", "dark_mode"),
    ("mobile-app", "Face ID / fingerprint login", "face_id"),
    ("mobile-app", "Android app crashes on the payouts screen", "android_crash"),
    ("developers", "Webhook log and replay", "webhooks"),
    ("developers", "Higher API rate limits", "rate_limits"),
    ("developers", "Official Python and Go SDKs", "sdk"),
]
_COMMENTS = [
    "Same for us, this would save hours every week.",
    "+1, our customers ask for this constantly.",
    "Any timeline on this?",
    "We switched a store to another provider because of this.",
    "This is the one thing stopping our rollout to all regions.",
]


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
            [Vote(post=post, voter=f"email:{e}", email=e) for e in voters], ignore_conflicts=True
        )
        post.vote_count = post.votes.count()
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
    return added


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

        run = themes_recluster(actor=None, prefer="tfidf-svd")
        added["themes"] = run.themes
    return added
