"""Split a document's text into blocks: title, headings, labels, list items, paragraphs.

Articles saved as plain text keep no markup, so headings are recognised by their shape:
a short line without closing sentence punctuation ("3) Why Over-Availability Reduces
Attraction", "Psychological Principle 2: The Peak-End Rule"), or a short Title-Case
question. A short line ending with ":" that introduces what follows ("How to apply it
ethically:") is a "label": it belongs with the next block and never names a section.
Markdown files use their own syntax ("# " headings, blank-line paragraphs).

A hard-wrapped text (a manual, a FAQ, a specification: lines broken at a width, blank lines
between paragraphs) says by its blank lines where a block ends, so there a heading is a line
standing alone, and a short first line of a paragraph ("This document describes the setup,
maintenance and use of a generic") is not one. Underlines and rules ("=====", "-----")
carry no words and only separate blocks.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Sequence

from index.records import Block, Document
from ingest.headings import HeadingTrail, numbering_level
from ingest.spans import SpanIndex
from ingest.text import LIST_MARKER, ends_sentence

MAX_HEADING_CHARS = 90
_BULLET = re.compile(r"[ \t]*[-•*–▪◦][ \t]+")
_NUMBERED = re.compile(r"([ \t]*)\d{1,3}[.)][ \t]+")
_MD_HEADING = re.compile(r"#{1,6}[ \t]+")
#: ASCII marks that open markup, never a heading's words (quotes, brackets and symbols
#: such as "🔥" still may).
_MARKUP_OPENERS = frozenset(".:;,<>{}|\\/=+_~^`@$%&!?")
#: A line ending with one of these words is a sentence running on into what follows (in a
#: hard-wrapped text, a line standing alone above its example: "If a user's $MANPATH
#: consists of or is determined as", "Choices for the alpha_mode are"), never a title.
_OPEN_CLAUSE = re.compile(r"\s(?:the|a|an|as|is|are|of|to|and|or|by|with|that|from|be)$")
#: Box-drawing characters: a row or rule of a table drawn in text ("│ │ /run/… │").
_BOX_DRAWING = re.compile(r"[\u2500-\u257f]")
#: A line of one repeated mark: an underline under a heading, or a rule between parts.
_RULE = re.compile(r"([=\-~^*#+_.'\"`])\1{2,}")
#: A text is hard-wrapped when nearly all its lines are at most this long...
WRAP_WIDTH = 100
#: ...and this share of its lines run on into the next one without a blank line.
RUN_ON_SHARE = 0.3

Span = tuple[int, int]


def blocks(doc: Document) -> list[Block]:
    """The document's blocks read from its text's shape, in order, leaving out blank lines
    and boilerplate. A format that knows its structure (HTML, Markdown, PDF) gives its own
    blocks in `LoadedFile.blocks`; `ingest.analyze.document_blocks` picks between them."""
    lines = _content_lines(doc)
    markdown = doc.file.lower().endswith(".md")
    wrapped = not markdown and hard_wrapped(doc.text, lines)
    kinds = [
        _md_kind(doc.text, lines, i) if markdown else _kind(doc.text, lines, i, wrapped)
        for i in range(len(lines))
    ]
    spans, kinds = _merge_paragraph_lines(doc.text, lines, kinds, markdown or wrapped)
    if wrapped:
        kinds = [
            "heading" if kind == "paragraph" and _numbered_heading(doc.text, span) else kind
            for span, kind in zip(spans, kinds, strict=True)
        ]
    return _assign_sections(doc, spans, kinds)


#: A section number that opens a heading: "8.5. How…", "2.3.1 Options", "Chapter 8. The…"
#: (one number alone, "3. Then…", is as often a list item).
_SECTION_NUMBER = re.compile(
    r"(?:(?i:chapter)[ \t\u00a0]+\d{1,3}|\d{1,3}(?:\.\d{1,3})+)\.?[ \t\u00a0]+[A-Z]"
)
#: A numbered heading of a hard-wrapped text may wrap onto this many lines.
MAX_HEADING_LINES = 3


def _numbered_heading(text: str, span: Span) -> bool:
    """Is this block of a hard-wrapped text a numbered heading standing alone: at the start
    of its line, a section number, at most MAX_HEADING_LINES lines, and a title or a
    question ("8.3. How can I tell what packages are already installed on a Debian /
    system?", wrapped as the FAQ's text is), not a numbered clause ending as a sentence?"""
    start, end = span
    block = text[start:end]
    if (start and text[start - 1] != "\n") or not _SECTION_NUMBER.match(block):
        return False
    words = " ".join(block.split())
    if block.count("\n") >= MAX_HEADING_LINES or len(words) > 2 * MAX_HEADING_CHARS:
        return False
    if "?" in words and words.endswith(("?", "!")):  # a question, its last words exclaimed
        return True
    return not (ends_sentence(words) or words.endswith(":"))


def hard_wrapped(text: str, lines: Sequence[Span]) -> bool:
    """Are the text's lines broken at a width, paragraphs running over several lines? (The
    shipped articles keep a paragraph on one long line.)"""
    if len(lines) < 20:
        return False
    short = sum(e - s <= WRAP_WIDTH for s, e in lines)
    run_on = sum(not _separated(text, a[1], b[0]) for a, b in itertools.pairwise(lines))
    return short >= 0.95 * len(lines) and run_on >= RUN_ON_SHARE * len(lines)


def _separated(text: str, end: int, start: int) -> bool:
    """Is there a blank line (or an underline or rule) between two lines?"""
    return text.count("\n", end, start) >= 2


def without_boilerplate(doc: Document, given: Sequence[Block]) -> list[Block]:
    """A format's own blocks cut around `doc.boilerplate`: a paragraph that runs past a
    page's running header keeps the rest of its text."""
    boilerplate = SpanIndex(doc.boilerplate)
    return [piece for b in given for piece in _outside_boilerplate(doc.text, boilerplate, b)]


def heading_text(line: str) -> str:
    """The words of a heading line, without markdown hashes, spaces folded (a heading may
    wrap onto a second line)."""
    return " ".join(_MD_HEADING.sub("", line.strip(), count=1).split())


def is_heading_line(line: str) -> bool:
    """Does this stripped line look like a heading (short, unpunctuated, not a list item)?"""
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or _BULLET.match(line):
        return False
    if not any(ch.isalpha() for ch in line) or line[0].islower():
        return False
    if line[0] in _MARKUP_OPENERS or _BOX_DRAWING.match(line):
        return False  # markup, not words: ".. code-block:: shell", "<!-- -->", "{note}"
    if line.endswith("?"):
        return _title_case(line)
    return not ends_sentence(line) and not line.endswith(":")


def is_label_line(line: str) -> bool:
    """A short line ending with ':' that introduces the text after it."""
    line = line.strip()
    if not line.endswith(":") or len(line) > MAX_HEADING_CHARS or _BULLET.match(line):
        return False
    return not re.search(r"[.!?][”’\"')]*\s", line)


def _title_case(line: str) -> bool:
    """Are most of the longer words capitalised, as in a title?"""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= 0.6


def _content_lines(doc: Document) -> list[Span]:
    """Stripped spans of the non-blank lines that touch no boilerplate span."""
    spans: list[Span] = []
    pos = 0
    boilerplate = SpanIndex(doc.boilerplate)
    for line in doc.text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped and not _RULE.fullmatch(stripped):
            start = pos + len(body) - len(body.lstrip())
            if not boilerplate.overlaps(start, start + len(stripped)):
                spans.append((start, start + len(stripped)))
        pos += len(line)
    return spans


def _outside_boilerplate(text: str, boilerplate: SpanIndex, block: Block) -> list[Block]:
    """The parts of `block` that no boilerplate span covers, trimmed of whitespace."""
    pieces, start = [], block.start
    for s, e in boilerplate.overlapping(block.start, block.end):
        if start < e:  # an earlier span may already reach past this one
            pieces.append((start, max(start, s)))
            start = max(start, e)
    pieces.append((start, block.end))
    trimmed = [_strip_span(text, a, b) for a, b in pieces]
    return [dataclasses.replace(block, start=a, end=b) for a, b in trimmed if a < b]


def _strip_span(text: str, start: int, end: int) -> Span:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


def _kind(text: str, lines: list[Span], i: int, wrapped: bool = False) -> str:
    """Kind of plain-text line i, judged by its shape and by what follows it (in a
    hard-wrapped text, a heading must stand alone between blank lines)."""
    line = text[lines[i][0] : lines[i][1]]
    raw_line_start = text.rfind("\n", 0, lines[i][0]) + 1
    indented = lines[i][0] > raw_line_start
    if _BULLET.match(line):
        return "item"
    if _NUMBERED.match(line) and (indented or not is_heading_line(line)):
        return "item"
    in_a_run = wrapped and (_runs_on(text, lines, i) or bool(_OPEN_CLAUSE.search(line)))
    if is_heading_line(line) and not in_a_run:
        return "heading"
    if is_label_line(line) and i + 1 < len(lines):
        following = text[lines[i + 1][0] : lines[i + 1][1]]
        return "paragraph" if is_heading_line(following) else "label"
    return "paragraph"


def _runs_on(text: str, lines: list[Span], i: int) -> bool:
    """Does line i share its block with the line before or after it (no blank line)?"""
    before = i > 0 and not _separated(text, lines[i - 1][1], lines[i][0])
    after = i + 1 < len(lines) and not _separated(text, lines[i][1], lines[i + 1][0])
    return before or after


def _md_kind(text: str, lines: list[Span], i: int) -> str:
    """Kind of markdown line i: '#' headings, list items, labels and paragraph lines."""
    line = text[lines[i][0] : lines[i][1]]
    if _MD_HEADING.match(line):
        return "heading"
    if LIST_MARKER.match(line):
        return "item"
    if is_label_line(line) and i + 1 < len(lines):
        return "label"
    return "paragraph"


def _merge_paragraph_lines(
    text: str, lines: list[Span], kinds: list[str], by_blank_lines: bool
) -> tuple[list[Span], list[str]]:
    """Join wrapped lines into one paragraph: any run where blank lines end paragraphs
    (markdown, hard-wrapped text), soft wraps otherwise."""
    spans: list[Span] = []
    merged: list[str] = []
    for span, kind in zip(lines, kinds, strict=True):
        if spans and _joins(text, spans[-1], merged[-1], span, kind, by_blank_lines):
            spans[-1] = (spans[-1][0], span[1])
            continue
        spans.append(span)
        merged.append(kind)
    return spans, merged


def _joins(
    text: str, prev: Span, prev_kind: str, span: Span, kind: str, by_blank_lines: bool
) -> bool:
    """Does this paragraph line continue the previous paragraph line (or, where blank lines
    end blocks, the list item it wraps under)?"""
    continued = ("paragraph", "item") if by_blank_lines else ("paragraph",)
    if kind != "paragraph" or prev_kind not in continued:
        return False
    between = text[prev[1] : span[0]]
    if between.count("\n") != 1:
        return False
    if by_blank_lines:
        return True
    previous = text[max(prev[0], prev[1] - 64) : prev[1]]  # its end decides; no long copy
    return text[span[0]].islower() and not ends_sentence(previous)


def _assign_sections(doc: Document, spans: list[Span], kinds: list[str]) -> list[Block]:
    """Attach the current section and heading path to every block; mark the line that is
    the title."""
    result: list[Block] = []
    section = doc.title
    title_seen = False
    trail = HeadingTrail()
    for (start, end), kind in zip(spans, kinds, strict=True):
        line = doc.text[start:end]
        level = 0
        if kind == "heading" and not title_seen and not result and heading_text(line) == doc.title:
            kind, title_seen = "title", True
            trail.restart()
        elif kind == "heading":
            level = heading_level(line)
            trail.enter(heading_text(line), level)
        if kind in ("heading", "title"):
            section = heading_text(line)
        result.append(Block(start, end, kind, section, level, trail.path))
    return result


def heading_level(line: str) -> int:
    """The level a heading line's shape gives: its markdown hashes ("### " 3), else its
    numbering ("2.3.1 Options" 3); 0 (unknown: the heading stands alone) otherwise."""
    hashes = _MD_HEADING.match(line.strip())
    if hashes:
        return hashes.group().rstrip().count("#")
    return numbering_level(line)
