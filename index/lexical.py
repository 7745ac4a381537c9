"""BM25 over the passage texts (bm25s), the exact-word half of hybrid search.

Text is lowercased, split into words, stripped of English stopwords and stemmed with
PyStemmer when it is installed. The same settings are saved beside the index so a query
is always tokenized the way the passages were.

A large index is split into segments, each its own `LexicalIndex`; `SegmentedLexical`
scores them together with one corpus-wide IDF so their scores stay comparable.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np

from index.errors import IndexCorruptError
from index.textfold import fold

log = logging.getLogger(__name__)

SETTINGS_NAME = "cited.lexical.json"
STOPWORDS = "en"
STEMMER_LANGUAGE = "english"
#: BM25 term saturation (bm25s's default) and length normalisation. Passages are cut to a
#: similar size, so most of their length difference is a short tail or a long heading:
#: bm25s's b = 0.75 over-rewarded those short passages. b in 0.4-0.6 ties or beats 0.75 on
#: the tune splits of both corpora (docs/quality.md); 0.5 is the middle of that range.
K1 = 1.5
B = 0.5


def _bm25s() -> Any:
    """Import bm25s, undoing its forcing of its own logger to DEBUG (it chats on every build)."""
    import bm25s

    bm25s_log = logging.getLogger("bm25s")
    if bm25s_log.level == logging.DEBUG:
        bm25s_log.setLevel(logging.WARNING)
    return bm25s


def _make_stemmer(language: str | None) -> Any:
    """A PyStemmer stemmer for `language`, or None when none is wanted or installed."""
    if language is None:
        return None
    try:
        import Stemmer
    except ImportError:
        log.warning("PyStemmer is not installed; BM25 will match exact word forms only")
        return None
    return Stemmer.Stemmer(language)


def _lucene_idf(df: np.ndarray, num_docs: np.ndarray | int) -> np.ndarray:
    """bm25s's "lucene" IDF (the method `LexicalIndex.build` uses), in float64."""
    df = np.asarray(df, dtype=np.float64)
    return np.log1p((num_docs - df + 0.5) / (df + 0.5))


