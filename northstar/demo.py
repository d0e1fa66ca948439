"""The demo company: a believable product division, generated deterministically from a seed.

Loading is idempotent (a second run finds everything in place and changes nothing) and additive
(`large` tops a loaded `standard` demo up to 10,000 initiatives and 400 people). The loader writes
straight to the database as seed data, not as a user, so it leaves no audit entries.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

from django.db import connection, transaction
from django.utils import timezone

from northstar.org.models import Level, Person, Product, ProductLine, Skill, Team
from northstar.portfolio.models import Initiative, Kind, Stage, Tag

#: Each area adds its own demo records on top of the org and the portfolio, in this order.
#: A loader is `load(*, scale, seed) -> {kind: number added}` and must be idempotent.
AREA_DEMOS = (
    "northstar.portfolio.demo",
    "northstar.strategy.demo",
    "northstar.feedback.demo",
    "northstar.planning.demo",
    "northstar.people.demo",
    "northstar.finance.demo",
    "northstar.delivery.demo",
    "northstar.analytics.demo",
    "northstar.market.demo",
    "northstar.reports.demo",
    "northstar.home.demo",
)

DOMAIN = "lumenpay.example"
COMPANY = "LumenPay"


@dataclass(frozen=True)
class Scale:
    people: int
    initiatives: int


SCALES = {"standard": Scale(people=45, initiatives=150), "large": Scale(people=400, initiatives=10_000)}

FIRST = [
    "Ada",
    "Amir",
    "Bea",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Gita",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaia",
    "Leo",
    "Maya",
    "Nils",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zane",
    "Alba",
    "Bruno",
    "Cleo",
    "Dev",
    "Esme",
    "Finn",
    "Gaia",
    "Hana",
    "Ivo",
    "Juno",
    "Kofi",
    "Lina",
    "Milo",
    "Noor",
    "Otto",
    "Pia",
    "Rafa",
    "Sol",
    "Theo",
    "Vera",
    "Wade",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Castillo",
    "Novak",
    "Haddad",
    "Brennan",
    "Kowalski",
    "Mensah",
    "Rossi",
    "Varga",
    "Schmidt",
    "Adeyemi",
    "Duarte",
    "Sato",
    "Kaur",
    "Fischer",
    "Nakamura",
    "Ortega",
    "Petrov",
    "Quist",
    "Romero",
    "Silva",
    "Tran",
    "Ueda",
    "Weber",
    "Yilmaz",
    "Zhou",
    "Abbott",
]

# (line, description, products with the kind of work each one gets)
LINES = {
    "Commerce": (
        "Everything between a cart and money in the bank.",
        ["Checkout", "Subscriptions", "Invoicing"],
    ),
    "Engagement": ("Bringing merchants' customers back.", ["Messaging", "Mobile App", "Loyalty"]),
    "Platform": ("The APIs, identity and data everything else stands on.", ["Developer API", "Identity"]),
}

TEAMS = [
    ("Checkout Crew", "Commerce", ("backend", "frontend", "design"), 14500),
    ("Billing Engine", "Commerce", ("backend", "data"), 15200),
    ("Invoices & Tax", "Commerce", ("backend", "frontend"), 13800),
    ("Lifecycle Messaging", "Engagement", ("backend", "frontend", "data"), 13900),
    ("Mobile", "Engagement", ("mobile", "design"), 15800),
    ("Loyalty Squad", "Engagement", ("frontend", "backend", "design"), 13200),
    ("API Platform", "Platform", ("backend",), 16100),
    ("Identity & Access", "Platform", ("backend", "frontend"), 15600),
    ("Data Platform", "Platform", ("data", "backend"), 16800),
    ("Design Systems", "Platform", ("frontend", "design"), 12900),
]

SUBJECTS = {
    "Checkout": ["one-click checkout", "wallet payments", "address autocomplete", "guest checkout",
                 "checkout localisation", "split payments", "fraud screening at checkout", "saved carts"],
    "Subscriptions": ["usage-based billing", "plan upgrades mid-cycle", "dunning emails", "annual plans",
                      "trial-to-paid conversion", "proration previews", "pause a subscription"],
    "Invoicing": ["e-invoicing for the EU", "tax calculation", "invoice templates", "credit notes",
                  "multi-currency invoices", "payment reminders", "accounting export"],
    "Messaging": ["campaign builder", "SMS fallback", "send-time optimisation", "message templates",
                  "unsubscribe centre", "A/B tests for emails", "transactional email analytics"],
    "Mobile App": ["offline mode", "push notification settings", "biometric sign-in", "dark mode",
                   "in-app receipts", "merchant dashboard widgets", "tap to pay"],
    "Loyalty": ["points programme", "referral rewards", "tiered memberships", "gift cards",
                "birthday offers", "loyalty wallet passes"],
    "Developer API": ["webhooks v2", "idempotency keys", "API rate-limit dashboard", "SDK for Python",
                      "sandbox test clocks", "OpenAPI reference", "event replay"],
    "Identity": ["single sign-on with SAML", "SCIM provisioning", "passkeys", "role-based access",
                 "audit trail export", "session management", "two-factor recovery"],
}  # fmt: skip
VERBS = ["Launch", "Rebuild", "Introduce", "Improve", "Simplify", "Scale", "Expand", "Redesign", "Automate"]
#: Where a subject is taken next once it exists (the rollouts a real portfolio is full of), instead of
#: "(phase 3)": markets, segments and platforms, then both together.
MARKETS = [
    "in Germany",
    "in France",
    "in the Nordics",
    "in Spain",
    "in Italy",
    "in the Netherlands",
    "in the UK",
    "in the US",
    "in Canada",
    "in Japan",
    "in Australia",
    "in Brazil",
    "in Mexico",
    "in Poland",
    "in Ireland",
]
SEGMENTS = [
    "for marketplaces",
    "for enterprise accounts",
    "for franchise chains",
    "for B2B sellers",
    "for high-volume merchants",
    "for non-profits",
    "for partners",
    "on Android",
    "on iOS",
]
QUALIFIERS = [*SEGMENTS, *MARKETS] + [f"{s} {m}" for s in SEGMENTS for m in MARKETS]
#: How ideas are put when someone first writes them down.
IDEA_OPENERS = ["Let merchants use", "Offer", "Try", "Explore", "Pilot", "Test"]
TAGS = ["enterprise", "smb", "tech-debt", "compliance", "growth", "retention", "revenue", "platform"]

# Stage mix of a healthy portfolio: lots of ideas, a funnel narrowing towards measured outcomes.
STAGE_WEIGHTS = [
    (Stage.IDEA, 30), (Stage.DISCOVERY, 18), (Stage.PLANNED, 14), (Stage.IN_DELIVERY, 12),
    (Stage.LAUNCHED, 9), (Stage.MEASURED, 7), (Stage.PARKED, 6), (Stage.KILLED, 4),
]  # fmt: skip


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@" + DOMAIN


def _core_people() -> list[tuple[str, str, Level, str | None]]:
    """(name, title, level, manager name) for the division's named leadership, top-down."""
    return [
        ("Ada Okafor", "Chief Product Officer", Level.CPO, None),
        ("Jonas Lindqvist", "VP of Product, Commerce & Engagement", Level.VP, "Ada Okafor"),
        ("Priya Kaur", "VP of Product, Platform", Level.VP, "Ada Okafor"),
        ("Elif Moreau", "Director of Product, Commerce", Level.DIRECTOR, "Jonas Lindqvist"),
        ("Kofi Mensah", "Director of Product, Engagement", Level.DIRECTOR, "Jonas Lindqvist"),
        ("Hana Tanaka", "Director of Product, Platform", Level.DIRECTOR, "Priya Kaur"),
        ("Rosa Castillo", "Head of UX", Level.UX_LEAD, "Ada Okafor"),
        ("Omar Haddad", "Head of Product Analytics", Level.ANALYTICS_LEAD, "Ada Okafor"),
        ("Cleo Brennan", "Head of Product Marketing", Level.MARKETING_LEAD, "Ada Okafor"),
    ]


