"""Prioritisation demo data: scores, estimates, dependencies, decisions, gates and a weighted model.

Loaded after the portfolio by `northstar.demo`. Everything is derived from the seed and each
initiative's position, so the same seed gives the same portfolio; work that already has scoring
inputs is left alone, so a second run adds nothing and `large` only fills in the new initiatives.
Rows are bulk-created (10,000 initiatives load in seconds) and scores come from the engine itself.
"""

from __future__ import annotations

import datetime
import itertools
import random
from decimal import Decimal

from django.utils import timezone

from northstar.engines import scoring as engine
from northstar.org.models import Product, Skill, Team
from northstar.portfolio import governance, scoring
from northstar.portfolio.models import (
    STAGE_PATH,
    CriterionRating,
    Decision,
    DecisionKind,
    Dependency,
    EstimateLine,
    Initiative,
    Kind,
    ReachSource,
    ScoringCriterion,
    ScoringInput,
    Stage,
    StageGate,
)

CRITERIA = [
    ("revenue_growth", "Revenue growth", Decimal("3"), "benefit", 0, 10),
    ("retention", "Customer retention", Decimal("2"), "benefit", 0, 10),
    ("platform_leverage", "Platform leverage", Decimal("1.5"), "benefit", 0, 5),
    ("delivery_risk", "Delivery risk", Decimal("1"), "cost", 0, 10),
]
FIBONACCI = [1, 2, 3, 5, 8, 13, 20]
IMPACTS = [0.25, 0.5, 1.0, 2.0, 3.0]
#: How sure teams are at each stage: (lowest, highest) confidence percent.
CONFIDENCE = {
    Stage.IDEA: (10, 50),
    Stage.DISCOVERY: (30, 70),
    Stage.PLANNED: (55, 90),
    Stage.IN_DELIVERY: (65, 95),
    Stage.LAUNCHED: (75, 100),
    Stage.MEASURED: (80, 100),
    Stage.PARKED: (10, 60),
    Stage.KILLED: (5, 40),
}
ESTIMATED_STAGES = {Stage.PLANNED, Stage.IN_DELIVERY, Stage.LAUNCHED, Stage.MEASURED}
#: Only the first initiatives (the standard demo) get dependencies, so each line's graph stays legible.
DEPENDENCY_POOL = 150
OPTIONS = [
    ("Build in-house", "Buy a vendor solution", "Do nothing this quarter"),
    ("Full rollout", "Pilot with ten merchants", "Wait for the platform rebuild"),
    ("Ship the smallest slice", "Ship the complete feature", "Park it"),
]


def _criteria() -> int:
    added = 0
    for position, (key, label, weight, direction, low, high) in enumerate(CRITERIA):
        _, created = ScoringCriterion.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "weight": weight,
                "direction": direction,
                "minimum": low,
                "maximum": high,
                "position": position,
            },
        )
        added += created
    return added


def _gates() -> int:
    if StageGate.objects.exists():
        return 0
    StageGate.objects.bulk_create(
        StageGate(stage=stage, requirements=requirements)
        for stage, requirements in governance.SUGGESTED_GATES.items()
    )
    return len(governance.SUGGESTED_GATES)


def _line_skills() -> dict[int, list[list[str]]]:
    """Each line's teams' skill sets. An estimate asks for the skills of one team, as real work is sized
    by the team that would do it (a mix no team has would leave it out of every plan)."""
    teams: dict[tuple[int, int], set[str]] = {}
    for line_id, team_id, name in Team.objects.order_by("id").values_list("line_id", "id", "skills__name"):
        if name:
            teams.setdefault((line_id, team_id), set()).add(name)
    out: dict[int, list[list[str]]] = {}
    for (line_id, _team), names in sorted(teams.items()):
        out.setdefault(line_id, []).append(sorted(names))
    return out


