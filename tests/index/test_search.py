"""Hybrid search: meaning and exact words fused, cosines kept for abstention, doc filters."""

from __future__ import annotations

import numpy as np
import pytest

from index.loaded import LoadedIndex
from index.search import HybridSearcher, rrf_scores, top_k


@pytest.fixture
def loaded(tmp_path, publish_small):
    publish_small(tmp_path)
    with LoadedIndex.load(tmp_path) as index:
        yield index


def _text(loaded: LoadedIndex, passage_id: int) -> str:
    return loaded.passages([passage_id])[0].text


class TestHybridSearcher:
    def test_paraphrase_finds_the_right_passage(self, loaded, embedder):
        hits = HybridSearcher(loaded, embedder).search("How long should grown-ups rest at night?")
        assert _text(loaded, int(hits.ids[0])).startswith("Adults need seven to nine hours")

    @pytest.mark.parametrize("fusion", ["rrf", "weighted"])
    def test_hits_are_aligned_and_sorted(self, loaded, embedder, fusion):
        hits = HybridSearcher(loaded, embedder, fusion=fusion).search("sunlight for tomatoes", k=4)
        assert len(hits) == 4
        assert hits.ids.shape == hits.scores.shape == hits.dense.shape == hits.lexical.shape
        assert np.all(np.diff(hits.scores) <= 1e-9)
        assert _text(loaded, int(hits.ids[0])).startswith("Tomatoes need")
        query = embedder.encode_query("sunlight for tomatoes")
        assert np.allclose(hits.dense, loaded.passage_vectors(hits.ids) @ query, atol=1e-5)
        assert hits.lexical.max() == pytest.approx(1.0)

    def test_doc_filter_returns_only_that_document(self, loaded, embedder):
        hits = HybridSearcher(loaded, embedder).search("how much sleep", k=5, doc_ids=["garden"])
        assert len(hits) == 2
        assert {p.doc_id for p in loaded.passages(hits.ids)} == {"garden"}

    def test_unknown_doc_filter_finds_nothing(self, loaded, embedder):
        assert len(HybridSearcher(loaded, embedder).search("sleep", doc_ids=["nope"])) == 0

    def test_unrelated_question_has_low_cosine(self, loaded, embedder):
        hits = HybridSearcher(loaded, embedder).search("quantum chromodynamics of gluons", k=3)
        related = HybridSearcher(loaded, embedder).search("hours of sleep adults need", k=1)
        assert hits.dense.max() < related.dense[0]

    def test_given_query_vector_is_used(self, loaded, embedder):
        vector = embedder.encode_query("cancel unused subscriptions")
        hits = HybridSearcher(loaded, embedder).search("", k=1, query_vector=vector)
        assert _text(loaded, int(hits.ids[0])).startswith("Cancel subscriptions")


class TestFusionHelpers:
    def test_top_k_orders_and_limits(self):
        assert top_k(np.array([0.1, 0.9, 0.5, 0.0]), 2).tolist() == [1, 2]
        assert top_k(np.array([0.0, 2.0]), 5, positive_only=True).tolist() == [1]

    def test_rrf_rewards_agreement(self):
        ids = np.array([1, 2, 3])
        fused = rrf_scores([np.array([1, 2]), np.array([2, 3])], ids)
        assert fused.argmax() == 1
