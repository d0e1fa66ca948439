"""Carry themes across a re-clustering: the new clusters take over the old themes they overlap most.

Matching is one-to-one (Hungarian assignment on the Jaccard overlap of item sets), so a theme keeps
its id, its user-given name and its links when most of its items still group together; a theme
whose items scattered is retired; a new cluster with no old counterpart becomes a new theme.
Themes a user merged or split are pinned and never reach this step: their items are not re-clustered.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OldTheme:
    id: int
    items: frozenset[Hashable]


@dataclass(frozen=True)
class Reconciliation:
    #: For each new cluster (by index), the id of the old theme it continues, or None for a new theme.
    continues: tuple[int | None, ...]
    #: Old themes no new cluster continues.
    retired: tuple[int, ...]


def reconcile(
    clusters: Sequence[frozenset[Hashable] | set[Hashable]],
    old: Sequence[OldTheme],
    *,
    min_jaccard: float = 0.3,
) -> Reconciliation:
    """Match new clusters to old themes by shared items (see module docstring)."""
    continues: list[int | None] = [None] * len(clusters)
    if not clusters or not old:
        return Reconciliation(tuple(continues), tuple(t.id for t in old))
    where: dict[Hashable, int] = {}
    for j, theme in enumerate(old):
        for item in theme.items:
            where[item] = j
    overlap = np.zeros((len(clusters), len(old)))
    for i, cluster in enumerate(clusters):
        for item in cluster:
            found = where.get(item)
            if found is not None:
                overlap[i, found] += 1
    sizes_new = np.array([len(c) for c in clusters], dtype=np.float64)[:, None]
    sizes_old = np.array([len(t.items) for t in old], dtype=np.float64)[None, :]
    jaccard = overlap / np.maximum(sizes_new + sizes_old - overlap, 1)
    # Imported here, not at the top: scipy.optimize adds about half a second to every start.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-jaccard)
    used = set()
    for i, j in zip(rows, cols, strict=True):
        if jaccard[i, j] >= min_jaccard:
            continues[i] = old[j].id
            used.add(j)
    retired = tuple(t.id for j, t in enumerate(old) if j not in used)
    return Reconciliation(tuple(continues), retired)
