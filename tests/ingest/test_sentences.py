"""Sentence units: every sentence of a passage, short ones joined to the next, embedded."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from index.cache import EmbeddingCache
from index.records import Passage
from ingest.sentences import embed_sentences, sentence_units

TEXT = (
    "Absence often magnifies gratitude in a long marriage.\n"
    "Real-world example: Think about a vacation that ended with an amazing experience.\n"
    "Why? Because the ending is what the memory keeps for years.\n"
    "That is all."
)


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_units(text)]


class TestSentenceUnits:
    def test_each_long_sentence_is_its_own_unit(self) -> None:
        assert _texts(TEXT)[0] == "Absence often magnifies gratitude in a long marriage."

    def test_a_short_sentence_joins_the_next(self) -> None:
        units = _texts(TEXT)
        assert "Real-world example: Think about a vacation" in units[1]
        assert units[2].startswith("Why? Because the ending")

    def test_a_short_last_sentence_joins_the_one_before(self) -> None:
        assert _texts(TEXT)[-1].endswith("what the memory keeps for years.\nThat is all.")

    def test_units_are_verbatim_and_in_order(self) -> None:
        spans = sentence_units(TEXT)
        assert all(a[1] <= b[0] for a, b in pairwise(spans))
        assert all(TEXT[s:e].strip() == TEXT[s:e] for s, e in spans)

    def test_a_line_of_markup_alone_is_no_unit(self) -> None:
        # pip's Markdown: "What is ensurepip?" highlighted "```\n\nMore details about..."
        text = (
            "Run this command to install it now:\n\n```{pip-cli}\n$ pip install x\n```\n\n"
            "More details about how ensurepip works are in the library docs.\n\n---\n"
            "(target)=\n"
        )
        assert _texts(text) == [
            "Run this command to install it now:",
            "$ pip install x",
            "More details about how ensurepip works are in the library docs.",
            "(target)=",
        ]

    def test_a_text_of_one_short_sentence_is_one_unit(self) -> None:
        assert _texts("Why?") == ["Why?"]
        assert sentence_units("") == []


def test_sentences_are_embedded_through_the_cache(tmp_path, embedder) -> None:
    passages = [
        Passage("a", 0, "", 0, len(TEXT), TEXT),
        Passage("b", 0, "", 0, 47, "Tomatoes need at least six hours of sunlight."),
    ]
    cache = EmbeddingCache(tmp_path / "cache.sqlite", embedder.model_name, embedder.dimension)
    try:
        first = embed_sentences(embedder, cache, passages, embedder.dimension)
        assert first.spans[:, 0].tolist() == [0, 0, 0, 1]
        start, end = first.spans[3, 1:]
        expected = embedder.encode([passages[1].text[start:end]])[0]
        assert np.allclose(first.vectors[3], expected, atol=1e-5)
        cached = len(cache)
        again = embed_sentences(embedder, cache, passages, embedder.dimension)
        assert len(cache) == cached, "an unchanged passage costs no new embedding"
        assert np.allclose(again.vectors, first.vectors)
    finally:
        cache.close()
