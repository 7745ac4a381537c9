"""Highlight evidence read in context: a quote passed through the model whole, once.

A stored sentence vector was embedded alone, so "They're too busy pursuing their
passions" does not know who "they" are. Reading a quote whole gives every token a state
in its passage's context (index/embed_tokens.py), and from one forward pass over the quote
and the question each of its sentences gets two scores:

- its contextual vector (the mean of its tokens' states, as the model pools a sentence)
  against the question's vector;
- its token precision, as BERTScore computes it: the mean, over the sentence's content
  tokens (words BM25 keeps), of each one's best cosine to a content token of the
  question. States are first centred on the mean token of all the shown quotes, what
  their words share (their topic, and the one direction all BERT states lean to), so
  what is left is what each word adds. A sentence whose words are about what was asked
  scores high; one that only shares the topic scores low. That mean comes from the
  quotes' stored vectors (each is the unit-length mean of its passage's tokens), taken
  at the read tokens' length, so the quotes not read cost nothing.

Both are added, weighted, to the stored-vector score (`highlight.py`, which reads only the
first quote, and only when that score cannot tell its best two answer units apart);
docs/quality.md, "Read in context", has the measurements and the cost (one model call,
~25 ms, for a fifth of answers; off by default for it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.embed_tokens import TokenStates
from index.lexical import kept_words

Span = tuple[int, int]
#: Weights of the contextual cosine and the token precision beside the stored vector's
#: cosine (weight 1). The two vectors mostly agree (mean cosine 0.68), so the contextual
#: one counts half; chosen on the tune splits of both corpora (docs/quality.md).
CONTEXT_WEIGHT = 0.5
PRECISION_WEIGHT = 1.0
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Evidence:
    """What reading one quote in context says of each of its sentences (0 for a sentence
    the model did not read: past its token limit)."""

    cosine: np.ndarray  # of the sentence's contextual vector to the question's
    precision: np.ndarray  # of its content tokens against the question's

    def score(self) -> np.ndarray:
        """What is added to each sentence's stored-vector score."""
        return CONTEXT_WEIGHT * self.cosine + PRECISION_WEIGHT * self.precision


def contextual_scores(
    embedder: Any,
    question: str,
    query: np.ndarray,
    read: Sequence[tuple[str, Sequence[Span]]],
    shown: np.ndarray,
) -> list[np.ndarray]:
    """For each (text, sentence spans) quote `read`, what reading it in context adds to
    each sentence's score (`Evidence.score`)."""
    return [found.score() for found in read_in_context(embedder, question, query, read, shown)]


def read_in_context(
    embedder: Any,
    question: str,
    query: np.ndarray,
    read: Sequence[tuple[str, Sequence[Span]]],
    shown: np.ndarray,
) -> list[Evidence]:
    """The Evidence of each (text, sentence spans) quote `read`, from one forward pass over
    the question and those quotes; `shown` holds the stored vectors of every quote shown
    (their mean is the centre)."""
    if not read:
        return []
    asked, *states = embedder.token_states([question, *(text for text, _ in read)])
    tokens = np.concatenate([s.states for s in states])
    # Each shown quote's mean token is its stored vector times that mean's length; the
    # read tokens' length stands in for the lengths of the quotes not read.
    length = float(np.linalg.norm(tokens.mean(axis=0))) if len(tokens) else 0.0
    centre = np.asarray(shown, dtype=np.float32).mean(axis=0) * length
    wanted = _unit(asked.states[_content_rows(question, asked)] - centre)
    query = np.asarray(query, dtype=np.float32)
    return [
        _evidence(text, spans, token_states, wanted, centre, query)
        for (text, spans), token_states in zip(read, states, strict=True)
    ]


def _evidence(
    text: str,
    spans: Sequence[Span],
    states: TokenStates,
    wanted: np.ndarray,
    centre: np.ndarray,
    query: np.ndarray,
) -> Evidence:
    """The contextual cosine and token precision of each sentence of one quote."""
    content = set(_content_rows(text, states).tolist())
    cosine = np.zeros(len(spans), dtype=np.float32)
    precision = np.zeros(len(spans), dtype=np.float32)
    for i, (start, end) in enumerate(spans):
        rows = states.rows_in(start, end)
        if not rows.size:
            continue
        cosine[i] = float(_unit(states.states[rows].mean(axis=0)) @ query)
        words = [r for r in rows.tolist() if r in content] or rows.tolist()
        if wanted.size:
            near = _unit(states.states[words] - centre) @ wanted.T
            precision[i] = float(near.max(axis=1).mean())
    return Evidence(cosine, precision)


def _content_rows(text: str, states: TokenStates) -> np.ndarray:
    """Rows of the tokens that lie in a content word of `text` (BM25 keeps it: not a
    stopword, not punctuation)."""
    found = list(_WORD.finditer(text))
    content = kept_words([m.group() for m in found])
    words = [(m.start(), m.end()) for m in found if m.group() in content]
    if not words:
        return np.zeros(0, dtype=np.int64)
    starts = np.asarray([s for s, _ in words])
    ends = np.asarray([e for _, e in words])
    begins = states.spans[:, 0]
    at = np.searchsorted(starts, begins, side="right") - 1
    inside = (at >= 0) & (begins < ends[np.maximum(at, 0)])
    return np.flatnonzero(inside)


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)
