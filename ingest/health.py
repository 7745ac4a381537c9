"""How well a file was read: the share of its text in some passage, and what looks wrong."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.records import Document, Passage
from ingest.language import ENGLISH, UNSPACED, language_of

#: Below this share of the text in passages, `inspect` and `docs` warn.
MIN_INDEXED_SHARE = 0.8
#: Words longer than this (letters only) are nearly always words run together.
LONG_WORD_LETTERS = 25
#: Above this share of such words, the text extraction ran words together.
MAX_LONG_WORD_SHARE = 0.03
_WORD = re.compile(r"\S+")
_LONG_LETTERS = re.compile(rf"[^\W\d_]{{{LONG_WORD_LETTERS + 1},}}")


@dataclass(frozen=True)
class Health:
    """`indexed_share` (0..1, of the text's non-space characters) and warnings in words."""

    indexed_share: float
    warnings: tuple[str, ...] = ()


def read_health(document: Document, passages: Sequence[Passage]) -> Health:
    """The share of `document.text` in some passage, and warnings about the reading."""
    share = _indexed_share(document, passages)
    warnings = []
    if share < MIN_INDEXED_SHARE:
        warnings.append(f"{round(100 * (1 - share))}% of this file is in no passage")
    language = language_of(document.text)
    long_share = _long_word_share(document.text)
    if long_share > MAX_LONG_WORD_SHARE and language not in UNSPACED:
        warnings.append(
            f"words run together: {round(100 * long_share)}% of tokens are over "
            f"{LONG_WORD_LETTERS} letters"
        )
    if language not in (ENGLISH, None):
        warnings.append(not_english_warning(language))
    return Health(round(share, 4), tuple(warnings))


def not_english_warning(language: str) -> str:
    """What a document in another language is told: the model reads English."""
    return (
        f"written in {language}: cited's model reads English, so over this text it cannot "
        "judge how well a quote answers, or whether nothing does"
    )


def _indexed_share(document: Document, passages: Sequence[Passage]) -> float:
    """Non-space characters inside passages, or in a heading line that names a passage's
    section (or the title), over all non-space characters (1.0 if none)."""
    text = document.text
    total = len(text) - _spaces(text, 0, len(text))
    if total == 0:
        return 1.0
    names = {document.title, *(p.section for p in passages)}
    spans = [(p.start, p.end) for p in passages] + _heading_lines(text, names)
    covered, reach = 0, 0
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            covered += end - start - _spaces(text, start, end)
            reach = end
    return covered / total


def _heading_lines(text: str, names: set[str]) -> list[tuple[int, int]]:
    """Spans of the lines whose words (markdown hashes aside) are one of `names`."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip().lstrip("#").strip() in names:
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def _spaces(text: str, start: int, end: int) -> int:
    piece = text[start:end]
    return len(piece) - len("".join(piece.split()))


def _long_word_share(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for word in words if _LONG_LETTERS.search(word)) / len(words)