def _inputs(rng: random.Random, item: Initiative) -> ScoringInput:
    low, high = CONFIDENCE[Stage(item.stage)]
    value = rng.randint(1, 10)
    row = ScoringInput(
        initiative=item,
        reach=float(int(rng.lognormvariate(6.5, 1.1))),
        impact=rng.choices(IMPACTS, [1, 3, 4, 3, 1])[0],
        confidence=rng.randint(low, high) // 5 * 5,
        ice_impact=float(max(1, min(10, value + rng.randint(-2, 2)))),
        ease=float(rng.randint(1, 10)),
        value=float(value),
        business_value=float(rng.choice(FIBONACCI)),
        time_criticality=float(rng.choice(FIBONACCI)),
        risk_reduction=float(rng.choice(FIBONACCI[:5])),
        job_size=float(rng.choice(FIBONACCI)),
        effort=float(rng.choice([1, 2, 3, 4, 6, 8, 12, 16, 24])),
    )
    if item.kind == Kind.FEATURE and rng.random() < 0.6:
        respondents = rng.randint(6, 24)
        weights = rng.choice([(5, 3, 2, 1, 0), (1, 4, 3, 2, 0), (1, 2, 5, 2, 1), (1, 1, 2, 5, 1)])
        tally: dict[str, int] = {}
        for category in rng.choices(list(scoring.KANO_PAIRS), weights, k=respondents):
            tally[category] = tally.get(category, 0) + 1
        row.kano = tally
    if item.stage in (Stage.DISCOVERY, Stage.PLANNED) and rng.random() < 0.25:
        row.reach_source = ReachSource.EVIDENCE
        customers = rng.randint(3, 40)
        row.reach_evidence = float(customers * rng.randint(20, 120))
        row.reach_evidence_note = f"{customers} customers asking, weighted by revenue (demo figures)"
    return row


