"""Mark boilerplate: text in an article that is not the article, so it is never quoted.

Boilerplate is found by its nature, not by listing known strings:

- blocks repeated within one document (a call to action pasted between sections): any
  run of two or more consecutive lines that occurs again, or a long single line that does;
- a "related / similar / recommended posts", "you may also like", "read more" heading
  in the last part of the document, together with everything after it;
- byline and metadata labels left empty by the copy ("Written by", "Published date");
- short promotional lines ("free to start", "no credit card", "sign up", "subscribe",
  "download the app", "get started", "free trial", "newsletter").

Spans cover whole stripped lines; `Document.boilerplate` gets them sorted and merged.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from dataclasses import replace

from index.records import Document

log = logging.getLogger(__name__)

Span = tuple[int, int]

MIN_REPEATED_RUN_CHARS = 40
MIN_REPEATED_LINE_CHARS = 50
TAIL_FRACTION = 0.6
MAX_PROMO_CHARS = 120

_TAIL_HEADING = re.compile(
    r"(?:(?:related|similar|recommended|popular|trending|latest|more|other)\s+"
    r"(?:posts?|articles?|topics?|stories|reads?|reading|content|guides?)"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy)|read\s+(?:more|next)|further\s+reading"
    r"|see\s+also|also\s+read)\s*:?",
    re.IGNORECASE,
)
EMPTY_BYLINE = re.compile(
    r"(?:written\s+by|posted\s+by|by|author|authored\s+by|published(?:\s+(?:date|on))?"
    r"|updated(?:\s+on)?|last\s+updated|date(?:\s+published)?|posted(?:\s+on)?"
    r"|reviewed\s+by|fact[-\s]checked\s+by)\s*:?",
    re.IGNORECASE,
)
_PROMOTION = re.compile(
    r"\b(?:free\s+to\s+start|no\s+credit\s+card|sign\s+up|subscribe|download\s+(?:the|our)\s+app"
    r"|get\s+started|start\s+(?:your\s+)?free\s+trial|free\s+trial|newsletter"
    r"|create\s+(?:a\s+free|your)\s+account|join\s+(?:now|free|today))\b",
    re.IGNORECASE,
)


def mark_boilerplate(doc: Document) -> Document:
    """Return `doc` with `boilerplate` set to the sorted, merged boilerplate spans."""
    lines = _lines(doc.text)
    # A paged document (PDF) is a manual, not a web page: its repeats are page furniture,
    # which its reader marks; its other repeated lines (code) and its lines about
    # subscribing (to a mailing list) are content.
    web_only = (
        [] if doc.page_starts else _repeated_blocks(doc.text, lines) + _promotions(doc.text, lines)
    )
    spans = web_only + _related_tail(doc.text, lines) + _empty_bylines(doc.text, lines)
    merged = _merge(doc.text, [*doc.boilerplate, *spans])  # keep what the format marked
    log.debug("%s: %d boilerplate spans", doc.file, len(merged))
    return replace(doc, boilerplate=tuple(merged))


def _lines(text: str) -> list[Span]:
    """Stripped spans of the non-blank lines."""
    spans: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = pos + len(line) - len(line.lstrip())
            spans.append((start, start + len(stripped)))
        pos += len(line)
    return spans


def _repeated_blocks(text: str, lines: list[Span]) -> list[Span]:
    """Lines of any two-line run seen twice or more, and long lines seen twice or more."""
    words = [text[s:e] for s, e in lines]
    pairs = Counter(itertools.pairwise(words))
    singles = Counter(words)
    marked: list[Span] = []
    for i, line in enumerate(words):
        in_pair = any(
            0 <= j < len(words) - 1
            and pairs[(words[j], words[j + 1])] > 1
            and len(words[j]) + len(words[j + 1]) >= MIN_REPEATED_RUN_CHARS
            for j in (i - 1, i)
        )
        long_repeat = singles[line] > 1 and len(line) >= MIN_REPEATED_LINE_CHARS
        if in_pair or (long_repeat and not line.endswith(":")):
            marked.append(lines[i])
    return marked


def _related_tail(text: str, lines: list[Span]) -> list[Span]:
    """From a 'related posts'-style heading in the last part of the text to the end."""
    for start, end in lines:
        if start >= TAIL_FRACTION * len(text) and _TAIL_HEADING.fullmatch(text[start:end]):
            return [(start, lines[-1][1])]
    return []


def _empty_bylines(text: str, lines: list[Span]) -> list[Span]:
    """Byline or date labels with nothing after them ("Written by", "Published date")."""
    return [(s, e) for s, e in lines if EMPTY_BYLINE.fullmatch(text[s:e])]


def _promotions(text: str, lines: list[Span]) -> list[Span]:
    """Short lines that sell something: sign-ups, free starts, app downloads."""
    return [(s, e) for s, e in lines if e - s <= MAX_PROMO_CHARS and _PROMOTION.search(text[s:e])]


def _merge(text: str, spans: list[Span]) -> list[Span]:
    """Sort spans and merge those overlapping or separated only by whitespace."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
