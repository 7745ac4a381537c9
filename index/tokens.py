"""Token counting: how many model tokens a text, or a span of it, holds.

The chunker weighs thousands of candidate spans per article; with a tokenizer that cuts
each word on its own (BERT's), one tokenization of the whole text answers for all of them
(`SpanCounter`). Any other tokenizer counts each span by tokenizing it (`slice_counters`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Longer texts are counted span by span: a tokenization of a whole text holds about a
#: hundred bytes per token until it is turned into a SpanCounter.
SPAN_COUNTER_MAX_CHARS = 1 << 20
#: Characters tokenized at once by `span_counters`.
SPAN_BATCH_CHARS = 4 << 20


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _batches_by_size(texts: Sequence[str], longest: int, budget: int) -> list[list[int]]:
    """Rows of the texts no longer than `longest`, in batches of at most `budget`
    characters (a batch holds at least one text)."""
    batches: list[list[int]] = [[]]
    size = 0
    for row, text in enumerate(texts):
        if len(text) > longest:
            continue
        if batches[-1] and size + len(text) > budget:
            batches.append([])
            size = 0
        batches[-1].append(row)
        size += len(text)
    return [batch for batch in batches if batch]


def slice_counters(
    count_tokens: Callable[[str], int], texts: Sequence[str]
) -> list[Callable[[int, int], int]]:
    """Span counters for any tokenizer: each span is tokenized alone."""
    return [functools.partial(_count_slice, count_tokens, text) for text in texts]


def _count_slice(count_tokens: Callable[[str], int], text: str, start: int, end: int) -> int:
    return count_tokens(text[start:end])


def tokenizes_words_alone(tokenizer: Any) -> bool:
    """Does `tokenizer` cut each word into tokens on its own? BERT's does: its normalizer
    works character by character, its pre-tokenizer splits at whitespace and punctuation,
    and WordPiece sees one word at a time."""
    parts = (tokenizer.normalizer, tokenizer.pre_tokenizer, tokenizer.model)
    kinds = tuple(type(part).__name__ for part in parts)
    return kinds == ("BertNormalizer", "BertPreTokenizer", "WordPiece")


class SpanCounter:
    """Tokens in `text[start:end]`, from one tokenization of the whole text.

    With a tokenizer that cuts each word on its own (`tokenizes_words_alone`), a span whose
    ends fall between words holds exactly the tokens inside it, so counting it is a few
    binary searches instead of a tokenization (the chunker weighs thousands of spans per
    article). A span that cuts a word is tokenized by itself. Offsets are kept as numpy
    arrays: 8 bytes a token.
    """

    def __init__(self, text: str, encoding: Any, count_tokens: Callable[[str], int]) -> None:
        self._text = text
        self._count_tokens = count_tokens
        offsets = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
        words = np.asarray(encoding.word_ids, dtype=np.int64)
        first = np.flatnonzero(np.diff(words, prepend=-1))  # a word's tokens are consecutive
        last = np.append(first[1:], len(words))[: first.size] - 1
        self._token_starts = np.ascontiguousarray(offsets[:, 0])
        self._word_starts = offsets[first, 0]
        self._word_ends = offsets[last, 1]

    def __call__(self, start: int, end: int) -> int:
        if self._between_words(start) and self._between_words(end):
            first, past = np.searchsorted(self._token_starts, (start, end))
            return int(past - first)
        return self._count_tokens(self._text[start:end])

    def _between_words(self, position: int) -> bool:
        """Is no word cut at `position`?"""
        before = int(np.searchsorted(self._word_starts, position)) - 1
        return before < 0 or bool(self._word_ends[before] <= position)


def span_counters(
    tokenizer: Any, count_tokens: Callable[[str], int], texts: Sequence[str]
) -> list[Callable[[int, int], int]]:
    """For each text, `count_tokens(text[start:end])` as a function of (start, end), from
    `tokenizer` (a `tokenizers.Tokenizer` without padding or truncation) and `count_tokens`
    (its count of one text). The texts are tokenized together, on every core, in batches of
    at most SPAN_BATCH_CHARS characters."""
    counters = slice_counters(count_tokens, texts)
    if not tokenizes_words_alone(tokenizer):
        return counters
    for rows in _batches_by_size(texts, SPAN_COUNTER_MAX_CHARS, SPAN_BATCH_CHARS):
        encodings = tokenizer.encode_batch([texts[row] for row in rows], add_special_tokens=False)
        for row, encoding in zip(rows, encodings, strict=True):
            counters[row] = SpanCounter(texts[row], encoding, count_tokens)
    return counters
