"""Cluster normalised vectors into themes without being told how many there are.

1. Reduce: a PCA to `DIMENSIONS` dimensions (fitted on a seeded sample), rows normalised again.
   k-means on it is as good as on the 384 raw dimensions and several times faster.
2. Smooth: each item moves halfway towards the mean of its `NEIGHBOURS` nearest items. Paraphrases
   of one need pull together and stray words matter less; k-means told the true number gains
   about 0.01 NMI on public intent sets from this alone.
3. Choose the number of themes by the mean silhouette (cosine) on a seeded sample of `SAMPLE`
   items: Ward's tree on the sample finds the region of the best k cheaply (every cut at once), then
   k-means, twice per k, on a finer grid around it. The silhouette weighs how close an item is to its
   own theme against the next-closest theme, so it needs no threshold and no assumption about the
   corpus; it was measured to peak near the true number of intents on every labelled set tried (see
   docs/feedback.md), where one cohesion threshold under-split one set and over-split another. Of
   the k whose score is within the measured noise of the best, the finest wins (see `choose_k`).
4. Cluster: k-means (`RESTARTS` seeded starts) on all smoothed vectors with the chosen k.

Memory stays flat (blocks of rows for the neighbour search; never an n×n matrix), so 10,000 items
need well under 100 MB here. Deterministic for a given seed.

Clustering runs with the numeric libraries on one thread (see `northstar.engines.threads`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from northstar.engines.threads import single_threaded

DIMENSIONS = 64
NEIGHBOURS = 10
SAMPLE = 3000
RESTARTS = 3
#: Below this best silhouette the items show no grouping worth naming: they form one theme.
MIN_SILHOUETTE = 0.05
_BLOCK = 512


@dataclass(frozen=True)
class ClusterResult:
    labels: np.ndarray  # theme index per item, 0 = the largest theme
    n_themes: int
    similarity: float  # the achieved mean cosine of items to their theme's centre
    silhouette: float = 0.0  # mean silhouette (cosine) of the chosen clustering on the sample
    #: (k, silhouette) for every number of themes tried, for the record and for tests.
    tried: tuple[tuple[int, float], ...] = field(default_factory=tuple)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        matrix = matrix.reshape(len(matrix), -1)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber so theme 0 is the largest (ties by first item), for stable output."""
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(uniq)), key=lambda i: (-counts[i], first[i]))
    remap = np.empty(int(uniq.max()) + 1, dtype=np.int64)
    for new, i in enumerate(order):
        remap[uniq[i]] = new
    return remap[labels]


def reduce(matrix: np.ndarray, *, seed: int, dimensions: int = DIMENSIONS) -> np.ndarray:
    """Unit rows in at most `dimensions` principal directions (fitted on a seeded sample)."""
    n, d = matrix.shape
    if d <= dimensions or n <= 2:
        return matrix
    rng = np.random.default_rng(seed)
    fit = matrix if n <= 5 * SAMPLE else matrix[np.sort(rng.choice(n, 5 * SAMPLE, replace=False))]
    mean = fit.mean(axis=0)
    centred = fit - mean
    # the principal directions from the d×d covariance: cheaper than an SVD of the n×d matrix
    _, vectors = np.linalg.eigh((centred.T @ centred).astype(np.float64))
    top = vectors[:, ::-1][:, : min(dimensions, n - 1)].astype(np.float32)
    return _normalised((matrix - mean) @ top)


def neighbours(matrix: np.ndarray, count: int) -> np.ndarray:
    """Indices of each row's `count` most similar other rows (exact, a block of rows at a time)."""
    n = len(matrix)
    count = max(0, min(count, n - 1))
    out = np.empty((n, count), dtype=np.int64)
    if count == 0:
        return out
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        sims = matrix[start:stop] @ matrix.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # not your own neighbour
        out[start:stop] = np.argpartition(-sims, count - 1, axis=1)[:, :count]
    return out


def smooth(matrix: np.ndarray, *, count: int = NEIGHBOURS) -> np.ndarray:
    """Each row averaged with the mean of its nearest rows, normalised (see the module docstring).

    A small corpus has small themes: fewer neighbours (half the square root of the items) keep an
    item's neighbours inside its own theme."""
    count = min(count, max(1, int(np.sqrt(len(matrix)) / 2)))
    near = neighbours(matrix, count)
    if near.shape[1] == 0:
        return matrix
    return _normalised(matrix + matrix[near].mean(axis=1))


