"""The dependency graph of a product line, laid out in layers for a server-rendered SVG.

Layer 0 holds work that requires nothing; every other item sits one layer right of the furthest thing
it requires, so arrows always run left to right, from what must come first to what it unblocks.
Inside a layer, items are ordered by the average position of what they require (one barycentre pass),
which removes most crossings without a layout library.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from northstar.portfolio.models import Dependency, Initiative, Stage

NODE_W = 190
NODE_H = 46
GAP_X = 64
GAP_Y = 22
PAD = 16


@dataclass
class Node:
    id: int
    title: str
    stage: str
    stage_label: str
    outside: bool  # belongs to another product line
    layer: int = 0
    x: float = 0
    y: float = 0

    @property
    def short_title(self) -> str:
        return self.title if len(self.title) <= 25 else self.title[:24].rstrip() + "…"


@dataclass(frozen=True)
class Edge:
    source: Node  # required first
    target: Node  # requires source
    path: str


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    width: float
    height: float
    unconnected: int


def _layers(ids: list[int], requires: dict[int, list[int]]) -> dict[int, int]:
    layer: dict[int, int] = {}

    def depth(node: int, trail: frozenset[int]) -> int:
        if node in layer:
            return layer[node]
        before = [r for r in requires.get(node, []) if r not in trail]  # stored cycles cannot hang this
        layer[node] = 1 + max((depth(r, trail | {node}) for r in before), default=-1)
        return layer[node]

    for node in ids:
        depth(node, frozenset())
    return layer


def busiest_line() -> int | None:
    """The product line with the most dependencies: the graph worth showing first."""
    row = (
        Dependency.objects.filter(initiative__product__isnull=False)
        .values("initiative__product__line_id")
        .annotate(n=Count("id"))
        .order_by("-n", "initiative__product__line_id")
        .first()
    )
    return row["initiative__product__line_id"] if row else None


def line_graph(line_id: int) -> Graph:
    """Initiatives of the line that take part in a dependency, plus the outside work they connect to."""
    edges = list(
        Dependency.objects.filter(
            Q(initiative__product__line_id=line_id) | Q(requires__product__line_id=line_id)
        ).values_list("initiative_id", "requires_id")
    )
    ids = sorted({pk for edge in edges for pk in edge})
    rows = Initiative.objects.filter(pk__in=ids).values_list("id", "title", "stage", "product__line_id")
    nodes = {
        pk: Node(pk, title, stage, Stage(stage).label, outside=line != line_id)
        for pk, title, stage, line in rows
    }
    requires: dict[int, list[int]] = {}
    for a, b in edges:
        requires.setdefault(a, []).append(b)
    for pk, depth in _layers(ids, requires).items():
        nodes[pk].layer = depth
    columns: dict[int, list[Node]] = {}
    for node in sorted(nodes.values(), key=lambda n: (n.outside, n.title)):
        columns.setdefault(node.layer, []).append(node)
    order: dict[int, float] = {}
    for layer in sorted(columns):
        column = columns[layer]
        if layer:
            column.sort(
                key=lambda n: (
                    sum(order.get(r, 0) for r in requires.get(n.id, []))
                    / max(1, len(requires.get(n.id, []))),
                    n.title,
                )
            )
        for index, node in enumerate(column):
            order[node.id] = index
            node.x = PAD + layer * (NODE_W + GAP_X)
            node.y = PAD + index * (NODE_H + GAP_Y)
    drawn = []
    for a, b in edges:
        source, target = nodes[b], nodes[a]
        x1, y1 = source.x + NODE_W, source.y + NODE_H / 2
        x2, y2 = target.x, target.y + NODE_H / 2
        bend = max(30.0, (x2 - x1) / 2)
        path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        drawn.append(Edge(source, target, path))
    layers = max(columns, default=-1) + 1
    tallest = max((len(c) for c in columns.values()), default=0)
    in_line = Initiative.objects.filter(product__line_id=line_id).count()
    return Graph(
        nodes=list(nodes.values()),
        edges=drawn,
        width=max(PAD * 2 + layers * NODE_W + max(0, layers - 1) * GAP_X, 320),
        height=max(PAD * 2 + tallest * NODE_H + max(0, tallest - 1) * GAP_Y, 80),
        unconnected=in_line - sum(1 for n in nodes.values() if not n.outside),
    )