def _top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids and scores of the best `k` positive scores, best first, ties by lower id."""
    positive = np.flatnonzero(scores > 0)
    if k <= 0 or positive.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if positive.size > k:
        top = np.argpartition(-scores[positive], k - 1)[:k]
        positive = positive[top]
    order = np.lexsort((positive, -scores[positive]))
    ids = positive[order].astype(np.int64)
    return ids, scores[ids]


def kept_words(words: Sequence[str]) -> set[str]:
    """Which of `words` BM25 keeps as tokens (not a stopword, not punctuation), remembered
    per word: one tokenizer call for the words not seen before."""
    known = {w: _KEPT.get(w) for w in dict.fromkeys(words)}
    new = [w for w, kept in known.items() if kept is None]
    if new:
        fresh = dict(zip(new, (bool(t) for t in LexicalIndex.tokenize(new)), strict=True))
        known.update(fresh)
        with _KEPT_LOCK:
            if len(_KEPT) > 65536:
                _KEPT.clear()
            _KEPT.update(fresh)
    return {w for w, kept in known.items() if kept}


_KEPT: dict[str, bool] = {}
#: The most query texts one index remembers the tokens of.
QUERY_CACHE_SIZE = 4096
_KEPT_LOCK = threading.Lock()


class LexicalIndex:
    """A BM25 index whose document ids are row numbers into the passage list."""

    def __init__(
        self, retriever: Any, stemmer_language: str | None, stopwords: str = STOPWORDS
    ) -> None:
        self._retriever = retriever
        self._stemmer_language = stemmer_language
        self._stopwords = stopwords
        self._stemmer = _make_stemmer(stemmer_language)
        self._lock = threading.Lock()  # PyStemmer objects are not thread-safe
        #: A question's and its words' tokens: answering one looks up the same words often.
        self._query_cache: dict[str, list[str]] = {}

    @property
    def size(self) -> int:
        """Number of indexed texts."""
        return int(self._retriever.scores["num_docs"])

    @property
    def settings(self) -> dict[str, str | None]:
        """How texts are tokenized (stopword list, stemmer language); saved with the index."""
        return {"stopwords": self._stopwords, "stemmer": self._stemmer_language}

    @property
    def parameters(self) -> tuple[float, float]:
        """The (k1, b) this index was scored with; bm25s saves them beside its arrays."""
        return float(self._retriever.k1), float(self._retriever.b)

    def _tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        bm25s = _bm25s()
        with self._lock:
            return bm25s.tokenize(
                [fold(text) for text in texts],  # ligatures, line-end hyphens (PDF)
                stopwords=self._stopwords,
                stemmer=self._stemmer,
                return_ids=False,
                show_progress=False,
            )

    @classmethod
    def tokenize(cls, texts: Sequence[str]) -> list[list[str]]:
        """The tokens `build` indexes for each text (lower-cased stems, stopwords dropped):
        a build may keep them and pass them to `from_tokens` instead of tokenizing again."""
        return cls._new()._tokenize(texts)

    @classmethod
    def _new(cls) -> Self:
        stemmer = _make_stemmer(STEMMER_LANGUAGE)
        retriever = _bm25s().BM25(k1=K1, b=B)
        return cls(retriever, STEMMER_LANGUAGE if stemmer is not None else None)

    @classmethod
    def from_tokens(cls, tokens: Sequence[list[str]]) -> Self:
        """Index texts already tokenized by `tokenize`; row i holds tokens[i]."""
        index = cls._new()
        index._retriever.index(list(tokens), show_progress=False)
        return index

    @classmethod
    def build(cls, texts: Sequence[str]) -> Self:
        """Index `texts`; row i of the result is texts[i]."""
        return cls.from_tokens(cls.tokenize(texts))

    def save(self, directory: Path) -> None:
        """Write the index into `directory` (created if needed), one file per array."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(directory, show_progress=False)
        (directory / SETTINGS_NAME).write_text(json.dumps(self.settings), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> Self:
        """Read an index saved by `save`, memory-mapping its score arrays."""
        bm25s = _bm25s()
        directory = Path(directory)
        settings = json.loads((directory / SETTINGS_NAME).read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(directory, mmap=mmap, show_progress=False)
        return cls(retriever, settings.get("stemmer"), settings.get("stopwords", STOPWORDS))

    def query_tokens(self, query: str) -> list[str]:
        """The distinct words of `query` as this index tokenizes them, sorted; a word
        repeated in the query counts once, as in `scores`."""
        tokens = self._query_cache.get(query)
        if tokens is None:
            if len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.clear()
            tokens = sorted({t for t in self._tokenize([query])[0] if t})
            self._query_cache[query] = tokens
        return list(tokens)

    def column(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding `token` and their stored scores (local IDF x term weight).

        The number of rows is the token's local document frequency; a token the index
        never saw gives two empty arrays.
        """
        indptr, indices, data = self._csc
        column = self._retriever.vocab_dict.get(token)
        if not token or column is None or column + 1 >= len(indptr):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        start, end = int(indptr[column]), int(indptr[column + 1])  # unpacking a slice: 5x slower
        return indices[start:end], data[start:end]

    @functools.cached_property
    def _csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """indptr, indices and data of the score matrix as plain arrays (taken after build:
        indexing a loaded np.memmap goes through Python and is several times slower)."""
        scores = self._retriever.scores
        return (
            np.asarray(scores["indptr"]),
            np.asarray(scores["indices"]),
            np.asarray(scores["data"]),
        )

    def _query_ids(self, query: str) -> list[int]:
        vocab = self._retriever.vocab_dict
        return sorted(vocab[t] for t in self.query_tokens(query) if t in vocab)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text for `query` (zeros when no word matches)."""
        token_ids = self._query_ids(query)
        if not token_ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores_from_ids(token_ids), dtype=np.float32)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and scores of the best `k` texts with a positive score, best first.

        An empty or stopword-only query gives empty arrays.
        """
        return _top_k(self.scores(query), k)


class SegmentedLexical:
    """Consecutive `LexicalIndex` segments scored as one index over all their rows.

    Segment i holds global rows offset_i .. offset_i + size_i, in list order. Each
    segment's stored scores carry its own IDF; they are rescaled to the IDF of the whole
    corpus, so a word rare overall scores alike in every segment.
    """

    def __init__(self, segments: Sequence[LexicalIndex]) -> None:
        self._segments = list(segments)
        for i, segment in enumerate(self._segments[1:], start=1):
            if segment.settings != self._segments[0].settings:
                raise IndexCorruptError(
                    f"lexical segment {i} was tokenized with {segment.settings} but segment 0 "
                    f"with {self._segments[0].settings}; run `cited ingest --full`"
                )
        self._sizes = np.array([s.size for s in self._segments], dtype=np.int64)
        self._offsets = np.cumsum(self._sizes) - self._sizes

    @property
    def size(self) -> int:
        """Number of rows over all segments."""
        return int(self._sizes.sum())

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for `query`, with one corpus-wide IDF (zeros if no match)."""
        # All segments tokenize alike (checked on construction): tokenize once.
        tokens = self._segments[0].query_tokens(query) if self._segments else []
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        columns = [[segment.column(t) for t in tokens] for segment in self._segments]
        factors = self._idf_factors(columns)
        # Every posting of every segment at once: global row, stored score x its factor,
        # summed per row by one bincount (a bincount per segment cost 50 passes at 100,000).
        postings = [column for segment in columns for column in segment]
        lengths = [rows.size for rows, _ in postings]
        offsets = np.repeat(self._offsets, len(tokens))
        rows = np.concatenate([r for r, _ in postings]) + np.repeat(offsets, lengths)
        weights = np.concatenate([v for _, v in postings]) * np.repeat(factors.ravel(), lengths)
        return np.bincount(rows, weights, minlength=self.size).astype(np.float32)

    def rows_with(self, text: str) -> np.ndarray:
        """Global rows holding any word of `text`, ascending: the rows `scores` makes
        positive, read from the postings alone (a document frequency is its size)."""
        tokens = self._segments[0].query_tokens(text) if self._segments else []
        found = [
            segment.column(token)[0] + offset
            for segment, offset in zip(self._segments, self._offsets, strict=True)
            for token in tokens
        ]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def _idf_factors(self, columns: list[list[tuple[np.ndarray, np.ndarray]]]) -> np.ndarray:
        """idf_global / idf_local for each (segment, query token), 0 where the segment lacks it.

        A stored score is idf_local x tfc, so this factor swaps in the corpus IDF exactly.
        The tfc part keeps its segment's own average length and (k1, b) (bm25s bakes them
        in): a segment written before K1 or B changed scores the old way until `--full`.
        """
        df = np.array([[rows.size for rows, _ in segment] for segment in columns])
        idf_global = _lucene_idf(df.sum(axis=0), self.size)
        idf_local = _lucene_idf(df, self._sizes[:, None])
        return np.divide(idf_global, idf_local, out=np.zeros(df.shape), where=df > 0)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Global row ids and scores of the best `k` rows with a positive score, best first.

        Ties go to the lower id; an empty or stopword-only query gives empty arrays.
        """
        return _top_k(self.scores(query), k)
