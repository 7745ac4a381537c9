"""Hybrid search: FAISS (meaning) and BM25 (exact words), fused into one ranking.

Hits stay numpy arrays until the caller turns the few it keeps into records. Every hit
carries its exact cosine to the question, so the assistant can abstain on weak matches
whichever list found it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from index.store import HNSW_EF_SEARCH, LoadedIndex

log = logging.getLogger(__name__)

Fusion = Literal["rrf", "weighted"]
DEFAULT_FUSION: Fusion = "weighted"
RRF_K = 60
# Share of the cosine in "weighted" fusion (BM25, scaled to the best match, gets the rest);
# 0.7 ranked best on tests/data/questions.jsonl over the shipped corpus.
DENSE_WEIGHT = 0.7


class QueryEncoder(Protocol):
    """What the searcher needs from an embedder."""

    def encode_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Hits:
    """Ranked passage ids with their fused score, cosine and normalised BM25, aligned."""

    ids: np.ndarray
    scores: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        none = np.zeros(0, dtype=np.float32)
        return cls(np.zeros(0, dtype=np.int64), none, none, none)

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def top_k(scores: np.ndarray, k: int, positive_only: bool = False) -> np.ndarray:
    """Positions of the `k` largest scores, best first (ties by position)."""
    candidates = np.flatnonzero(scores > 0) if positive_only else np.arange(scores.shape[0])
    if k <= 0 or candidates.size == 0:
        return np.zeros(0, dtype=np.int64)
    if candidates.size > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    return candidates[np.lexsort((candidates, -scores[candidates]))].astype(np.int64)


def rrf_scores(rankings: Sequence[np.ndarray], ids: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Reciprocal rank fusion of several best-first id lists, for each of `ids`."""
    fused = np.zeros(ids.shape[0], dtype=np.float64)
    position = {int(i): n for n, i in enumerate(ids)}
    for ranking in rankings:
        for rank, passage_id in enumerate(ranking.tolist(), start=1):
            fused[position[passage_id]] += 1.0 / (k + rank)
    return fused


class HybridSearcher:
    """Searches one loaded index with an embedder; cheap to create per request."""

    def __init__(
        self,
        loaded: LoadedIndex,
        embedder: QueryEncoder,
        fusion: Fusion = DEFAULT_FUSION,
        dense_weight: float = DENSE_WEIGHT,
    ) -> None:
        if fusion not in ("rrf", "weighted"):
            raise ValueError(f"fusion must be 'rrf' or 'weighted', got {fusion!r}")
        self.loaded = loaded
        self.embedder = embedder
        self.fusion = fusion
        self.dense_weight = dense_weight

    def search(
        self,
        question: str,
        k: int = 5,
        doc_ids: Sequence[str] | None = None,
        candidates: int = 50,
        query_vector: np.ndarray | None = None,
    ) -> Hits:
        """The best `k` passages for `question`, only from `doc_ids` when given.

        Pass `query_vector` when the question is already encoded, to encode it once.
        """
        subset = None if doc_ids is None else self.loaded.passage_ids_for_docs(doc_ids)
        if k <= 0 or (subset is not None and subset.size == 0):
            return Hits.empty()
        if query_vector is None:
            query_vector = self.embedder.encode_query(question)
        query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        pool = max(candidates, k)
        dense_ids, _ = self.dense_search(query, pool, subset)
        bm25 = self._bm25_scores(question, subset)
        lexical_ids = top_k(bm25, pool, positive_only=True)
        return self._fuse(query, dense_ids, lexical_ids, bm25, k)

    def dense_search(
        self, question_vec: np.ndarray, k: int, ids_subset: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Passage ids and cosines of the `k` nearest passages (exact within `ids_subset`)."""
        query = np.asarray(question_vec, dtype=np.float32).reshape(1, -1)
        if ids_subset is not None:
            ids_subset = np.asarray(ids_subset, dtype=np.int64)
            cosines = self.loaded.passage_vectors(ids_subset) @ query[0]
            best = top_k(cosines, k)
            return ids_subset[best], cosines[best]
        k = min(k, self.loaded.passage_count)
        index = self.loaded.faiss_index
        scores, ids = index.search(query, k, params=_search_params(index, k))
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)

    def lexical_search(
        self, question: str, k: int, ids_subset: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Passage ids and raw BM25 scores of the `k` best word matches (positive scores only)."""
        bm25 = self._bm25_scores(question, ids_subset)
        ids = top_k(bm25, k, positive_only=True)
        return ids, bm25[ids]

    def _bm25_scores(self, question: str, subset: np.ndarray | None) -> np.ndarray:
        """BM25 of every passage for `question`, zero outside `subset` when given."""
        bm25 = self.loaded.lexical.scores(question)
        if subset is None:
            return bm25
        masked = np.zeros_like(bm25)
        masked[subset] = bm25[subset]
        return masked

    def _fuse(
        self,
        query: np.ndarray,
        dense_ids: np.ndarray,
        lexical_ids: np.ndarray,
        bm25: np.ndarray,
        k: int,
    ) -> Hits:
        ids = np.union1d(dense_ids, lexical_ids).astype(np.int64)
        if ids.size == 0:
            return Hits.empty()
        cosines = (self.loaded.passage_vectors(ids) @ query).astype(np.float32)
        top_bm25 = float(bm25.max(initial=0.0))
        lexical = (bm25[ids] / top_bm25 if top_bm25 > 0 else np.zeros(ids.size)).astype(np.float32)
        if self.fusion == "rrf":
            fused = rrf_scores([dense_ids, lexical_ids], ids)
        else:
            fused = self.dense_weight * cosines + (1.0 - self.dense_weight) * lexical
        order = np.lexsort((ids, -cosines, -fused))[:k]
        return Hits(ids[order], fused[order].astype(np.float32), cosines[order], lexical[order])


def _search_params(index: Any, k: int) -> Any:
    """For HNSW, search parameters wide enough to find `k` results; None for exact indexes."""
    if not hasattr(index, "hnsw"):
        return None
    import faiss

    return faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
