"""Token states: the model's contextual vector of every token of a text, with its place.

A sentence vector is the mean of its tokens' last hidden states; the states themselves say
which words of a passage a question's words meet, read in the passage's own context (the
highlight uses them, `assistant/highlight_context.py`). Special tokens ([CLS], [SEP],
padding) carry no character span and are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TokenStates:
    """One text's tokens: `spans[i]` is the (start, end) in the text of the token whose last
    hidden state is `states[i]`."""

    spans: np.ndarray  # (n, 2) int64
    states: np.ndarray  # (n, dimension) float32

    def rows_in(self, start: int, end: int) -> np.ndarray:
        """Rows of the tokens that begin inside text[start:end]."""
        begins = self.spans[:, 0]
        return np.flatnonzero((begins >= start) & (begins < end))


def token_states_of(offsets: Sequence[tuple[int, int]], hidden: np.ndarray) -> TokenStates:
    """The TokenStates of one encoded text: `offsets` from the tokenizer (special tokens
    are (0, 0)), `hidden` its rows of the model's output, padding included."""
    spans = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    keep = np.flatnonzero(spans[:, 1] > spans[:, 0])
    return TokenStates(spans[keep], np.asarray(hidden[keep], dtype=np.float32))
