"""Clustering holds BLAS and OpenMP to one thread: oversubscribed threads made re-clustering 6x slower
on a busy host (northstar.engines.threads)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from northstar.engines.themes import TfidfSvdEmbedder, clustering


def _most_threads() -> int:
    return max((pool["num_threads"] for pool in threadpool_info()), default=1)


def test_clustering_runs_on_one_thread(monkeypatch) -> None:
    seen: list[int] = []
    plain_kmeans = clustering.kmeans

    def watched(*args, **kwargs):
        seen.append(_most_threads())
        return plain_kmeans(*args, **kwargs)

    monkeypatch.setattr(clustering, "kmeans", watched)
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 16))
    vectors = np.vstack([centre + 0.05 * rng.normal(size=(40, 16)) for centre in centres])

    result = clustering.cluster_vectors(vectors, seed=1)

    assert result.n_themes == 3
    assert seen and set(seen) == {1}


def test_tfidf_embedding_runs_on_one_thread(monkeypatch) -> None:
    from sklearn.decomposition import TruncatedSVD

    seen: list[int] = []
    plain_fit = TruncatedSVD.fit_transform

    def watched(self, *args, **kwargs):
        seen.append(_most_threads())
        return plain_fit(self, *args, **kwargs)

    monkeypatch.setattr(TruncatedSVD, "fit_transform", watched)
    texts = [f"refund for order {n} arrived late" for n in range(30)] + [
        f"dark mode on the app screen {n}" for n in range(30)
    ]
    vectors = TfidfSvdEmbedder().embed(texts)

    assert len(vectors) == 60
    assert seen == [1]
