"""The embedding cache: only text never seen by this model is embedded; `fresh` ignores what
was there before, and `retain_touched` keeps only what a build used."""

from __future__ import annotations

import numpy as np

import index.cache as cache_module
from index.cache import EmbeddingCache, embed_with_cache


class CountingEncoder:
    """Deterministic vectors from the text (the model is not the subject here)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        rows = [np.random.default_rng(sum(map(ord, t))).standard_normal(8) for t in texts]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), 8)
        # Unit length, as the real model gives: the cache re-embeds any other vector as damaged.
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_only_new_text_is_embedded_and_duplicates_once(tmp_path):
    encoder = CountingEncoder()
    with EmbeddingCache(tmp_path / "c.sqlite", "model-a", 8) as cache:
        first, embedded, reused = embed_with_cache(encoder, cache, ["a", "b", "a"])
        assert (embedded, reused) == (2, 1) and encoder.seen == ["a", "b"]
        again, embedded, reused = embed_with_cache(encoder, cache, ["b", "c", "a"])
        assert (embedded, reused) == (1, 2) and encoder.seen[-1] == "c"
        assert np.array_equal(again[[0, 2]], first[[1, 0]])


def test_chunks_go_to_the_model_shortest_first_and_come_back_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "EMBED_CHUNK", 2)
    texts = ["ccc", "a", "eeeee", "bb", "dddd"]
    encoder = CountingEncoder()
    chunks: list[list[str]] = []
    encode = encoder.encode
    encoder.encode = lambda chunk: chunks.append(list(chunk)) or encode(chunk)
    with EmbeddingCache(tmp_path / "c.sqlite", "model-a", 8) as cache:
        vectors, _, _ = embed_with_cache(encoder, cache, texts)
    assert chunks == [["a", "bb"], ["ccc", "dddd"], ["eeeee"]]
    assert np.array_equal(vectors, CountingEncoder().encode(texts))


def test_the_key_includes_the_model(tmp_path):
    encoder = CountingEncoder()
    with EmbeddingCache(tmp_path / "c.sqlite", "model-a", 8) as cache:
        embed_with_cache(encoder, cache, ["a"])
    with EmbeddingCache(tmp_path / "c.sqlite", "model-b", 8) as cache:
        _, embedded, _ = embed_with_cache(encoder, cache, ["a"])
    assert embedded == 1 and encoder.seen == ["a", "a"]


def test_fresh_re_embeds_once_and_retain_drops_the_unused(tmp_path):
    encoder = CountingEncoder()
    with EmbeddingCache(tmp_path / "c.sqlite", "m", 8) as cache:
        embed_with_cache(encoder, cache, ["old", "kept"])
    encoder.seen.clear()
    with EmbeddingCache(tmp_path / "c.sqlite", "m", 8, fresh=True) as cache:
        _, embedded, _ = embed_with_cache(encoder, cache, ["kept", "new"])
        _, again, _ = embed_with_cache(encoder, cache, ["new", "kept"])
        assert (embedded, again) == (2, 0) and sorted(encoder.seen) == ["kept", "new"]
        assert cache.retain_touched() == 1
    with EmbeddingCache(tmp_path / "c.sqlite", "m", 8) as cache:
        assert len(cache) == 2
        assert [v is None for v in cache.get_many(["old", "kept", "new"])] == [True, False, False]
