"""Hybrid search: meaning (passages and their sentences) and exact words, fused.

A passage's meaning score mixes its own cosine to the question with the cosine of its best
sentence unit (a long passage that holds one answering sentence is not drowned by the rest
of it); BM25 over section title and text adds exact words. Hits stay numpy arrays until
the caller turns the few it keeps into records; each carries its cosines, so the assistant
can abstain on weak matches, and the row of its best sentence, to highlight it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from index.loaded import LoadedIndex
from index.textfold import fold

log = logging.getLogger(__name__)

Fusion = Literal["weighted", "rrf", "dense", "bm25"]
FUSIONS: tuple[Fusion, ...] = ("weighted", "rrf", "dense", "bm25")
DEFAULT_FUSION: Fusion = "weighted"
RRF_K = 60
# Tuned on the "tune" split of tests/data/questions.jsonl (see docs/quality.md).
#: Share of the meaning score in "weighted" fusion; BM25, scaled to the best match, gets the rest.
DENSE_WEIGHT = 0.75
#: Share of the best sentence's cosine in the meaning score; the passage cosine gets the rest.
SENTENCE_WEIGHT = 0.5
CANDIDATES = 50
#: A passage this close (cosine) to a better hit is the same passage again: a file saved
#: twice ("page (1).html"), or a manual as PDF beside its HTML (R's FAQ: a passage's median
#: cosine to its other edition's is 0.99), and is not a hit. Distinct passages stay below
#: 0.88 (the shipped articles, Python's pages, R's FAQ, the articles beside 8 manuals).
SAME_PASSAGE = 0.95
#: A passage this much of whose text (its 5-word runs) better hits already show is shown
#: already: the PDF and HTML editions of one manual are cut into passages at different
#: places, so a passage of one edition is half of one passage of the other and half of the
#: next, at cosines down to 0.5 ("R is a system for statistical computation..." of R's FAQ).
#: Passages of different documents share at most 0.2 of their runs in the shipped
#: articles, the Python pages, 27 web pages and the articles beside 8 manuals.
SAME_TEXT = 0.5
#: Words in a run: long enough that two texts share one only by quoting each other.
RUN_WORDS = 5


class QueryEncoder(Protocol):
    """What the searcher needs from an embedder."""

    def encode_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Hits:
    """Ranked passages, aligned arrays: fused score, passage cosine, best-sentence cosine,
    meaning score (their mix), BM25 scaled to the best match, and best sentence row (-1: none)."""

    ids: np.ndarray
    scores: np.ndarray
    dense: np.ndarray
    sentence: np.ndarray
    semantic: np.ndarray
    lexical: np.ndarray
    unit: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        none = np.zeros(0, dtype=np.float32)
        ids = np.zeros(0, dtype=np.int64)
        return cls(ids, none, none, none, none, none, ids)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def take(self, rows: Sequence[int] | np.ndarray) -> Hits:
        """These rows of every array, in this order."""
        rows = np.asarray(rows, dtype=np.int64)
        return Hits(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


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


def best_sentences(
    loaded: LoadedIndex, ids: np.ndarray, query: np.ndarray, passage_cosines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each passage of `ids`: the cosine of its best sentence unit and that unit's row.

    A passage without units (or an index without sentences) keeps its passage cosine, -1."""
    best = np.array(passage_cosines, dtype=np.float32)
    unit = np.full(ids.shape[0], -1, dtype=np.int64)
    rows, owners = loaded.sentence_rows(ids)
    if rows.size == 0:
        return best, unit
    cosines = loaded.sentence_vectors(rows) @ query
    order = np.lexsort((-cosines, owners))  # by owner, best sentence first
    first = order[np.r_[True, owners[order][1:] != owners[order][:-1]]]
    best[owners[first]] = cosines[first]
    unit[owners[first]] = rows[first]
    return best, unit


