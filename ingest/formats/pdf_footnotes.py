"""PDF footnotes: the numbered notes at the foot of a page, found in the page's text alone.

A texinfo or LaTeX manual sets a note's text at the bottom of the page, and the extracted
text puts it there too: between the last line of a paragraph that runs on to the next page
and that paragraph's next line. The notes are found by their shape, their numbering and
their marks, never by one manual's words: the page's last body lines, the first opening
with its number ("1 e.g. GNU tar ...", "1The Linux Standard Base"), the numbers counting on
through the document without a gap on the page, each printed as a mark glued to a word
above ("a suitable1 tar"). Measured against the font sizes of 15 Debian PDF manuals
(docs/architecture.md): no line taken for a note that is not one, about nine notes in ten
found.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Protocol


class NoteLine(Protocol):
    """One extracted line of a page, as `ingest.formats.pdf` keeps it."""

    text: str
    role: str
    opens_note: bool


#: Footnotes take at most this share of a page's body lines.
MAX_FOOTNOTE_SHARE = 0.5
#: The opening line of a footnote: its number, then its words, spaced or not ("1 e.g. GNU
#: tar", "1The Linux Standard Base", "4 -std=c99 excludes"); not a formula ("2 * x").
_FOOTNOTE = re.compile(r"(\d{1,3})(?:\s+(?=[^\W\d_]|[‘“(]|[-.]\w)|(?=[A-Z][a-z]))")
#: Footnote numbers that may go unfound between two found ones (a note TeX split).
MAX_MISSED_NOTES = 4
#: The most lines one footnote takes (R's manuals: 11).
MAX_NOTE_LINES = 12


def mark_footnotes(pages: Sequence[Sequence[NoteLine]]) -> int:
    """Mark each page's footnotes; return how many. A footnote is among the page's last body
    lines, opens "N text" (or "NText"), and N goes on the document's count (a few may have
    been missed), or starts again at 1 as per-chapter numbering does; later notes on the
    page count on from N with no gap, and most of the numbers are printed on the page as a
    mark glued to a word ("a suitable1 tar"; a mark after a number, "C994", cannot be told)."""
    found, last = 0, 0
    for lines in pages:
        notes = _footnote_lines([line for line in lines if line.role == "body"], last)
        for line in notes:
            line.role, line.opens_note = "footnote", bool(_FOOTNOTE.match(line.text))
        numbers = _note_numbers(notes)
        if numbers:
            found, last = found + len(numbers), numbers[-1]
    return found


def _footnote_lines(body: list[NoteLine], last: int) -> list[NoteLine]:
    """The trailing lines of a page's `body` that are footnotes, given the last number seen."""
    best: list[NoteLine] = []
    floor = int(len(body) * (1 - MAX_FOOTNOTE_SHARE))
    for start in range(len(body) - 1, floor - 1, -1):
        opening = _FOOTNOTE.match(body[start].text)
        if not opening:
            continue
        first = int(opening.group(1))
        if not (first == 1 or 0 < last < first <= last + MAX_MISSED_NOTES + 1):
            continue
        notes = body[start:]
        numbers = _note_numbers(notes)
        if numbers != list(range(first, first + len(numbers))):
            continue
        above = "\n".join(line.text for line in body[:start])
        marked = sum(_marked(above, n) for n in numbers)
        if _longest_note(notes) <= MAX_NOTE_LINES and 2 * marked > len(numbers):
            best = notes
    return best


def _longest_note(lines: list[NoteLine]) -> int:
    """The most lines one of these notes takes (each opens with its number)."""
    opening = [i for i, line in enumerate(lines) if _FOOTNOTE.match(line.text)] + [len(lines)]
    return max(b - a for a, b in itertools.pairwise(opening))


def _note_numbers(lines: list[NoteLine]) -> list[int]:
    return [int(m.group(1)) for line in lines if (m := _FOOTNOTE.match(line.text))]


def _marked(text: str, number: int) -> bool:
    """Is `number` printed as a footnote mark in `text`: glued to a word, perhaps after a
    closing mark or two, and not part of a longer number or word ("suitable1 tar",
    "(Linux).2", "releases/.2"; not "s390x" or "--level=3")?"""
    return bool(re.search(rf"[^\W\d_][)”’\".,;:/]{{0,2}}{number}(?![\w=])", text))
