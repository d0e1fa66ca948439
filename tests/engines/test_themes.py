"""The themes engine: it finds themes it is not told about, names them, and carries them over."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.engines.themes import (
    EmbedderUnavailable,
    MiniLMEmbedder,
    OldTheme,
    TfidfSvdEmbedder,
    cluster_vectors,
    reconcile,
    theme_keywords,
    tokens,
)
from northstar.engines.themes.clustering import nearest, within_similarity
from northstar.engines.themes.keywords import theme_name

TOPICS = {
    "export": [
        "please let us export the report to csv",
        "csv export of invoices would save hours",
        "we need to export data to excel and csv",
        "exporting reports as csv is missing",
        "add a csv export button to the reports page",
    ],
    "dark": [
        "dark mode please, the white screen hurts at night",
        "a dark theme for the app would be lovely",
        "night mode or dark mode for the dashboard",
        "the app is too bright, add dark mode",
        "dark mode on mobile would be great",
    ],
    "login": [
        "single sign-on with okta for our company login",
        "we need sso login through azure ad",
        "saml sso is required by our security team",
        "login with google workspace sso please",
        "sso support is a must for enterprise login",
    ],
}


def _blobs(
    centres: int, per: int, dim: int, seed: int, spread: float = 0.15
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    means = rng.standard_normal((centres, dim))
    labels = np.repeat(np.arange(centres), per)
    points = means[labels] + spread * rng.standard_normal((len(labels), dim))
    return points, labels


def test_the_number_of_themes_is_found_not_given():
    points, truth = _blobs(12, 20, 32, seed=1)  # items of a group are ~0.97 alike, groups ~0
    result = cluster_vectors(points, cohesion=0.95)
    assert result.n_themes == 12
    # every found theme is exactly one true group
    for label in range(result.n_themes):
        assert len(set(truth[result.labels == label])) == 1


def test_asking_for_more_or_fewer_themes_is_honoured():
    points, _ = _blobs(12, 20, 32, seed=2)
    assert cluster_vectors(points, cohesion=0.8, n_themes=5).n_themes == 5
    assert cluster_vectors(points, cohesion=0.8, n_themes=30).n_themes == 30


def test_a_stricter_similarity_gives_more_themes():
    points, _ = _blobs(6, 30, 16, seed=3, spread=0.6)
    loose = cluster_vectors(points, cohesion=0.3).n_themes
    strict = cluster_vectors(points, cohesion=0.9).n_themes
    assert strict > loose


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 60), dim=st.integers(2, 8), seed=st.integers(0, 1000))
def test_every_item_gets_exactly_one_theme_and_themes_are_ordered_by_size(n, dim, seed):
    points = np.random.default_rng(seed).standard_normal((n, dim))
    result = cluster_vectors(points, cohesion=0.5)
    assert len(result.labels) == n
    if n:
        assert set(result.labels.tolist()) == set(range(result.n_themes))
        sizes = np.bincount(result.labels)
        assert list(sizes) == sorted(sizes, reverse=True)
        unit = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
        base = within_similarity(unit, np.zeros(n, dtype=np.int64))
        assert result.similarity >= base + 0.5 * (1 - base) - 1e-9 or result.n_themes == n


def test_above_the_exact_limit_a_sample_builds_the_tree_and_everyone_joins_a_theme():
    points, truth = _blobs(5, 100, 16, seed=4)
    result = cluster_vectors(points, cohesion=0.95, max_exact=120)
    assert result.n_themes == 5
    for label in range(5):
        assert len(set(truth[result.labels == label])) == 1


def test_within_similarity_of_identical_points_is_one():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert within_similarity(vectors, np.array([0, 0, 1, 1])) == pytest.approx(1.0)
    assert within_similarity(vectors, np.array([0, 1, 0, 1])) == pytest.approx(0.0)


def test_nearest_theme_by_cosine():
    best, sims = nearest(np.array([[2.0, 0.1], [0.0, 3.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert best.tolist() == [0, 1]
    assert sims[1] == pytest.approx(1.0)


def test_keywords_name_what_sets_a_theme_apart():
    keywords = theme_keywords(list(TOPICS.values()), top=3)
    names = [theme_name(k) for k in keywords]
    assert "csv" in names[0] or "export" in names[0]
    assert "dark" in names[1]
    assert "sso" in names[2]
    assert all(2 <= len(k) <= 3 for k in keywords)


def test_tokens_drop_stop_words_and_fold_plurals():
    assert tokens("The reports are missing invoices!") == ["report", "missing", "invoice"]
    assert "dark mode" in tokens("dark mode please", pairs=True)


def test_reconcile_keeps_themes_whose_items_stay_together():
    old = [
        OldTheme(1, frozenset({1, 2, 3, 4})),
        OldTheme(2, frozenset({5, 6, 7})),
        OldTheme(3, frozenset({8})),
    ]
    clusters = [frozenset({5, 6, 7, 9}), frozenset({1, 2, 3}), frozenset({10, 11})]
    plan = reconcile(clusters, old)
    assert plan.continues == (2, 1, None)
    assert plan.retired == (3,)


def test_reconcile_with_nothing_old_makes_everything_new():
    plan = reconcile([frozenset({1})], [])
    assert plan.continues == (None,)


def test_tfidf_fallback_separates_obvious_topics():
    texts = [t for group in TOPICS.values() for t in group]
    vectors = TfidfSvdEmbedder().embed(texts)
    assert vectors.shape[0] == 15
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    result = cluster_vectors(vectors, cohesion=0.3, n_themes=3)
    groups = [set(result.labels[i * 5 : i * 5 + 5].tolist()) for i in range(3)]
    assert sum(len(g) == 1 for g in groups) >= 2


def test_minilm_places_paraphrases_together():
    try:
        embedder = MiniLMEmbedder()
    except EmbedderUnavailable:
        pytest.skip("the MiniLM packages are not installed")
    texts = [t for group in TOPICS.values() for t in group]
    vectors = embedder.embed(texts)
    assert vectors.shape == (15, 384)
    result = cluster_vectors(vectors, cohesion=embedder.theme_cohesion, ceiling=embedder.theme_ceiling)
    topic = np.repeat(np.arange(3), 5)
    assert result.n_themes == 3
    for label in range(result.n_themes):
        assert len(set(topic[result.labels == label])) == 1
    assert cluster_vectors(vectors, cohesion=embedder.theme_cohesion).n_themes > 3  # without the ceiling
    assert embedder.embed([]).shape == (0, 384)
