"""PDF: a manual's text with the PDF's own structure, not plain-text guesses.

Pages are read in a sandboxed child (`pdf_sandbox`). Then, from the page texts:

- headings (`pdf_headings`) come from the outline (bookmarks), matched to the lines that
  print them; a PDF without an outline gets them from font size, else numbering;
- page furniture is found by its place and its repetition: lines at the top or bottom of
  pages that recur (digits aside) on several pages ("Chapter 2: R Basics 4"), lone page
  numbers, and printed tables of contents (dot leaders). It is marked as boilerplate and
  moved after the last page, so a paragraph that runs across a page break stays one
  verbatim slice of the text with no header inside it;
- paragraphs are rebuilt from the hard-wrapped lines: a line ends a paragraph when it
  stops short of the page's usual line width and the next line does not go on in
  lowercase, or when a heading or list item follows;
- footnotes (`pdf_footnotes`) are blocks of their own (kind "note", each a passage alone),
  written out before the page's last paragraph when that one runs on to the next page, so
  it is never cut by a note.

Every line keeps its characters; only whole lines move, so quotes are exact slices of
`Reading.text`, and `page_starts` gives each quote its page.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from index.errors import UnreadableFileError
from index.records import Block
from ingest.formats import pdf_sandbox
from ingest.formats.base import Format, Limits, MarkedSpan, Reading
from ingest.formats.pdf_footnotes import mark_footnotes
from ingest.formats.pdf_headings import (
    DOT_LEADER,
    MAX_HEADING_CHARS,
    mark_large_headings,
    mark_numbered_headings,
    mark_outline_headings,
    title_key,
)
from ingest.formats.pdf_sandbox import Extraction
from ingest.headings import HeadingTrail

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
#: A line this much shorter than the page's usual width can end a paragraph.
SHORT_LINE = 0.85
#: Top or bottom lines of this many pages with the same shape are running furniture.
MIN_REPEATS = 3
#: A page this share of whose lines have dot leaders is a printed table of contents.
TOC_PAGE_SHARE = 0.3

#: A back-of-book index entry ("apt-doc, 36", ", 37") or a letter or term heading in one.
_INDEX_ENTRY = re.compile(r"[^.]{0,60},\s*\d{1,4}(?:\s*,\s*\d{1,4})*|\S{1,30}")
_PAGE_REFERENCE = re.compile(r",\s*\d{1,4}$")
MIN_INDEX_LINES = 10
_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,8})(?:\s*(?:/|of)\s*\d{1,4})?", re.I)
_LIST_ITEM = re.compile(r"(?:[•●▪◦‣∗*–-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
#: The roles of lines written out as the pages' text; any other role is furniture.
_TEXT_ROLES = ("body", "heading", "footnote")


def limits_from_env(environ: Mapping[str, str]) -> Limits:
    """Limits from CITED_PDF_SECONDS and CITED_PDF_MEMORY_MB (else the defaults), read by
    the caller once per build and passed to every reader."""
    default = Limits()
    seconds = _positive(environ, "CITED_PDF_SECONDS", default.seconds)
    memory_mb = int(_positive(environ, "CITED_PDF_MEMORY_MB", default.memory_mb))
    return Limits(max_bytes=default.max_bytes, seconds=seconds, memory_mb=memory_mb)


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    value = environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        log.warning("ignoring %s=%r: not a number; using %s", name, value, default)
        return default
    return number if number > 0 else default


def sniff_pdf(head: bytes) -> bool:
    """Does a file starting with `head` claim to be a PDF?"""
    return PDF_MAGIC in head[:1024]


def read_pdf(raw: bytes, file: str, limits: Limits) -> Reading:
    """A PDF's text, headings, paragraphs, furniture and pages, or UnreadableFileError."""
    if len(raw) > limits.max_bytes:
        raise UnreadableFileError(
            file,
            f"file is {len(raw) / 1024 / 1024:,.0f} MB; the limit is "
            f"{limits.max_bytes / 1024 / 1024:,.0f} MB",
        )
    if not sniff_pdf(raw):
        raise UnreadableFileError(file, f"not a PDF: {_looks_like(raw)}")
    if b"%%EOF" not in raw[-2048:]:
        raise UnreadableFileError(
            file, "truncated PDF: it does not end with %%EOF; download or export it again"
        )
    extraction = pdf_sandbox.extract(raw, file, limits)
    if not any(page.strip() for page in extraction.pages):
        raise UnreadableFileError(file, "no extractable text (scanned PDF?)")
    return layout(extraction)


