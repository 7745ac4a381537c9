"""PDF headings: which extracted lines print a section's title.

From the PDF outline (bookmarks) when it has one, each title matched to the one to four
lines that print it; else from text set larger than the body; else from numbering ("2.2
What machines does R run on?"). Titles and lines compare by `title_key`, letters and
digits only, because an extractor may drop the spaces and an outline holds no ligatures.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from ingest.formats.pdf_sandbox import OutlineEntry

MAX_HEADING_CHARS = 90
MAX_HEADING_LINES = 4
#: A printed table of contents line: dots, then a page number.
DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:\d+(?:,\s*\d+)*|[ivxlc]+)\s*$", re.IGNORECASE)
_CHAPTER_LABEL = re.compile(r"(?:chapter|appendix|part)\s+[\dA-Z]{1,4}\.?", re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"(?:\d{1,2}(?:\.\d{1,2}){0,4}|[A-Z](?:\.\d{1,2}){1,4})\.?\s+\S")
_PRINTED_NUMBER = re.compile(
    r"(?:(?:chapter|appendix|part)\s+)?(?:\d{1,2}(?:\.\d{1,2})*|[A-Z](?:\.\d{1,2})+)\.?(?=\s|$)",
    re.IGNORECASE,
)
_NUMBER_PREFIX = re.compile(r"(?:chapter|appendix|part)?[a-z]?\d*")
_BARE_NUMBER = re.compile(r"\d{1,4}")


class HeadingLine(Protocol):
    """One extracted line of a page, as `ingest.formats.pdf` keeps it."""

    text: str
    role: str  # "body", "heading", or why it is not text
    section: str  # for headings: the section this line opens


def title_key(text: str) -> str:
    """Lowercase letters and digits only: how a title and the line printing it compare
    (an extractor may drop the spaces, and the outline holds no ligatures)."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


def mark_outline_headings(
    pages: Sequence[Sequence[HeadingLine]], outline: tuple[OutlineEntry, ...]
) -> int:
    """Mark the lines that print each bookmark's title; return how many were found."""
    found = 0
    for entry in outline:
        for page in (entry.page, entry.page + 1):
            if page < len(pages) and _match_heading(pages[page], entry.title):
                found += 1
                break
    return found


def _match_heading(lines: Sequence[HeadingLine], title: str) -> bool:
    """Find `title` printed on one to four consecutive body lines (after any numbering)."""
    wanted = title_key(title)
    if not wanted:
        return False
    for i, line in enumerate(lines):
        if line.role != "body" or not title_key(line.text):  # "}" must not start a heading
            continue
        joined = ""
        for k in range(i, min(i + MAX_HEADING_LINES, len(lines))):
            if lines[k].role != "body":
                break
            joined += title_key(lines[k].text)
            if _prints_title(joined, wanted):
                first = i + 1 if _page_number_above(lines, i, k, wanted) else i
                _set_heading(lines, first, k, _section_name(lines[first : k + 1], title))
                return True
            if len(joined) >= len(wanted) + 12:
                break
    return False


def _page_number_above(lines: Sequence[HeadingLine], first: int, last: int, wanted: str) -> bool:
    """Whether line `first` is a bare number the title does without: "23" above "5 Running
    R" is the page number a chapter's first page prints, not part of its heading."""
    if first == last or not wanted[0].isdigit():
        return False
    if not _BARE_NUMBER.fullmatch(lines[first].text.strip()):
        return False
    rest = "".join(title_key(line.text) for line in lines[first + 1 : last + 1])
    return _prints_title(rest, wanted)


def _section_name(lines: Sequence[HeadingLine], title: str) -> str:
    """The bookmark's title with the number the page prints before it ("2.2 What machines
    does R run on?"); the title's own characters are cleaner than the page's."""
    number = _PRINTED_NUMBER.match(lines[0].text)
    if not number or title.lower().startswith(number.group().lower()):
        return title
    return f"{number.group()} {title}"


def _prints_title(printed: str, wanted: str) -> bool:
    """The squashed line is the title, perhaps after a number ("22" + "whatmachines...")."""
    if not printed.endswith(wanted):
        return False
    prefix = printed[: len(printed) - len(wanted)]
    return len(prefix) <= 12 and bool(_NUMBER_PREFIX.fullmatch(prefix))


def _set_heading(lines: Sequence[HeadingLine], first: int, last: int, section: str) -> None:
    """Lines first..last open `section`; a "Chapter 4" line just above joins them."""
    above = lines[first - 1] if first > 0 else None
    if above is not None and above.role == "body" and _CHAPTER_LABEL.fullmatch(above.text):
        first -= 1
    for line in lines[first : last + 1]:
        line.role, line.section = "heading", section


def mark_large_headings(
    pages: Sequence[Sequence[HeadingLine]], large: tuple[tuple[int, str], ...]
) -> int:
    """Without an outline: body lines printing text set larger than the body; how many."""
    found = 0
    for page, text in large:
        wanted = title_key(text)
        lines = pages[page] if 0 <= page < len(pages) else []
        for line in lines:
            if wanted and line.role == "body" and title_key(line.text) == wanted:
                line.role, line.section = "heading", line.text
                found += 1
                break
    return found


def mark_numbered_headings(pages: Sequence[Sequence[HeadingLine]]) -> int:
    """Without an outline or sizes: short numbered lines not ending like a sentence."""
    found = 0
    for lines in pages:
        for line in lines:
            text = line.text
            if (
                line.role == "body"
                and len(text) <= MAX_HEADING_CHARS
                and _NUMBERED_HEADING.match(text)
                and not re.search(r"[.,;:]$", text)
                and not DOT_LEADER.search(text)
                and re.search(r"\s[A-Z]", text)
            ):
                line.role, line.section = "heading", text
                found += 1
    return found
