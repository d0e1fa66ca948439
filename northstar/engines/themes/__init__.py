"""Feedback themes: embed short texts, cluster them without being told how many themes there are,
name each theme in its customers' words, and keep user edits across re-clusterings.

Pure Python + numpy/scipy (scikit-learn and onnxruntime when installed); no Django.
"""

from northstar.engines.themes.clustering import ClusterResult, cluster_vectors, kmeans_labels
from northstar.engines.themes.embedders import (
    Embedder,
    EmbedderUnavailable,
    MiniLMEmbedder,
    TfidfSvdEmbedder,
    available_embedders,
    default_embedder,
)
from northstar.engines.themes.keywords import theme_keywords, tokens
from northstar.engines.themes.names import theme_names
from northstar.engines.themes.reconcile import OldTheme, Reconciliation, reconcile

__all__ = [
    "ClusterResult",
    "Embedder",
    "EmbedderUnavailable",
    "MiniLMEmbedder",
    "OldTheme",
    "Reconciliation",
    "TfidfSvdEmbedder",
    "available_embedders",
    "cluster_vectors",
    "default_embedder",
    "kmeans_labels",
    "reconcile",
    "theme_keywords",
    "theme_names",
    "tokens",
]
