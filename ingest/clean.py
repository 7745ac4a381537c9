"""Mark boilerplate: text in an article that is not the article, so it is never quoted.

Boilerplate is found by its nature, not by listing known strings:

- blocks repeated within one document (a call to action pasted between sections): any
  run of two or more consecutive lines that occurs again, or a long single line that does,
  in a hard-wrapped text only when it makes whole paragraphs (a line repeated inside a
  wrapped paragraph is content);
- a "related / similar / recommended posts", "you may also like", "read more" heading
  in the last part of the document, together with everything after it, when all that
  follows is a list of short titles (a "See also" line followed by more prose is kept);
- byline and metadata labels left empty by the copy ("Written by", "Published date");
- short promotional lines ("free to start", "no credit card", "sign up", "subscribe",
  "download the app", "get started", "free trial", "newsletter");
- "Read also: <headline>" teaser lines (in the languages of the web-page benchmark);
- a paginated text's page numbers: numbers alone on their lines counting 1, 2, 3... a
  page apart (groff's output of man-db's manual);
- a table of contents: a run of numbered section titles ("8.5. How can I find out what
  package produced a particular file?") that come again as the sections themselves.
  Quoted, it answers nothing; its section is the text below it.

Spans cover whole stripped lines; `Document.boilerplate` gets them (with any spans the
format reader marked) sorted and merged. `find_boilerplate` gives each with its reason,
for `cited inspect`.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from index.records import Document
from ingest.structure import hard_wrapped

log = logging.getLogger(__name__)

Span = tuple[int, int]
#: (start, end, reason) of one boilerplate span.
Marked = tuple[int, int, str]

MIN_REPEATED_RUN_CHARS = 40
MIN_REPEATED_LINE_CHARS = 50
TAIL_FRACTION = 0.6
MAX_PROMO_CHARS = 120
#: A line after a related-links heading longer than this is prose, not a link title.
MAX_LINK_TITLE_CHARS = 150

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
#: "Read also: <headline>" teaser lines inside an article (a link to another article).
_READ_ALSO = re.compile(
    r"(?:read\s+(?:more|also|next)|see\s+also|also\s+read|lea\s+(?:también|más)|vea\s+también"
    r"|le\s+puede\s+interesar|lesen\s+sie\s+(?:auch|mehr)|auch\s+interessant|mehr\s+zum\s+thema"
    r"|(?:à\s+)?lire\s+aussi|czytaj\s+(?:też|także|również)|zobacz\s+(?:też|także)|leia\s+também)"
    r"\s*:\s*\S.*",
    re.IGNORECASE,
)
_PROMOTION = re.compile(
    r"\b(?:free\s+to\s+start|no\s+credit\s+card|sign\s+up|subscribe|download\s+(?:the|our)\s+app"
    r"|get\s+started|start\s+(?:your\s+)?free\s+trial|free\s+trial|newsletter"
    r"|create\s+(?:a\s+free|your)\s+account|join\s+(?:now|free|today))\b",
    re.IGNORECASE,
)


def mark_boilerplate(doc: Document, keep: Sequence[Span] = ()) -> Document:
    """Return `doc` with `boilerplate` set to the sorted, merged boilerplate spans; lines
    inside `keep` (code blocks, whose lines repeat by nature) are never marked."""
    found = [(start, end) for start, end, _ in find_boilerplate(doc, keep)]
    merged = _merge(doc.text, [*doc.boilerplate, *found])
    log.debug("%s: %d boilerplate spans", doc.file, len(merged))
    return replace(doc, boilerplate=tuple(merged))


def find_boilerplate(doc: Document, keep: Sequence[Span] = ()) -> list[Marked]:
    """Every boilerplate span of `doc`'s text with its reason, in text order (may overlap).

    A paged document (PDF) is a manual, not a web page: its repeats are page furniture,
    which its reader marks; its other repeated lines (code) and its lines about
    subscribing (to a mailing list) are content. Taking the document, not its text, keeps
    `cited inspect` and the build to one answer.
    """
    text, paged = doc.text, bool(doc.page_starts)
    lines = _outside(_lines(text), keep)
    found = [
        *((s, e, "related-links tail") for s, e in _related_tail(text, lines)),
        *((s, e, "empty byline") for s, e in _empty_bylines(text, lines)),
        *((s, e, "read-also link") for s, e in _read_also(text, lines)),
        *((s, e, "table of contents") for s, e in _table_of_contents(text, lines)),
    ]
    if not paged:
        found += [
            *((s, e, "repeated block") for s, e in _repeated_blocks(text, lines)),
            *((s, e, "call to action") for s, e in _promotions(text, lines)),
            *((s, e, "page number") for s, e in _page_numbers(text, lines)),
        ]
    return sorted(found)


def _outside(lines: list[Span], keep: Sequence[Span]) -> list[Span]:
    """The lines that lie in none of the sorted, disjoint `keep` spans."""
    if not keep:
        return lines
    starts = [start for start, _ in keep]
    result = []
    for line in lines:
        i = bisect.bisect_right(starts, line[0]) - 1
        if i < 0 or keep[i][1] <= line[0]:
            result.append(line)
    return result


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
    return _whole_paragraphs(text, lines, marked) if hard_wrapped(text, lines) else marked


def _whole_paragraphs(text: str, lines: list[Span], marked: list[Span]) -> list[Span]:
    """The marked lines whose paragraph (a run of lines without a blank one) is marked
    whole, in a hard-wrapped text (where blank lines end paragraphs). Pasted boilerplate
    is whole blocks; a repeated line inside a wrapped paragraph (a manual's "otherwise.
    Unless --quiet is specified, this will also print the", said of two commands) is part
    of a sentence, and cutting it out would split the quote."""
    chosen = set(marked)
    kept: list[Span] = []
    for paragraph in _paragraphs(text, lines):
        if all(line in chosen for line in paragraph):
            kept.extend(paragraph)
    return kept


def _paragraphs(text: str, lines: list[Span]) -> list[list[Span]]:
    """The lines grouped into runs that no blank line separates."""
    runs: list[list[Span]] = []
    for line in lines:
        if runs and text.count("\n", runs[-1][-1][1], line[0]) < 2:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


#: Page numbers: at least this many, one counting on from the other, other lines between
#: each two and this many lines apart on average (a page may end a chapter half empty).
MIN_PAGE_NUMBERS = 3
MIN_LINES_PER_PAGE = 10


def _page_numbers(text: str, lines: list[Span]) -> list[Span]:
    """A paginated text's page numbers (groff's page-numbered output, man-db's manual: "2"
    alone, centred, between blank lines): lines of a number alone, standing apart, that
    count 1, 2, 3... through the text a page apart. A numbered list counts on line by line."""
    numbers = [
        (i, int(text[s:e]))
        for i, (s, e) in enumerate(lines)
        if e - s <= 4 and text[s:e].isdigit() and _stands_apart(text, lines, i)
    ]
    chain: list[tuple[int, int]] = []
    for at, number in numbers:
        if chain and number == chain[-1][1] + 1 and at - chain[-1][0] > 1:
            chain.append((at, number))
        elif len(chain) < MIN_PAGE_NUMBERS:
            chain = [(at, number)]
    if len(chain) < MIN_PAGE_NUMBERS:
        return []
    spread = (chain[-1][0] - chain[0][0]) / (len(chain) - 1)
    return [lines[i] for i, _ in chain] if spread >= MIN_LINES_PER_PAGE else []


def _stands_apart(text: str, lines: list[Span], i: int) -> bool:
    """Is line i between blank lines (or at an end of the text)?"""
    before = i == 0 or text.count("\n", lines[i - 1][1], lines[i][0]) >= 2
    after = i + 1 == len(lines) or text.count("\n", lines[i][1], lines[i + 1][0]) >= 2
    return before and after


def _related_tail(text: str, lines: list[Span]) -> list[Span]:
    """From a 'related posts'-style heading in the last part of the text to the end, when
    every line after it is a short title (a list of links), not prose."""
    for i, (start, end) in enumerate(lines):
        late = start >= TAIL_FRACTION * len(text)
        heading = late and _TAIL_HEADING.fullmatch(text[start:end])
        if heading and all(_is_link_title(text[s:e]) for s, e in lines[i + 1 :]):
            return [(start, lines[-1][1])]
    return []


def _is_link_title(line: str) -> bool:
    """A short line that does not end as a sentence does: the title of a linked page."""
    return len(line) <= MAX_LINK_TITLE_CHARS and not line.rstrip().endswith((".", ":", ";"))


def _empty_bylines(text: str, lines: list[Span]) -> list[Span]:
    """Byline or date labels with nothing after them ("Written by", "Published date")."""
    return [(s, e) for s, e in lines if EMPTY_BYLINE.fullmatch(text[s:e])]


def _promotions(text: str, lines: list[Span]) -> list[Span]:
    """Short lines that sell something: sign-ups, free starts, app downloads."""
    return [(s, e) for s, e in lines if e - s <= MAX_PROMO_CHARS and _PROMOTION.search(text[s:e])]


def _read_also(text: str, lines: list[Span]) -> list[Span]:
    """'Read also: <headline>' lines: a label, then the title of another article."""
    return [
        (s, e)
        for s, e in lines
        if _READ_ALSO.fullmatch(text[s:e]) and _is_link_title(text[s:e].partition(":")[2])
    ]


#: A numbered section title: "8.5. How can I…", "Chapter 8. The Debian…", "2.3.1 Options".
_NUMBERED_TITLE = re.compile(
    r"(?:chapter[ \t\u00a0]+)?(\d{1,3}(?:\.\d{1,3})*)\.?[ \t\u00a0]+(\S.*)", re.IGNORECASE
)
#: A table of contents lists at least this many sections...
MIN_CONTENTS_ENTRIES = 5
#: ...at least this share of them come again outside it...
CONTENTS_RECUR = 0.8
#: ...and they are at least this share of its lines (the rest wrap long titles): a page of
#: a PDF manual runs on without a blank line too, its headings sparse among paragraphs.
CONTENTS_DENSITY = 0.5
_CONTENTS_HEADING = re.compile(r"(?:table\s+of\s+)?contents", re.IGNORECASE)


def _table_of_contents(text: str, lines: list[Span]) -> list[Span]:
    """The lines of each table of contents: an unbroken run of lines (a wrapped title goes
    on in an unnumbered line) mostly of numbered titles, at least MIN_CONTENTS_ENTRIES, most
    of which open a line elsewhere too (a manual may put its contents last); with the
    "Contents" line above it."""
    keys = [_title_key(text[s:e]) for s, e in lines]
    seen: dict[tuple[str, str], list[int]] = {}
    for row, key in enumerate(keys):
        if key:
            seen.setdefault(key, []).append(row)
    found: list[Span] = []
    i = 0
    while i < len(lines):
        end = _run_end(text, lines, keys, i)
        entries = [key for key in keys[i:end] if key is not None]
        recurring = sum(any(not i <= row < end for row in seen[key]) for key in entries)
        dense = len(entries) >= CONTENTS_DENSITY * (end - i)
        if (
            dense
            and len(entries) >= MIN_CONTENTS_ENTRIES
            and recurring >= CONTENTS_RECUR * len(entries)
        ):
            first = i - 1 if i and _CONTENTS_HEADING.fullmatch(text[slice(*lines[i - 1])]) else i
            found.extend(lines[first:end])
        i = max(end, i + 1)
    return found


def _run_end(text: str, lines: list[Span], keys: list[tuple[str, str] | None], i: int) -> int:
    """The end of the run of lines from line i (a numbered title) with no blank line
    between them; i itself when line i is no numbered title."""
    if keys[i] is None:
        return i
    end = i + 1
    while end < len(lines) and text.count("\n", lines[end - 1][1], lines[end][0]) == 1:
        end += 1
    return end


def _title_key(line: str) -> tuple[str, str] | None:
    """A numbered title's number and first four words, folded (the table of contents and
    the heading it points to differ in spaces and case), or None."""
    match = _NUMBERED_TITLE.fullmatch(line.strip())
    if match is None:
        return None
    words = match.group(2).lower().split()[:4]
    return (match.group(1), " ".join(words)) if words and words[0][0].isalpha() else None


def _merge(text: str, spans: list[Span]) -> list[Span]:
    """Sort spans and merge those overlapping or separated only by whitespace."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