DIRECTOR_OF = {"Commerce": "Elif Moreau", "Engagement": "Kofi Mensah", "Platform": "Hana Tanaka"}

# The ladder under each director, repeated per line until the org reaches its size.
LADDER = [
    (Level.GROUP_PM, "Group Product Manager"),
    (Level.PRINCIPAL_PM, "Principal Product Manager"),
    (Level.SENIOR_PM, "Senior Product Manager"),
    (Level.SENIOR_PM, "Senior Product Manager"),
    (Level.PM, "Product Manager"),
    (Level.PM, "Product Manager"),
    (Level.PM, "Product Manager"),
    (Level.PM, "Product Manager"),
    (Level.APM, "Associate Product Manager"),
    (Level.APM, "Associate Product Manager"),
]
SPECIALISTS = [
    (Level.DESIGNER, "Product Designer", "Rosa Castillo"),
    (Level.ANALYST, "Product Analyst", "Omar Haddad"),
    (Level.DESIGNER, "Senior Product Designer", "Rosa Castillo"),
    (Level.ANALYST, "Product Marketing Manager", "Cleo Brennan"),
]


def _unique_names(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    names: list[str] = []
    pairs = [(f, la) for la in LAST for f in FIRST]
    rng.shuffle(pairs)
    for first, last in pairs:
        name = f"{first} {last}"
        if name not in taken:
            names.append(name)
            taken.add(name)
        if len(names) == count:
            return names
    # Past the name grid's size, number the names so emails stay unique.
    n = 2
    while len(names) < count:
        names.append(f"{pairs[len(names) % len(pairs)][0]} {pairs[len(names) % len(pairs)][1]} {n}")
        n += 1
    return names


PersonRow = tuple[str, str, Level, str | None, str | None]  # name, title, level, manager, line

# Who a new person reports to, by level: the most recent person of the first level found in their line.
REPORTS_TO = {
    Level.GROUP_PM: (),
    Level.PRINCIPAL_PM: (),
    Level.SENIOR_PM: (Level.GROUP_PM,),
    Level.PM: (Level.SENIOR_PM, Level.GROUP_PM),
    Level.APM: (Level.PM, Level.SENIOR_PM),
}


def _people_plan(scale: Scale, seed: int) -> list[PersonRow]:
    """Every demo person in creation order (managers before reports), the same for the same seed."""
    rng = random.Random(seed)
    line_of_director = {director: line for line, director in DIRECTOR_OF.items()}
    people: list[PersonRow] = [(*row, line_of_director.get(row[0])) for row in _core_people()]
    taken = {p[0] for p in people}
    extra = _unique_names(max(0, scale.people - len(people)), rng, taken)
    line_names = list(LINES)
    latest: dict[tuple[str, Level], str] = {}
    for i, name in enumerate(extra):
        if i % 5 == 4:
            level, title, manager = SPECIALISTS[(i // 5) % len(SPECIALISTS)]
            people.append((name, title, level, manager, None))
            continue
        line = line_names[i % len(line_names)]
        level, title = LADDER[(i // len(line_names)) % len(LADDER)]
        managers = [latest[(line, lv)] for lv in REPORTS_TO[level] if (line, lv) in latest]
        people.append((name, f"{title}, {line}", level, managers[0] if managers else DIRECTOR_OF[line], line))
        latest[(line, level)] = name
    return people


def _load_org(scale: Scale, seed: int) -> dict[str, Person]:
    plan = _people_plan(scale, seed)
    existing = {p.email: p for p in Person.objects.filter(email__endswith="@" + DOMAIN)}
    by_name: dict[str, Person] = {p.name: p for p in existing.values()}
    for name, title, level, manager, _line in plan:
        if _email(name) in existing:
            continue
        by_name[name] = Person.objects.create(
            name=name, email=_email(name), title=title, level=level, manager=by_name.get(manager or "")
        )
    for line_name, (description, products) in LINES.items():
        line, _ = ProductLine.objects.get_or_create(
            name=line_name, defaults={"description": description, "director": by_name[DIRECTOR_OF[line_name]]}
        )
        for product_name in products:
            Product.objects.get_or_create(line=line, name=product_name)
    lines = {line.name: line for line in ProductLine.objects.filter(name__in=LINES)}
    skills = {
        name: Skill.objects.get_or_create(name=name)[0]
        for name in ("backend", "frontend", "mobile", "data", "design")
    }
    for team_name, line_name, team_skills, rate in TEAMS:
        team, created = Team.objects.get_or_create(
            name=team_name, defaults={"line": lines[line_name], "cost_rate": Decimal(rate), "currency": "EUR"}
        )
        if created:
            team.skills.set([skills[s] for s in team_skills])
    t_skills = {name: set(skills_of) for name, _line, skills_of, _rate in TEAMS}
    # Product managers own lines and sit in their line's teams.
    teams_by_line: dict[str, list[Team]] = {}
    for team in Team.objects.filter(name__in=[t[0] for t in TEAMS]).select_related("line"):
        teams_by_line.setdefault(team.line.name, []).append(team)
    # Each line's PMs are dealt round its teams, so every team has its product people; designers join
    # the teams that design, analysts the teams that work with data.
    dealt: dict[str, int] = {}
    every_team = sorted((t for ts in teams_by_line.values() for t in ts), key=lambda t: t.name)
    skilled = {skill: [t for t in every_team if skill in t_skills[t.name]] for skill in ("design", "data")}
    for name, _title, level, _manager, home_line in plan:
        person = by_name[name]
        if level in (Level.DESIGNER, Level.ANALYST) and _title != "Product Marketing Manager":
            pool = skilled["design" if level == Level.DESIGNER else "data"]
            k = dealt.get(level, 0)
            dealt[level] = k + 1
            pool[k % len(pool)].members.add(person)
            continue
        if home_line is None or level not in {
            Level.GROUP_PM,
            Level.PRINCIPAL_PM,
            Level.SENIOR_PM,
            Level.PM,
            Level.APM,
        }:
            continue
        line_teams = sorted(teams_by_line[home_line], key=lambda t: t.name)
        k = dealt.get(home_line, 0)
        dealt[home_line] = k + 1
        line_teams[k % len(line_teams)].members.add(person)
        if level in {Level.GROUP_PM, Level.PRINCIPAL_PM}:
            lines[home_line].owners.add(person)
    return by_name


def _initiative_rows(
    start: int, stop: int, seed: int, products: list[Product], owners: dict[int, list[Person]]
):
    """Initiative n is generated from (seed, n) alone, so topping up never changes earlier ones."""
    stages = [s for s, _w in STAGE_WEIGHTS]
    weights = [w for _s, w in STAGE_WEIGHTS]
    for n in range(start, stop):
        rng = random.Random(f"{seed}:{n}")
        product = products[n % len(products)]
        subjects = SUBJECTS.get(product.name, ["workflow"])
        subject = subjects[(n // len(products)) % len(subjects)]
        k = n // len(products)
        kind = Kind.INITIATIVE if k % 10 == 0 else (Kind.FEATURE if k % 10 < 5 else Kind.IDEA)
        verb = VERBS[rng.randrange(len(VERBS))]
        round_no = n // (len(products) * len(subjects))
        where = f" {QUALIFIERS[(round_no - 1) % len(QUALIFIERS)]}" if round_no else ""
        if kind != Kind.IDEA:
            title = f"{verb} {subject}{where}"
        else:
            opener = IDEA_OPENERS[rng.randrange(len(IDEA_OPENERS))]
            title = f"{opener} {subject}{where or ' ' + rng.choice(SEGMENTS)}"
        stage = (
            rng.choices(stages, weights)[0]
            if kind != Kind.IDEA
            else rng.choice([Stage.IDEA, Stage.IDEA, Stage.DISCOVERY, Stage.PARKED])
        )
        line_owners: list[Person | None] = [*owners.get(product.line_id, [])] or [None]
        evidence = f"{rng.randint(3, 60)} feedback items, {rng.randint(1, 12)} lost deals last quarter"
        description = (
            f"## Why\nMerchants on **{product.name}** keep asking for {subject}. Evidence: {evidence}.\n\n"
            f"## What\n- First slice: {subject} for the top segment\n- Measure adoption after 30 days\n"
        )
        yield (
            n,
            Initiative(
                title=title[:200],
                kind=kind,
                product=product,
                owner=line_owners[rng.randrange(len(line_owners))],
                stage=stage,
                description=description,
            ),
        )


@transaction.atomic
def load_demo(
    *, scale: str = "standard", seed: int = 7, timings: dict[str, float] | None = None
) -> dict[str, int]:
    """Load (or top up) the demo company; returns how many records of each kind were added.

    `timings`, when given, receives the seconds each part took (the org and portfolio, then each area),
    so `northstar demo` and the first-run benchmark can say where a slow load goes.
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    size = SCALES[scale]
    before = {"people": Person.objects.count(), "initiatives": Initiative.objects.count()}
    _load_org(size, seed)
    products = list(Product.objects.filter(line__name__in=LINES).order_by("id"))
    owners: dict[int, list[Person]] = {}
    for person in (
        Person.objects.filter(
            email__endswith="@" + DOMAIN,
            level__in=[Level.SENIOR_PM, Level.PM, Level.APM, Level.PRINCIPAL_PM, Level.GROUP_PM],
        )
        .prefetch_related("teams")
        .order_by("id")
    ):
        for team in person.teams.all():
            owners.setdefault(team.line_id, []).append(person)
    have = Initiative.objects.filter(product__in=products).count()
    rows = list(_initiative_rows(have, size.initiatives, seed, products, owners))
    Initiative.objects.bulk_create([row for _n, row in rows], batch_size=1000)
    _spread_dates(rows, seed)
    _link_parents_and_tags(seed, products)
    added = {
        "people": Person.objects.count() - before["people"],
        "initiatives": Initiative.objects.count() - before["initiatives"],
    }
    timings["org"] = time.perf_counter() - started
    for module in AREA_DEMOS:
        started = time.perf_counter()
        added.update(import_module(module).load(scale=scale, seed=seed))
        timings[module.split(".")[1]] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # Statistics now, not when autovacuum next looks: on tables it has never analysed the planner
        # took home's feedback aggregate through a 700-900 ms nested loop instead of a 12 ms scan.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return added


def _link_parents_and_tags(seed: int, products: list[Product]) -> None:
    """Features sit under an initiative of the same product; every item gets one or two tags."""
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    through = Initiative.tags.through
    untagged = Initiative.objects.filter(product__in=products, tags__isnull=True).order_by("id")
    parents: dict[int, int] = {}
    for pid, product_id in (
        Initiative.objects.filter(kind=Kind.INITIATIVE, product__in=products)
        .values_list("id", "product_id")
        .order_by("id")
    ):
        parents.setdefault(product_id, pid)
    links = []
    to_parent = []
    for item in untagged.only("id", "kind", "product_id", "parent_id"):
        rng = random.Random(f"{seed}:tags:{item.pk}")
        for name in rng.sample(TAGS, rng.choice([1, 1, 2])):
            links.append(through(initiative_id=item.pk, tag_id=tags[name].pk))
        if item.kind == Kind.FEATURE and item.parent_id is None and item.product_id in parents:
            item.parent_id = parents[item.product_id]
            to_parent.append(item)
    through.objects.bulk_create(links, batch_size=2000)
    Initiative.objects.bulk_update(to_parent, ["parent"], batch_size=1000)


def _spread_dates(rows: list[tuple[int, Initiative]], seed: int) -> None:
    """A real portfolio grew over time: ideas written down in the last year or so, work past the idea
    stage older than its first stage change (the portfolio demo dates those up to 400 days back)."""
    now = timezone.now()
    for n, item in rows:
        rng = random.Random(f"{seed}:dates:{n}")
        age = rng.randint(420, 720) if item.stage != Stage.IDEA else rng.randint(1, 400)
        item.created_at = now - timedelta(days=age, minutes=rng.randint(0, 600))
        item.updated_at = item.created_at + (now - item.created_at) * rng.random()
    Initiative.objects.bulk_update([item for _n, item in rows], ["created_at", "updated_at"], batch_size=1000)