class HybridSearcher:
    """Searches one loaded index with an embedder; cheap to create per request."""

    def __init__(
        self,
        loaded: LoadedIndex,
        embedder: QueryEncoder,
        fusion: Fusion = DEFAULT_FUSION,
        dense_weight: float = DENSE_WEIGHT,
        sentence_weight: float = SENTENCE_WEIGHT,
    ) -> None:
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, got {fusion!r}")
        for name, value in (("dense_weight", dense_weight), ("sentence_weight", sentence_weight)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        self.loaded = loaded
        self.embedder = embedder
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.sentence_weight = sentence_weight

    def search(
        self,
        question: str,
        k: int = 5,
        doc_ids: Sequence[str] | None = None,
        candidates: int = CANDIDATES,
        query_vector: np.ndarray | None = None,
    ) -> Hits:
        """The best `k` passages for `question`, only from `doc_ids` when given.

        Candidates are the `candidates` nearest passages and the `candidates` best word
        matches; pass `query_vector` when the question is already encoded."""
        subset = None if doc_ids is None else self.loaded.passage_ids_for_docs(doc_ids)
        if k <= 0 or (subset is not None and subset.size == 0):
            return Hits.empty()
        if query_vector is None:
            query_vector = self.embedder.encode_query(question)
        query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        pool = max(candidates, k)
        dense_ids = np.zeros(0, dtype=np.int64)
        if self.fusion != "bm25":
            dense_ids, _ = self.dense_search(query, pool, subset)
        bm25 = self._bm25_scores(question, subset)
        lexical_ids = np.zeros(0, dtype=np.int64)
        if self.fusion != "dense":
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
        scores, ids = self.loaded.faiss_index.search(query[0], k)
        return ids, scores

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
        vectors = self.loaded.passage_vectors(ids)
        cosines = (vectors @ query).astype(np.float32)
        sentence, unit = best_sentences(self.loaded, ids, query, cosines)
        semantic = (1.0 - self.sentence_weight) * cosines + self.sentence_weight * sentence
        top_bm25 = float(bm25.max(initial=0.0))
        lexical = (bm25[ids] / top_bm25 if top_bm25 > 0 else np.zeros(ids.size)).astype(np.float32)
        fused = self._fused_scores(ids, semantic, lexical)
        order = np.lexsort((ids, -semantic, -fused))
        hits = Hits(ids, fused.astype(np.float32), cosines, sentence, semantic, lexical, unit)
        return hits.take(self._distinct(ids, vectors, fused, order, k))

    def _distinct(
        self, ids: np.ndarray, vectors: np.ndarray, fused: np.ndarray, order: np.ndarray, k: int
    ) -> np.ndarray:
        """The first `k` rows of `order` that are not the same passage as a better row
        (SAME_PASSAGE) nor text the better rows already show (SAME_TEXT). Of two copies
        scored alike, the one of the shorter document name stays: "page (1).html" is the
        second save of "page.html"."""
        kept: list[int] = []
        shown: set[tuple[str, ...]] | None = None  # read once a second row is compared
        for row in order.tolist():
            likeness = vectors[kept] @ vectors[row] if kept else np.zeros(0)
            same = int(np.argmax(likeness)) if likeness.size else -1
            if same >= 0 and likeness[same] >= SAME_PASSAGE:
                if abs(float(fused[row] - fused[kept[same]])) < 1e-6 and self._named_first(
                    ids[row], ids[kept[same]]
                ):
                    kept[same] = row  # a copy: its runs are the ones it replaces
                continue
            if kept:
                shown = self._runs(ids[kept[0]]) if shown is None else shown
                runs = self._runs(ids[row])
                if runs and len(runs & shown) >= SAME_TEXT * len(runs):
                    continue
                shown |= runs
            kept.append(row)
            if len(kept) == k:
                break
        return np.asarray(kept, dtype=np.int64)

    def _runs(self, passage_id: int) -> set[tuple[str, ...]]:
        [passage] = self.loaded.passages([int(passage_id)])
        return word_runs(passage.text)

    def _named_first(self, one: int, other: int) -> bool:
        """Whether passage `one`'s document name is shorter than passage `other`'s."""
        first, second = self.loaded.passages([int(one), int(other)])
        return (len(first.doc_id), first.doc_id) < (len(second.doc_id), second.doc_id)

    def _fused_scores(self, ids: np.ndarray, semantic: np.ndarray, lexical: np.ndarray) -> Any:
        if self.fusion == "dense":
            return semantic
        if self.fusion == "bm25":
            return lexical
        if self.fusion == "rrf":
            by_meaning = ids[np.lexsort((ids, -semantic))]
            by_words = ids[np.lexsort((ids, -lexical))][: int(np.count_nonzero(lexical > 0))]
            return rrf_scores([by_meaning, by_words], ids)
        return self.dense_weight * semantic + (1.0 - self.dense_weight) * lexical


def word_runs(text: str) -> set[tuple[str, ...]]:
    """The runs of RUN_WORDS consecutive words of `text`, folded (case, ligatures, words
    hyphenated at line ends), by which two editions of one text are told alike."""
    words = _RUN_WORD.findall(fold(text).lower())
    return {tuple(words[i : i + RUN_WORDS]) for i in range(len(words) - RUN_WORDS + 1)}


_RUN_WORD = re.compile(r"[^\W_]+")
