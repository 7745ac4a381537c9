"""BM25 over passages: exact words rank first; queries of only stopwords find nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.lexical import LexicalIndex

TEXTS = [
    "Tomatoes need at least six hours of direct sunlight each day.",
    "Adults need seven to nine hours of sleep every night.",
    "Cancel subscriptions you have not used in the last month.",
]


class TestLexicalIndex:
    def test_exact_word_ranks_its_text_first(self) -> None:
        ids, scores = LexicalIndex.build(TEXTS).search("subscriptions", k=3)
        assert ids.tolist() == [2]
        assert scores[0] > 0

    def test_stemming_matches_other_word_forms(self) -> None:
        ids, _ = LexicalIndex.build(TEXTS).search("tomato sleeping", k=3)
        assert set(ids.tolist()) == {0, 1}

    def test_stopword_only_and_empty_queries_find_nothing(self) -> None:
        index = LexicalIndex.build(TEXTS)
        for query in ["the of and to", "", "   ", "?!"]:
            ids, scores = index.search(query, k=5)
            assert ids.size == 0 and scores.size == 0

    def test_k_larger_than_corpus(self) -> None:
        ids, scores = LexicalIndex.build(TEXTS).search("need hours", k=100)
        assert sorted(ids.tolist()) == [0, 1]
        assert scores[0] >= scores[1]

    def test_save_load_round_trip(self, tmp_path: Path) -> None:
        index = LexicalIndex.build(TEXTS)
        index.save(tmp_path / "bm25")
        loaded = LexicalIndex.load(tmp_path / "bm25")
        for query in ["sunlight", "seven nights", "last month"]:
            before, after = index.search(query, 3), loaded.search(query, 3)
            assert before[0].tolist() == after[0].tolist()
            assert before[1].tolist() == after[1].tolist()

    def test_repeated_query_word_counts_once(self) -> None:
        index = LexicalIndex.build(TEXTS)
        once, twice = index.scores("sunlight"), index.scores("sunlight sunlight sunlight")
        assert np.array_equal(once, twice)
        assert index.query_tokens("Sunlight, sunlight and SLEEP") == ["sleep", "sunlight"]

    def test_column_lists_rows_and_local_document_frequency(self) -> None:
        index = LexicalIndex.build(TEXTS)
        rows, values = index.column("hour")  # stemmed form of "hours"
        assert sorted(rows.tolist()) == [0, 1]
        assert np.allclose(index.scores("hours")[rows], values, rtol=1e-6)
        for missing in ["zebra", ""]:
            rows, values = index.column(missing)
            assert rows.size == 0 and values.size == 0

    def test_settings_survive_save_and_load(self, tmp_path: Path) -> None:
        index = LexicalIndex.build(TEXTS)
        index.save(tmp_path / "bm25")
        assert LexicalIndex.load(tmp_path / "bm25").settings == index.settings
