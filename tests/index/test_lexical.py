"""BM25 over passages: exact words rank first; queries of only stopwords find nothing.

Segments built apart and scored together rank as one index over all their texts would.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexCorruptError
from index.lexical import SETTINGS_NAME, LexicalIndex, SegmentedLexical

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

    def test_rows_with_a_word_are_the_rows_it_scores(self) -> None:
        parts = _equal_length_segments()
        segmented = SegmentedLexical([LexicalIndex.build(part) for part in parts])
        for query in [*QUERIES, "zebra", "the of and to", ""]:
            expected = np.flatnonzero(segmented.scores(query) > 0)
            assert segmented.rows_with(query).tolist() == expected.tolist(), query

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

    def test_remembered_query_tokens_are_the_same_and_not_shared(self, monkeypatch) -> None:
        index = LexicalIndex.build(TEXTS)
        first = index.query_tokens("hours of sunlight")
        first.append("zebra")  # a caller's list is its own
        calls = []
        real = index._tokenize
        monkeypatch.setattr(index, "_tokenize", lambda texts: calls.append(texts) or real(texts))
        assert index.query_tokens("hours of sunlight") == ["hour", "sunlight"]
        assert calls == []  # remembered, not tokenized again
        assert index.query_tokens("sleep") == ["sleep"] and len(calls) == 1

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


# Every text has exactly LENGTH words that are neither stopwords nor merged by stemming,
# so every segment has the same average length and BM25's length part is the same as in
# one index over all texts: only the IDF can differ, and it must not.
WORDS = ["apple", "river", "stone", "cloud", "piano", "tiger", "lemon", "garden"]
LENGTH = 5


def _equal_length_segments() -> list[list[str]]:
    """Three segments of 6, 9 and 4 texts with skewed word mixes; "zebra" only in the second."""
    rng = random.Random(7)
    mixes = [WORDS[:3] * 4 + WORDS, WORDS[3:] * 3 + ["zebra"], WORDS[::2]]
    sizes = [6, 9, 4]
    return [
        [" ".join(rng.choice(mix) for _ in range(LENGTH)) for _ in range(size)]
        for mix, size in zip(mixes, sizes, strict=True)
    ]


QUERIES = ["apple", "zebra", "tiger lemon", "piano river stone cloud", "garden apple zebra"]


class TestSegmentedLexical:
    def test_one_segment_scores_like_its_index(self) -> None:
        index = LexicalIndex.build(TEXTS)
        segmented = SegmentedLexical([index])
        assert segmented.size == index.size == 3
        for query in ["sunlight", "need hours", "seven nights last month", "tomato tomato"]:
            assert np.allclose(segmented.scores(query), index.scores(query), rtol=1e-6, atol=0)
            assert segmented.search(query, 2)[0].tolist() == index.search(query, 2)[0].tolist()

    def test_split_corpus_scores_like_one_index(self) -> None:
        parts = _equal_length_segments()
        whole = LexicalIndex.build([text for part in parts for text in part])
        segments = [LexicalIndex.build(part) for part in parts]
        segmented = SegmentedLexical(segments)
        assert segmented.size == whole.size == 19
        for query in QUERIES:
            expected = whole.scores(query)
            assert expected.max() > 0
            assert np.allclose(segmented.scores(query), expected, rtol=1e-5, atol=1e-7)
        # The segments' own IDFs differ from the corpus's: without rescaling this would fail.
        local = np.concatenate([s.scores("apple") for s in segments])
        assert not np.allclose(local, whole.scores("apple"), rtol=1e-3)

    def test_word_in_one_segment_scores_only_its_rows(self) -> None:
        parts = _equal_length_segments()
        segmented = SegmentedLexical([LexicalIndex.build(part) for part in parts])
        scores = segmented.scores("zebra")
        first, end = len(parts[0]), len(parts[0]) + len(parts[1])
        assert np.all(scores[:first] == 0) and np.all(scores[end:] == 0)
        holders = [first + i for i, text in enumerate(parts[1]) if "zebra" in text.split()]
        assert holders and np.flatnonzero(scores).tolist() == holders
        ids, _ = segmented.search("zebra", k=100)
        assert sorted(ids.tolist()) == holders

    def test_stopword_only_and_empty_queries_find_nothing(self) -> None:
        segmented = SegmentedLexical([LexicalIndex.build(TEXTS), LexicalIndex.build(TEXTS)])
        for query in ["the of and to", "", "   ", "?!", "zebra"]:
            scores = segmented.scores(query)
            assert scores.shape == (6,) and scores.dtype == np.float32
            assert not scores.any()
            ids, found = segmented.search(query, k=5)
            assert ids.size == 0 and found.size == 0

    def test_search_best_first_ties_to_lower_id(self) -> None:
        segmented = SegmentedLexical(
            [
                LexicalIndex.build(["blue sky", "apple apple"]),
                LexicalIndex.build(["apple pie", "apple pie", "green grass"]),
            ]
        )
        ids, scores = segmented.search("apple", k=3)
        assert ids.tolist() == [1, 2, 3]
        assert scores[0] > scores[1] == scores[2] > 0
        assert segmented.search("apple", k=2)[0].tolist() == [1, 2]
        assert segmented.search("apple", k=100)[0].tolist() == [1, 2, 3]
        assert segmented.search("apple", k=0)[0].size == 0

    def test_no_segments_is_an_empty_index(self) -> None:
        segmented = SegmentedLexical([])
        assert segmented.size == 0
        assert segmented.scores("apple").shape == (0,)
        ids, scores = segmented.search("apple", k=5)
        assert ids.size == 0 and scores.size == 0

    def test_loaded_segments_score_like_built_ones(self, tmp_path: Path) -> None:
        parts = _equal_length_segments()
        built = [LexicalIndex.build(part) for part in parts]
        for i, segment in enumerate(built):
            segment.save(tmp_path / f"seg{i}")
        loaded = [LexicalIndex.load(tmp_path / f"seg{i}") for i in range(len(parts))]
        for query in QUERIES:
            before = SegmentedLexical(built).scores(query)
            assert np.array_equal(SegmentedLexical(loaded).scores(query), before)

    def test_segments_tokenized_differently_are_refused(self, tmp_path: Path) -> None:
        LexicalIndex.build(TEXTS).save(tmp_path / "seg1")
        settings_file = tmp_path / "seg1" / SETTINGS_NAME
        settings = json.loads(settings_file.read_text(encoding="utf-8"))
        settings_file.write_text(json.dumps({**settings, "stemmer": None}), encoding="utf-8")
        odd = LexicalIndex.load(tmp_path / "seg1")
        with pytest.raises(IndexCorruptError, match=r"segment 1.*cited ingest --full"):
            SegmentedLexical([LexicalIndex.build(TEXTS), odd])
