"""BM25's length normalisation in hybrid search: a short fragment that shares a word or two
with the question must not outrank the passage that answers it (real model, shipped index)."""

from __future__ import annotations

from pathlib import Path

from index.lexical import K1, B, LexicalIndex
from index.loaded import LoadedIndex
from index.search import HybridSearcher

TEXTS = [
    "Adults need seven to nine hours of sleep a night.",
    "Tomatoes need six hours of direct sunlight.",
    "Cancel subscriptions you no longer use.",
]


def test_the_answering_passage_outranks_a_short_fragment(shipped_index: Path, embedder) -> None:
    # With bm25s's b = 0.75 a 139-character call to action ("If you want to apply these
    # principles...") came first: its few words counted as much as the whole answer.
    with LoadedIndex.load(shipped_index) as loaded:
        hits = HybridSearcher(loaded, embedder).search(
            "Are these timelines guaranteed for everyone?"
        )
        [top] = loaded.passages([int(hits.ids[0])])
        assert "These are general patterns, not guarantees" in top.text
        assert len(top.text) > 500


def test_the_bm25_parameters_are_kept_with_the_index(tmp_path: Path) -> None:
    index = LexicalIndex.build(TEXTS)
    assert index.parameters == (K1, B)
    index.save(tmp_path / "bm25")
    assert LexicalIndex.load(tmp_path / "bm25").parameters == (K1, B)


def test_an_index_saved_with_other_parameters_scores_with_its_own(tmp_path: Path) -> None:
    # A segment written before B changed keeps scoring as it was built, until --full.
    import bm25s

    tokens = LexicalIndex.tokenize(TEXTS)
    old = bm25s.BM25(k1=1.5, b=0.75)
    old.index(tokens, show_progress=False)
    LexicalIndex(old, "english").save(tmp_path / "old")
    loaded = LexicalIndex.load(tmp_path / "old")
    assert loaded.parameters == (1.5, 0.75)
    assert loaded.scores("hours").tolist() == LexicalIndex(old, "english").scores("hours").tolist()
    assert loaded.scores("hours").tolist() != LexicalIndex.build(TEXTS).scores("hours").tolist()
