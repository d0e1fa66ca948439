"""k-means++ starts and per-theme sums (northstar.engines.themes.clustering)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.engines.themes.clustering import plus_plus_starts, theme_sums


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), k=st.integers(1, 12), seed=st.integers(0, 10_000))
def test_starts_are_distinct_items_and_the_same_for_a_seed(n: int, k: int, seed: int) -> None:
    matrix = np.random.default_rng(seed).normal(size=(n, 5))
    k = min(k, n)

    starts = plus_plus_starts(matrix, k, np.random.default_rng(seed))

    assert starts.shape == (k, 5)
    rows = {tuple(row) for row in matrix}
    assert all(tuple(row) in rows for row in starts)
    assert len({tuple(row) for row in starts}) == k  # D² sampling never picks a chosen item again
    assert np.array_equal(starts, plus_plus_starts(matrix, k, np.random.default_rng(seed)))


def test_starts_find_every_separated_group() -> None:
    rng = np.random.default_rng(1)
    centres = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0], [100.0, 100.0]])
    matrix = np.vstack([c + rng.normal(scale=0.5, size=(25, 2)) for c in centres])

    starts = plus_plus_starts(matrix, 4, rng)

    nearest = {int(np.argmin(((centres - s) ** 2).sum(axis=1))) for s in starts}
    assert nearest == {0, 1, 2, 3}


@given(seed=st.integers(0, 1000))
def test_theme_sums_add_each_themes_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(30, 4))
    labels = rng.integers(0, 5, size=30)

    sums = theme_sums(matrix, labels, 6)

    for theme in range(6):
        assert np.allclose(sums[theme], matrix[labels == theme].sum(axis=0))
