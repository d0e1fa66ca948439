"""Reads of the product organisation, shaped for the org chart, the lists and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from northstar.org.models import LEVEL_RANK, Person, Product, ProductLine, Team


@dataclass
class ChartNode:
    """One person on the org chart with their direct reports, ordered by seniority then name."""

    person: Person
    lines: list[str]
    reports: list[ChartNode] = field(default_factory=list)


def org_chart() -> list[ChartNode]:
    """The reporting tree, built from three queries whatever the size of the organisation."""
    people = list(Person.objects.select_related("manager").order_by("name"))
    directed: dict[int, list[str]] = {}
    for line in ProductLine.objects.only("name", "director_id"):
        directed.setdefault(line.director_id, []).append(line.name)
    for person_id, line_name in ProductLine.owners.through.objects.values_list(
        "person_id", "productline__name"
    ):
        directed.setdefault(person_id, []).append(line_name)
    nodes = {p.pk: ChartNode(person=p, lines=sorted(set(directed.get(p.pk, [])))) for p in people}
    roots: list[ChartNode] = []
    for node in nodes.values():
        parent = nodes.get(node.person.manager_id) if node.person.manager_id else None
        (parent.reports if parent else roots).append(node)

    def order(items: list[ChartNode]) -> None:
        items.sort(key=lambda n: (LEVEL_RANK.get(n.person.level, 99), n.person.name))
        for item in items:
            order(item.reports)

    order(roots)
    return roots


def org_counts() -> dict[str, int]:
    """How big the division is, for the dashboard."""
    return {
        "lines": ProductLine.objects.count(),
        "products": Product.objects.count(),
        "teams": Team.objects.count(),
        "people": Person.objects.count(),
    }


def person_list(*, search: str = "", level: str = "") -> QuerySet[Person]:
    qs = Person.objects.select_related("manager").order_by("name")
    if search:
        qs = qs.filter(name__icontains=search) | qs.filter(title__icontains=search)
    if level:
        qs = qs.filter(level=level)
    return qs


def person_detail_queryset() -> QuerySet[Person]:
    return Person.objects.select_related("manager", "user").prefetch_related(
        "reports", "directed_lines", "owned_lines", "teams"
    )


def line_list() -> QuerySet[ProductLine]:
    return (
        ProductLine.objects.select_related("director")
        .prefetch_related(
            "owners",
            Prefetch("products", queryset=Product.objects.order_by("name")),
            Prefetch("teams", queryset=Team.objects.prefetch_related("skills").order_by("name")),
        )
        .annotate(initiative_count=Count("products__initiatives", distinct=True))
    )


def product_list(*, line_id: int | None = None) -> QuerySet[Product]:
    qs = Product.objects.select_related("line").annotate(initiative_count=Count("initiatives"))
    if line_id:
        qs = qs.filter(line_id=line_id)
    return qs.order_by("line__name", "name")


def team_list(*, line_id: int | None = None) -> QuerySet[Team]:
    qs = Team.objects.select_related("line").prefetch_related("skills", "members")
    if line_id:
        qs = qs.filter(line_id=line_id)
    return qs.order_by("name")


def line_named(wanted: str) -> ProductLine | None:
    """A product line by its name (any case) or its id, as the command line names it."""
    wanted = wanted.strip()
    return ProductLine.objects.filter(name__iexact=wanted).first() or (
        ProductLine.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    )


def line_names() -> list[str]:
    return list(ProductLine.objects.order_by("name").values_list("name", flat=True))
