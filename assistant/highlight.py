"""Highlight: the sentence of a quoted passage that best answers the question.

Meaning alone (the sentence vector closest to the question) lands on the answering
sentence about half the time: a sentence on the same topic often reads closer than the
one that answers. So each stored sentence unit of the passage is scored by its cosine to
the question, plus the share of the question's key words it holds, plus, for a "What is
X?" question, whether it defines X ("X is...", "X means..."); a bare heading never wins.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from index.lexical import LexicalIndex
from index.loaded import LoadedIndex
from index.records import Passage
from ingest.text import sentence_spans

Span = tuple[int, int]

#: Weights of the key-word share, a definition of the asked term, a heading (tuned on the
#: tune split of tests/data/questions.jsonl; docs/quality.md).
TERMS_WEIGHT = 0.3
DEFINITION_WEIGHT = 0.15
HEADING_PENALTY = 0.5
_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(?P<term>[^?]+?)\s*"
    r"(?:\?|$)|^\s*what\s+does\s+(?:an?\s+|the\s+)?(?P<term2>[^?]+?)\s+mean\b",
    re.IGNORECASE,
)
_DEFINES = r"\s*(?:[,(—–-][^.]{0,60})?\s*(?:is|are|means?|refers?\s+to|describes?|happens)\b"


def best_sentence(
    loaded: LoadedIndex, passage_id: int, passage: Passage, question: str, query: np.ndarray
) -> Span:
    """The span, inside `passage.text`, of the sentence that best answers `question`."""
    rows, _ = loaded.sentence_rows([passage_id])
    if rows.size:
        spans = [loaded.sentence_span(int(r)) for r in rows]
        cosines = loaded.sentence_vectors(rows.tolist()) @ np.asarray(query, dtype=np.float32)
    else:
        spans = [s for s in sentence_spans(passage.text) if s[1] - s[0] > 1]
        cosines = np.zeros(len(spans), dtype=np.float32)
    if not spans:
        return (0, len(passage.text))
    texts = [passage.text[s:e] for s, e in spans]
    weights = _term_weights(loaded, question)
    bonus = [_bonus(question, t, weights) for t in texts]
    scores = cosines + np.asarray(bonus, dtype=np.float32)
    return spans[int(np.argmax(scores))]


def _term_weights(loaded: LoadedIndex, question: str) -> dict[str, float]:
    """Each key word of the question weighted by its rarity in the corpus (BM25's IDF):
    sharing "grandmother" says more than sharing "time"."""
    key = (loaded.version, question)
    if key not in _WEIGHTS:
        if len(_WEIGHTS) > 2048:
            _WEIGHTS.clear()
        total = max(loaded.passage_count, 1)
        weights = {}
        for token in _tokens(question):
            df = int((loaded.lexical.scores(token) > 0).sum())
            weights[token] = float(np.log(1 + (total - df + 0.5) / (df + 0.5)))
        _WEIGHTS[key] = weights
    return _WEIGHTS[key]


_WEIGHTS: dict[tuple[str, str], dict[str, float]] = {}


def _bonus(question: str, sentence: str, weights: dict[str, float]) -> float:
    """Key-word share (by rarity) and definition bonus, less the heading penalty."""
    held = _tokens(sentence)
    total = sum(weights.values())
    share = sum(w for t, w in weights.items() if t in held) / total if total else 0.0
    bonus = TERMS_WEIGHT * share
    term = _asked_term(question)
    if term and re.search(rf"\b{re.escape(term)}\b{_DEFINES}", sentence, re.IGNORECASE):
        bonus += DEFINITION_WEIGHT
    if _is_heading(sentence):
        bonus -= HEADING_PENALTY
    return bonus


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(LexicalIndex.tokenize([text])[0])


def _asked_term(question: str) -> str | None:
    """X of "What is X?" / "What does X mean?", or None for other questions."""
    match = _DEFINITION_QUESTION.search(question)
    if not match:
        return None
    term = (match.group("term") or match.group("term2") or "").strip()
    return term if 0 < len(term.split()) <= 5 else None


def _is_heading(sentence: str) -> bool:
    """A line with no sentence punctuation and few words: a heading, not an answer."""
    lines = [line.strip() for line in sentence.strip().splitlines() if line.strip()]
    if not lines:
        return True
    return all(len(line.split()) <= 12 and not re.search(r"[.!?:;”\"’)]$", line) for line in lines)