def theme_sums(matrix: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """The sum of each theme's rows (k × d), as one sparse product: `np.add.at` took 3 of the 7 CPU
    seconds of clustering 4,500 items."""
    from scipy.sparse import csr_matrix

    n = len(matrix)
    members = csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    return np.asarray(members @ matrix.astype(np.float64, copy=False))


def silhouette(matrix: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with cosine distance, exactly, in O(n·k·d) from per-theme sums of unit rows.

    The mean distance from an item to a theme is 1 - (its dot product with the theme's sum) / size,
    leaving the item itself out of its own theme; singletons score 0 (as in scikit-learn).
    """
    k = int(labels.max()) + 1
    if k < 2 or k >= len(matrix):
        return 0.0
    sums = theme_sums(matrix, labels, k)
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    dots = matrix.astype(np.float64) @ sums.T  # n × k
    rows = np.arange(len(matrix))
    own_size = sizes[labels]
    own = 1.0 - (dots[rows, labels] - 1.0) / np.maximum(own_size - 1.0, 1.0)
    other = 1.0 - dots / np.maximum(sizes, 1.0)
    other[rows, labels] = np.inf
    other[:, sizes == 0] = np.inf
    nearest_other = other.min(axis=1)
    score = (nearest_other - own) / np.maximum(np.maximum(own, nearest_other), 1e-12)
    score[own_size <= 1] = 0.0
    return float(score.mean())


def kmeans(matrix: np.ndarray, k: int, *, seed: int, restarts: int = 1, max_iter: int = 100) -> np.ndarray:
    """k-means with a given k: the best (lowest inertia) of `restarts` runs from k-means++ starts."""
    from sklearn.cluster import KMeans

    k = max(1, min(k, len(matrix)))
    if k == 1:
        return np.zeros(len(matrix), dtype=np.int64)
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(restarts):
        model = KMeans(n_clusters=k, init=plus_plus_starts(matrix, k, rng), n_init=1, max_iter=max_iter)
        labels = model.fit_predict(matrix)
        if best is None or model.inertia_ < best[0]:
            best = (float(model.inertia_), labels)
    assert best is not None
    return best[1].astype(np.int64)


def plus_plus_starts(matrix: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k starting centres by greedy k-means++ (Arthur and Vassilvitskii's D² sampling, keeping the best
    of 2 + ln k candidates per centre), with one matrix product per centre.

    scikit-learn's own start does the same work through a general distance function whose checks
    cost more than the arithmetic at these sizes: it was 23 of the 24 seconds k-means took on the
    demo's feedback.
    """
    n = len(matrix)
    data = matrix.astype(np.float64, copy=False)
    norms = np.einsum("ij,ij->i", data, data)
    trials = 2 + int(np.log(k))
    chosen = np.empty(k, dtype=np.int64)
    chosen[0] = rng.integers(n)
    closest = np.maximum(norms - 2.0 * (data @ data[chosen[0]]) + norms[chosen[0]], 0.0)
    for c in range(1, k):
        weights = np.cumsum(closest)
        if weights[-1] <= 0.0:  # every item sits on a centre already: any other item will do
            chosen[c] = rng.integers(n)
            continue
        picks = np.minimum(np.searchsorted(weights, rng.random(trials) * weights[-1]), n - 1)
        # the squared distances to each candidate, worked out in place (the same arithmetic in the
        # same order as one expression, without its four n × trials temporaries per centre)
        candidates = data @ data[picks].T
        candidates *= -2.0
        candidates += norms[:, None]
        candidates += norms[picks][None, :]
        np.maximum(candidates, 0.0, out=candidates)
        np.minimum(closest[:, None], candidates, out=candidates)
        best = int(candidates.sum(axis=0).argmin())
        chosen[c] = picks[best]
        closest = candidates[:, best].copy()
    return matrix[chosen].copy()


def _grid(low: int, high: int, ratio: float) -> list[int]:
    values = {low, high}
    value = float(low)
    while value < high:
        values.add(round(value))
        value *= ratio
    return sorted(v for v in values if low <= v <= high)


def choose_k(matrix: np.ndarray, *, seed: int) -> tuple[int, float, tuple[tuple[int, float], ...]]:
    """The number of themes with the best silhouette on a seeded sample of the items.

    Ward's tree on the sample gives every cut at once: the silhouette of each cut on a geometric
    grid finds the region cheaply; k-means then settles it on a finer grid around the best cut
    (k-means themes are the ones finally kept, and their silhouette peaks slightly lower).
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(matrix)
    if n < 4:
        return 1, 0.0, ()
    rng = np.random.default_rng(seed)
    sample = matrix if n <= SAMPLE else matrix[np.sort(rng.choice(n, SAMPLE, replace=False))]
    m = len(sample)
    high = max(2, min(m - 1, m // 5))
    tree = linkage(sample.astype(np.float64), method="ward")
    coarse = {
        k: silhouette(sample, fcluster(tree, k, criterion="maxclust") - 1) for k in _grid(2, high, 1.15)
    }
    region = max(coarse, key=lambda k: (coarse[k], -k))
    runs: dict[int, tuple[float, float]] = {}
    for k in _grid(max(2, int(region / 1.5)), min(high, int(region * 1.3) + 1), 1.08):
        first, second = (silhouette(sample, kmeans(sample, k, seed=seed + r, max_iter=50)) for r in range(2))
        runs[k] = (first, second)
    scores = {k: (a + b) / 2 for k, (a, b) in runs.items()}
    tried = tuple(sorted(scores.items()))
    top = max(scores.values())
    if top < MIN_SILHOUETTE:
        return 1, top, tried
    # The one-standard-error rule: every k whose score is within the noise of the best is as good;
    # take the finest of them, as a theme that mixes two needs hides both while two themes about
    # one need are merged with one click. The noise is measured, from the two runs at each k.
    noise = float(np.sqrt(np.mean([(a - b) ** 2 for a, b in runs.values()]) / 4))
    return max(k for k, score in scores.items() if score >= top - noise), top, tried


def nearest(vectors: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of, and cosine to, the nearest centroid for each vector."""
    if len(centroids) == 0:
        return np.full(len(vectors), -1), np.zeros(len(vectors))
    sims = _normalised(vectors) @ _normalised(centroids).T
    best = sims.argmax(axis=1)
    return best, sims[np.arange(len(vectors)), best]


def centroids_of(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Unit centre of each theme's (normalised) vectors."""
    k = int(labels.max()) + 1
    sums = theme_sums(_normalised(vectors), labels, k)
    return _normalised(sums)


@single_threaded
def cluster_vectors(vectors: np.ndarray, *, n_themes: int | None = None, seed: int = 0) -> ClusterResult:
    """Themes for `vectors` (one row per item); `n_themes` forces the number. Deterministic per seed."""
    n = len(vectors)
    if n == 0:
        return ClusterResult(np.zeros(0, dtype=np.int64), 0, 1.0)
    if n == 1:
        return ClusterResult(np.zeros(1, dtype=np.int64), 1, 1.0)
    raw = _normalised(vectors)
    matrix = smooth(reduce(raw, seed=seed))
    tried: tuple[tuple[int, float], ...] = ()
    if n_themes is not None:
        k = max(1, min(n_themes, n))
    else:
        k, _, tried = choose_k(matrix, seed=seed)
    labels = _by_size(kmeans(matrix, k, seed=seed, restarts=RESTARTS))
    centres = centroids_of(raw, labels)
    similarity = float(np.einsum("ij,ij->i", raw, centres[labels]).mean())
    sample = matrix if n <= SAMPLE else matrix[:SAMPLE]
    score = silhouette(sample, labels[: len(sample)]) if int(labels.max()) >= 1 else 0.0
    return ClusterResult(labels, int(labels.max()) + 1, similarity, score, tried)


@single_threaded
def kmeans_labels(vectors: np.ndarray, k: int, *, seed: int = 0) -> np.ndarray:
    """Plain k-means with a given k on the raw normalised vectors: the benchmark's baseline."""
    return kmeans(_normalised(vectors), k, seed=seed, restarts=3, max_iter=300)
