"""Sentence units of each passage and their vectors, for sentence-level search and highlights.

A unit is a sentence of the passage; a sentence shorter than MIN_UNIT_WORDS words ("Why?",
"Real-world example:") is joined to the one after it, because so short a text matches
unrelated questions on one word. A line of markup alone (a Markdown code fence "```" or
"```{pip-cli}", a rule "---") is no sentence: it neither stands nor joins, so no
highlight opens or ends on one. Vectors go through the same embedding cache as passages,
so a rebuild embeds only sentences it has never seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.cache import EmbeddingCache, Progress, TextEncoder, embed_with_cache
from index.records import Passage
from ingest.text import sentence_spans

Span = tuple[int, int]


@dataclass(frozen=True)
class SentenceVectors:
    """The sentence units of the passages: `spans` rows are (passage id, start, end), the
    span relative to the passage text, sorted by passage id; `vectors` row i embeds span i."""

    spans: np.ndarray
    vectors: np.ndarray


#: Sentences with fewer words are joined to the sentence after them (see docs/quality.md).
MIN_UNIT_WORDS = 6
#: A fence with its info string, or marks with no letter or digit at all.
_MARKUP_ONLY = re.compile(r"\s*(?:(?:`{3,}|~{3,})[\w{}.+-]*|[\W_]+)\s*")


def sentence_units(text: str, min_words: int = MIN_UNIT_WORDS) -> list[Span]:
    """Spans of the units of `text`: its sentences, short ones joined to the next; a line
    of markup alone ends a unit without being part of one."""
    units: list[Span] = []
    pending: Span | None = None  # a short sentence, with what it has joined so far
    after_markup = False  # a markup line stands between the last unit and what follows
    for start, end in sentence_spans(text):
        if _MARKUP_ONLY.fullmatch(text[start:end]):
            if pending is not None:  # a short sentence before a fence stands alone
                units.append(pending)
            pending, after_markup = None, True
            continue
        start = start if pending is None else pending[0]
        if len(text[start:end].split()) < min_words:
            pending = (start, end)
            continue
        units.append((start, end))
        pending, after_markup = None, False
    if pending is not None:  # a short last sentence joins the unit before it
        joins = units and not after_markup
        units[-1:] = [(units[-1][0], pending[1])] if joins else [*units[-1:], pending]
    return units


def embed_sentences(
    embedder: TextEncoder,
    cache: EmbeddingCache,
    passages: Sequence[Passage],
    dimension: int,
    progress: Progress | None = None,
) -> SentenceVectors:
    """The units of every passage (row i of `passages` is passage id i) and their vectors."""
    rows = [(pid, s, e) for pid, p in enumerate(passages) for s, e in sentence_units(p.text)]
    texts = [passages[pid].text[s:e] for pid, s, e in rows]
    vectors, _, _ = embed_with_cache(embedder, cache, texts, progress=_renamed(progress))
    spans = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    return SentenceVectors(spans=spans, vectors=vectors.reshape(-1, dimension))


def _renamed(progress: Progress | None) -> Progress | None:
    """`progress` reporting under the stage name "embed sentences"."""
    if progress is None:
        return None
    return lambda _stage, done, total: progress("embed sentences", done, total)