def _estimate(rng: random.Random, skills: list[str]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    chosen = rng.sample(skills, min(len(skills), rng.choice([1, 2, 2, 3])))
    lines = []
    for skill in chosen:
        likely = rng.choice([1, 2, 3, 4, 5, 6, 8, 10])
        lines.append(
            (
                skill,
                Decimal(max(0.5, likely * rng.uniform(0.5, 0.9))).quantize(Decimal("0.5")),
                Decimal(likely),
                Decimal(likely * rng.uniform(1.3, 2.5)).quantize(Decimal("0.5")),
            )
        )
    return lines


def _stage_trail(stage: str) -> list[str]:
    """The stages an item passed through to get where it is (parked/killed leave from discovery)."""
    if stage in STAGE_PATH:
        return [s.value for s in STAGE_PATH[: STAGE_PATH.index(Stage(stage)) + 1]]
    return [Stage.IDEA, Stage.DISCOVERY, stage]


def _decisions(rng: random.Random, item: Initiative, today: datetime.date) -> list[Decision]:
    trail = _stage_trail(item.stage)
    entries: list[Decision] = []
    day = today - datetime.timedelta(days=rng.randint(60, 400))
    for before, after in itertools.pairwise(trail):
        day += datetime.timedelta(days=rng.randint(7, 60))
        day = min(day, today)
        entries.append(
            Decision(
                initiative=item,
                kind=DecisionKind.STAGE_CHANGE,
                title=f"Moved to {Stage(after).label}",
                decision=f"{Stage(before).label} → {Stage(after).label}",
                rationale=rng.choice(["", "", "Gate review passed.", "Agreed in the portfolio review."]),
                from_stage=before,
                to_stage=after,
                decided_by_id=item.owner_id,
                decided_on=day,
            )
        )
        if after == Stage.IN_DELIVERY or (after in (Stage.PARKED, Stage.KILLED)):
            options = rng.choice(OPTIONS)
            chosen = options[0] if after == Stage.IN_DELIVERY else options[2]
            entries.insert(
                -1,
                Decision(
                    initiative=item,
                    kind=DecisionKind.DECISION,
                    title=f"{'Go' if after == Stage.IN_DELIVERY else 'Stop'}: {item.title}"[:200],
                    options="\n".join(options),
                    decision=chosen,
                    rationale=rng.choice(
                        [
                            "Highest RICE in the line and the estimate fits next quarter's capacity.",
                            "Evidence from enterprise accounts outweighs the delivery risk.",
                            "Cost of delay is low; the team is better used on checkout conversion.",
                            "Depends on the identity rebuild, which slipped a quarter.",
                        ]
                    ),
                    decided_by_id=item.owner_id,
                    decided_on=day,
                ),
            )
    return entries


def _product(item: Initiative) -> Product:
    assert item.product is not None  # every demo initiative has a product
    return item.product


def _dependencies(rng: random.Random, pool: list[Initiative]) -> list[Dependency]:
    """Later work requires earlier work (by position), so the demo graph has no cycles by construction."""
    edges: set[tuple[int, int]] = set()
    by_line: dict[int, list[Initiative]] = {}
    for item in pool:
        by_line.setdefault(_product(item).line_id, []).append(item)
    platform = [i for i in pool if _product(i).line.name == "Platform"]
    for position, item in enumerate(pool):
        if position < 10 or item.stage in (Stage.KILLED, Stage.PARKED) or rng.random() > 0.3:
            continue
        earlier = [i for i in by_line[_product(item).line_id] if i.pk < item.pk]
        for other in rng.sample(earlier, min(len(earlier), rng.choice([1, 1, 2]))):
            edges.add((item.pk, other.pk))
        if _product(item).line.name != "Platform" and rng.random() < 0.3:
            base = [i for i in platform if i.pk < item.pk]
            if base:
                edges.add((item.pk, rng.choice(base).pk))
    return [Dependency(initiative_id=a, requires_id=b) for a, b in sorted(edges)]


def _problem(item: Initiative) -> tuple[str, str]:
    product = item.product.name if item.product else "our product"
    subject = item.title
    return (
        f"Merchants using **{product}** lose time and revenue today; “{subject}” is how we would fix it.",
        "- Support tickets tagged with this need every week\n- Named in lost-deal notes by sales",
    )


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    added = {"criteria": _criteria(), "stage gates": _gates()}
    skills = _line_skills()
    known_skills = {s.name: s for s in Skill.objects.all()}
    demo_products = Product.objects.filter(line__name__in=("Commerce", "Engagement", "Platform"))
    items = list(
        Initiative.objects.filter(product__in=demo_products, scoring__isnull=True)
        .select_related("product__line")
        .order_by("id")
    )
    first_id = (
        Initiative.objects.filter(product__in=demo_products)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    criteria = {c.key: c for c in ScoringCriterion.objects.all()}
    model = scoring.weighted_model(criteria.values())
    today = timezone.localdate()
    rows, decisions, touched = [], [], []
    ratings: list[CriterionRating] = []
    lines: list[EstimateLine] = []
    for item in items:
        rng = random.Random(f"{seed}:prioritise:{item.pk - (first_id or 0)}")
        row = _inputs(rng, item)
        mine = {key: float(rng.randint(int(c.minimum), int(c.maximum))) for key, c in criteria.items()}
        ratings.extend(
            CriterionRating(initiative=item, criterion=criteria[k], value=v) for k, v in mine.items()
        )
        if item.stage in ESTIMATED_STAGES and skills.get(item.product.line_id):
            team_skills = skills[item.product.line_id]
            estimate = _estimate(rng, team_skills[item.pk % len(team_skills)])
            point = engine.Estimate(
                {s: engine.ThreePoint(float(lo), float(mid), float(hi)) for s, lo, mid, hi in estimate}
            )
            row.estimated_effort, row.estimated_effort_sd = point.expected, point.std_dev
            lines.extend(
                EstimateLine(initiative=item, skill=known_skills[s], low=lo, likely=mid, high=hi)
                for s, lo, mid, hi in estimate
            )
        scoring.apply_scores(row, mine, model)
        rows.append(row)
        if item.stage != Stage.IDEA:
            decisions.extend(_decisions(rng, item, today))
            if not item.problem_statement and not item.evidence_notes:
                item.problem_statement, item.evidence_notes = _problem(item)
                touched.append(item)
    ScoringInput.objects.bulk_create(rows, batch_size=1000)
    CriterionRating.objects.bulk_create(ratings, batch_size=2000)
    EstimateLine.objects.bulk_create(lines, batch_size=2000)
    Decision.objects.bulk_create(decisions, batch_size=2000)
    Initiative.objects.bulk_update(touched, ["problem_statement", "evidence_notes"], batch_size=1000)
    dependencies: list[Dependency] = []
    if not Dependency.objects.filter(initiative__product__in=demo_products).exists():
        pool = list(
            Initiative.objects.filter(product__in=demo_products)
            .select_related("product__line")
            .order_by("id")[:DEPENDENCY_POOL]
        )
        dependencies = _dependencies(random.Random(f"{seed}:dependencies"), pool)
        Dependency.objects.bulk_create(dependencies)
    added.update(
        {
            "scored initiatives": len(rows),
            "estimate lines": len(lines),
            "decisions": len(decisions),
            "dependencies": len(dependencies),
        }
    )
    return added