def _looks_like(raw: bytes) -> str:
    """What a file that claims to be a PDF seems to be instead, for the error message."""
    head = raw[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "it is an HTML page (rename it to .html?)"
    if b"\x00" in head:
        return "its content is binary data of another kind"
    return "it does not start with %PDF-"


# --- lines and their roles -------------------------------------------------------------


@dataclass
class _Line:
    page: int
    text: str
    role: str = "body"  # body, heading, footnote, or a furniture reason
    section: str = ""  # for headings: the section this line opens
    level: int = 0  # for headings: its depth (1 outermost), 0 when unknown
    opens_note: bool = False  # for footnotes: the line that starts with the note's number


def layout(extraction: Extraction) -> Reading:
    """The Reading of extracted pages: furniture found, headings matched, paragraphs built."""
    pages = [
        [_Line(n, line.strip()) for line in text.splitlines() if line.strip()]
        for n, text in enumerate(extraction.pages)
    ]
    _mark_contents_pages(pages)
    notes = list(extraction.notes)
    if extraction.outline:
        found = mark_outline_headings(pages, extraction.outline)
        notes.append(f"headings from the PDF outline: {found} of {len(extraction.outline)} found")
    elif found := mark_large_headings(pages, extraction.large_lines):
        notes.append(f"no outline: {found} headings from their font size")
    else:
        notes.append(f"no outline: {mark_numbered_headings(pages)} headings from numbering")
    _mark_page_edges(pages)
    if notes_found := mark_footnotes(pages):
        notes.append(f"{notes_found} footnotes kept apart from the paragraphs they interrupt")
    title = extraction.title or _first_line_title(pages)
    reading = _assemble(pages, title)
    return Reading(
        text=reading.text,
        title=title,
        page_starts=reading.page_starts,
        blocks=reading.blocks,
        boilerplate=reading.boilerplate,
        notes=tuple(notes),
    )


def _shape(text: str) -> str:
    """A line with its numbers blanked: running headers differ only in their numbers."""
    return re.sub(r"\d+", "#", title_key(text))


def _mark_contents_pages(pages: list[list[_Line]]) -> None:
    """Dot-leader lines, and every line of a page made mostly of them, are the printed TOC
    (an index when the page says so); so is a page of index entries ("apt-doc, 36")."""
    for lines in pages:
        leaders = [line for line in lines if DOT_LEADER.search(line.text)]
        if lines and len(leaders) >= TOC_PAGE_SHARE * len(lines):
            reason = "index" if _names_index(lines) else "table of contents"
            for line in lines:
                line.role = reason
        elif _is_index_page(lines):
            for line in lines:
                line.role = "index"
        else:
            for line in leaders:
                line.role = "table of contents"


def _names_index(lines: list[_Line]) -> bool:
    return any(re.search(r"\bindex\b", line.text, re.IGNORECASE) for line in lines[:3])


def _is_index_page(lines: list[_Line]) -> bool:
    """Mostly short entries, many ending in a page reference: a back-of-book index."""
    if len(lines) < MIN_INDEX_LINES:
        return False
    entries = sum(bool(_INDEX_ENTRY.fullmatch(line.text)) for line in lines)
    references = sum(bool(_PAGE_REFERENCE.search(line.text)) for line in lines)
    return entries >= 0.8 * len(lines) and references >= 0.3 * len(lines)


def _mark_page_edges(pages: list[list[_Line]]) -> None:
    """Lone page numbers, and top or bottom lines whose shape recurs on several pages."""
    for edge, reason in (("top", "running header"), ("bottom", "running footer")):
        candidates = [_edge_lines(lines, edge) for lines in pages]
        counts = Counter(_shape(line.text) for group in candidates for line in group)
        prefixes = Counter(_prefix(line.text) for group in candidates for line in group)
        prefix_floor = max(MIN_REPEATS, len(pages) // 4)
        for group in candidates:
            for line in group:
                if _PAGE_NUMBER.fullmatch(line.text):
                    line.role = "page number"
                elif _recurs(line.text, counts, prefixes, prefix_floor):
                    line.role = reason


def _recurs(text: str, counts: Counter[str], prefixes: Counter[str], prefix_floor: int) -> bool:
    """Is this page-edge line a running head: its shape on several pages (a lone "}" of
    code is not), a capitalised numbered banner, or a numbered banner's opening words
    on a quarter of the pages ("CHAPTER 6. ...")?"""
    if title_key(text) and counts[_shape(text)] >= MIN_REPEATS:
        return True
    if _is_capital_banner(text):
        return True
    return _is_numbered_banner(text) and prefixes[_prefix(text)] >= prefix_floor


def _edge_lines(lines: list[_Line], edge: str) -> list[_Line]:
    """The first (or last) body line of a page, and the next one in if that was a number."""
    body = [line for line in lines if line.role in ("body", "page number")]
    ordered = body if edge == "top" else body[::-1]
    picked = ordered[:1]
    if ordered and _PAGE_NUMBER.fullmatch(ordered[0].text):
        picked = ordered[:2]
    return [line for line in picked if line.role == "body"]


def _prefix(text: str) -> str:
    """The shape of a line's first two words ("CHAPTER 6." -> "chapter#")."""
    return _shape(" ".join(text.split()[:2]))


def _is_numbered_banner(text: str) -> bool:
    """A header of more than two words carrying a number, like "CHAPTER 6. THE ARCHIVES"."""
    return len(text.split()) > 2 and bool(re.search(r"\d", text))


def _is_capital_banner(text: str) -> bool:
    """A numbered banner in capitals at a page edge ("CHAPTER 2. GETTING AND INSTALLING…"):
    book classes set their running heads so; a heading there was already matched."""
    letters = [ch for ch in text if ch.isalpha()]
    return _is_numbered_banner(text) and len(letters) >= 8 and all(ch.isupper() for ch in letters)


def _first_line_title(pages: list[list[_Line]]) -> str | None:
    """The first body line of the document, when it is short enough to be a title."""
    for lines in pages:
        for line in lines:
            if line.role == "heading":
                return line.section
            if line.role == "body":  # a sentence is text, not a title
                short = len(line.text) <= MAX_HEADING_CHARS
                return line.text if short and not line.text.endswith((".", ",", ";")) else None
    return None


# --- text, blocks and boilerplate ------------------------------------------------------


@dataclass(frozen=True)
class _Assembled:
    text: str
    page_starts: tuple[int, ...]
    blocks: tuple[Block, ...]
    boilerplate: tuple[MarkedSpan, ...]


def _assemble(pages: list[list[_Line]], title: str | None) -> _Assembled:
    """Page bodies joined by blank lines, then the furniture; blocks over the bodies."""
    parts: list[str] = []
    starts: list[int] = []
    placed: list[tuple[_Line, int]] = []  # body, heading and footnote lines with offsets
    widths = _usual_widths([line for lines in pages for line in lines])
    offset = 0
    for n, lines in enumerate(pages):
        if starts:
            parts.append("\n\n")
            offset += 2
        starts.append(offset)
        following = pages[n + 1] if n + 1 < len(pages) else []
        kept = _reading_order(lines, following, widths)
        for j, line in enumerate(kept):
            if j:
                parts.append("\n")
                offset += 1
            placed.append((line, offset))
            parts.append(line.text)
            offset += len(line.text)
    furniture, offset = _append_furniture(pages, parts, offset)
    text = "".join(parts)
    blocks = _blocks(placed, title, widths)
    return _Assembled(text, tuple(starts), tuple(blocks), tuple(furniture))


def _reading_order(
    lines: list[_Line], following: list[_Line], widths: dict[int, int]
) -> list[_Line]:
    """A page's text lines in the order they are written out. Footnotes go after the page's
    text, or, when its last paragraph runs on to the next page, just before that paragraph:
    the paragraph stays one unbroken span and every line stays on its own page."""
    text = [line for line in lines if line.role in ("body", "heading")]
    notes = [line for line in lines if line.role == "footnote"]  # the rest is furniture
    ahead = next((line for line in following if line.role in ("body", "heading")), None)
    if not notes or not text or ahead is None or not _runs_on(text[-1], ahead, widths):
        return text + notes
    first = len(text) - 1
    while (
        first > 0
        and text[first - 1].role == "body"
        and _continues(text[first - 1], text[first], widths)
    ):
        first -= 1
    return text[:first] + notes + text[first:]


def _runs_on(last: _Line, ahead: _Line, widths: dict[int, int]) -> bool:
    """Does the next page's first line carry on the paragraph this page ends with?"""
    return last.role == ahead.role == "body" and _continues(last, ahead, widths)


def _append_furniture(
    pages: list[list[_Line]], parts: list[str], offset: int
) -> tuple[list[MarkedSpan], int]:
    """Write the furniture lines after the last page; one span per run of one reason."""
    spans: list[MarkedSpan] = []
    for lines in pages:
        for line in lines:
            if line.role in _TEXT_ROLES:
                continue
            separator = "\n\n" if not spans else "\n"
            parts.append(separator)
            offset += len(separator)
            start, offset = offset, offset + len(line.text)
            parts.append(line.text)
            if spans and spans[-1].reason == line.role and spans[-1].end == start - 1:
                spans[-1] = MarkedSpan(spans[-1].start, offset, line.role)
            else:
                spans.append(MarkedSpan(start, offset, line.role))
    return spans, offset


def _blocks(
    placed: list[tuple[_Line, int]], title: str | None, widths: dict[int, int]
) -> list[Block]:
    """Headings as they were marked; body lines joined into paragraphs and list items; each
    footnote a block of its own (kind "note"). Every block carries its section and heading
    path (a bookmark that names the document's title opens no section of it)."""
    blocks: list[Block] = []
    section = title or ""
    trail = HeadingTrail()
    previous: _Line | None = None
    for line, start in placed:
        end = start + len(line.text)
        if line.role == "heading":
            if previous and previous.role == "heading" and previous.section == line.section:
                blocks[-1] = dataclasses.replace(blocks[-1], end=end)  # its next line
            else:
                if line.section == title:
                    trail.restart()
                else:
                    trail.enter(line.section, line.level)
                blocks.append(Block(start, end, "heading", line.section, line.level, trail.path))
            section = line.section
        elif not blocks and line.text == title:
            blocks.append(Block(start, end, "title", section))
        elif line.role == "footnote":
            if previous and previous.role == "footnote" and not line.opens_note:
                blocks[-1] = dataclasses.replace(blocks[-1], end=end)
            else:
                blocks.append(Block(start, end, "note", section, headings=trail.path))
        elif previous and previous.role == "body" and _joins(blocks[-1], previous, line, widths):
            blocks[-1] = dataclasses.replace(blocks[-1], end=end)
        else:
            kind = "item" if _LIST_ITEM.match(line.text) else "paragraph"
            blocks.append(Block(start, end, kind, section, headings=trail.path))
        previous = line
    return blocks


def _joins(block: Block, previous: _Line, line: _Line, widths: dict[int, int]) -> bool:
    """Does `line` carry on `block`, whose last line is `previous`? Never a title."""
    return block.kind != "title" and _continues(previous, line, widths)


def _usual_widths(lines: list[_Line]) -> dict[int, int]:
    """Per page, the length of a full line of body text (the 80th percentile)."""
    by_page: dict[int, list[int]] = {}
    for line in lines:
        if line.role == "body":
            by_page.setdefault(line.page, []).append(len(line.text))
    everything = sorted(n for lengths in by_page.values() for n in lengths) or [60]
    fallback = everything[int(0.8 * (len(everything) - 1))]
    widths = {}
    for page, lengths in by_page.items():
        lengths.sort()
        widths[page] = lengths[int(0.8 * (len(lengths) - 1))] if len(lengths) >= 8 else fallback
    return widths


def _continues(previous: _Line, line: _Line, widths: dict[int, int]) -> bool:
    """Does `line` carry on the paragraph that `previous` belongs to?"""
    text = line.text
    if _LIST_ITEM.match(text):
        return False
    if text[0].islower():
        return True
    # A line short of the page's width ends its paragraph (or is code, a list or a
    # reference entry): prose wraps at the full width until its last line.
    return len(previous.text) >= SHORT_LINE * widths.get(previous.page, 60)


FORMAT = Format(name="PDF", suffixes=(".pdf",), read=read_pdf, sniff=sniff_pdf)
