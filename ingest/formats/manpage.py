"""A manual page saved as text (`man systemctl > systemctl.txt`): its structure from indentation.

`man` lays a page out by indentation, not by blank lines: section names ("NAME",
"OPTIONS") at the margin, sub-sections three spaces in, body text seven; an option or a
setting ("-f, --follow", "Restart=") on a line of its own with its description indented
under it, no blank line between. The plain-text reader took none of those for headings
(each runs on into its body) and took a table's row or a wrapped line for one instead, so
"What does Restart= do?" was quoted under "Note that the execution of ExecStopPost= is
taken into account for". Here a page is recognised by its header line ("SYSTEMCTL(1)
systemctl SYSTEMCTL(1)": the page's name and section at both ends), which is page
furniture, as is the footer that repeats the name; sections, sub-sections and option
entries become headings with their levels, an example indented under a description is
code and a box-drawn table a table. The text is the file's, unchanged.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from index.records import Block
from ingest.formats.base import MarkedSpan

#: The header: "NAME(SECTION)", words between, the same "NAME(SECTION)" at the end.
_HEADER = re.compile(r"(?P<page>[^\s()]+\([0-9n][\w:]*\))[ \t]{2,}(?:.*\S[ \t]{2,})?(?P=page)")
#: A list item's mark inside a description ("•", "1.", "a)", "o"), then its text.
_MARK = r"(?:[•·∙◦▪‐-]|o|\d{1,2}[.)]|[a-z][.)])"
_ITEM = re.compile(_MARK + r"[ \t]+\S")
#: Box-drawing characters: a table drawn by tbl.
_BOX_LINE = re.compile(r"[\u2500-\u257f]")
#: An option or setting entry longer than this is a wrapped line, not a name.
MAX_ENTRY_CHARS = 90
FURNITURE = "manual page header/footer"
#: What `cited inspect` says about a page read so.
NOTE = "read as a manual page: sections, sub-sections and option entries from indentation"


@dataclass(frozen=True)
class ManPage:
    """What the layout gives: the title, the blocks and the page furniture."""

    title: str | None
    blocks: tuple[Block, ...]
    furniture: tuple[MarkedSpan, ...]


@dataclass(frozen=True)
class _Line:
    start: int  # of the stripped line
    end: int
    indent: int


def read_layout(text: str) -> ManPage | None:
    """The page's structure, or None when the text does not open with a man page header."""
    lines = _lines(text)
    page = _HEADER.fullmatch(text[lines[0].start : lines[0].end]) if lines else None
    if page is None:
        return None
    footer = re.compile(r".*\S[ \t]{2,}" + re.escape(page.group("page")))
    furniture = [ln for ln in lines if _is_furniture(text[ln.start : ln.end], footer)]
    body = [ln for ln in lines if not _is_furniture(text[ln.start : ln.end], footer)]
    margin = _body_indent(text, body)
    blocks = tuple(_blocks(text, body, margin))
    marks = tuple(MarkedSpan(ln.start, ln.end, FURNITURE) for ln in furniture)
    return ManPage(_title(text, blocks), blocks, marks)


def _lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            indent = len(body) - len(body.lstrip())
            lines.append(_Line(pos + indent, pos + indent + len(stripped), indent))
        pos += len(raw)
    return lines


def _is_furniture(words: str, footer: re.Pattern[str]) -> bool:
    """The header, or a footer ending with the page's name ("systemd 252  SYSTEMCTL(1)"),
    wherever a paginated copy repeats them."""
    return bool(_HEADER.fullmatch(words) or footer.fullmatch(words))


def _body_indent(text: str, lines: Sequence[_Line]) -> int:
    """The indentation of body text: that of the line under the first section name (7 for
    groff), else the most common one past the margin."""
    for line, following in itertools.pairwise(lines):
        if line.indent == 0 and following.indent > 0:
            return following.indent
    counts = Counter(ln.indent for ln in lines if ln.indent > 0)
    return counts.most_common(1)[0][0] if counts else 0


class _Outline:
    """The headings open at the current point, each with the indentation it was found at."""

    def __init__(self) -> None:
        self.open: list[tuple[int, str]] = []  # (indent, name), outermost first

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.open)

    def enter(self, indent: int, name: str) -> None:
        while self.open and self.open[-1][0] >= indent:
            self.open.pop()
        self.open.append((indent, name))

    def leave_entries(self, indent: int, margin: int) -> bool:
        """Close the entries whose description ended (text back at their indentation)."""
        closed = False
        while len(self.open) > 1 and margin <= self.open[-1][0] >= indent:
            self.open.pop()
            closed = True
        return closed


def _blocks(text: str, lines: Sequence[_Line], margin: int) -> Iterator[Block]:
    """Headings by indentation, then the runs of lines between blank lines as blocks."""
    outline = _Outline()
    described_at: int | None = None  # indentation of the current heading's text
    for whole in _runs(text, lines):
        run = list(whole)
        while run and _opens_heading(text, run, margin, outline.path):
            name = " ".join(text[run[0].start : run[0].end].split())
            outline.enter(run[0].indent, name)
            described_at = None
            yield Block(run[0].start, run[0].end, "heading", name, len(outline.path), outline.path)
            run = run[1:]
        if run and (tag := _hanging_tag(text, run)) is not None:
            name = text[tag.start : tag.end]
            outline.enter(tag.indent, name)
            described_at = None
            yield Block(tag.start, tag.end, "heading", name, len(outline.path), outline.path)
            run[0] = _Line(_skip_spaces(text, tag.end), run[0].end, run[1].indent)
        if not run:
            continue
        if outline.leave_entries(run[0].indent, margin) or described_at is None:
            described_at = run[0].indent
        path = outline.path
        kind = _kind(text, run, described_at)
        yield Block(run[0].start, run[-1].end, kind, path[-1] if path else "", 0, path)


def _opens_heading(text: str, run: Sequence[_Line], margin: int, within: Sequence[str]) -> bool:
    """A section or sub-section name (left of the body text), or an entry's name (never in
    the SYNOPSIS, whose command lines wrap under their first words)."""
    first = run[0]
    if first.indent < margin:
        return first.end - first.start <= MAX_ENTRY_CHARS
    return not (within and within[0].upper() == "SYNOPSIS") and _is_entry(text, run)


def _hanging_tag(text: str, run: Sequence[_Line]) -> _Line | None:
    """An entry's name set on its description's first line ("-c     with -lt: sort by…",
    "-A      Enables forwarding…"): the description's text starts, after two spaces or
    more, at the column its next lines are indented to. The name, or None."""
    if len(run) < 2 or run[1].indent <= run[0].indent:
        return None
    first, column = run[0], run[1].indent - run[0].indent
    words = text[first.start : first.end]
    if column >= len(words) or words[column - 2 : column] != "  " or words[column] == " ":
        return None
    name = words[:column].rstrip()
    if len(name) > MAX_ENTRY_CHARS or re.fullmatch(_MARK, name):
        return None  # a bullet's mark: the run is a list item
    return _Line(first.start, first.start + len(name), first.indent)


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _runs(text: str, lines: Sequence[_Line]) -> Iterator[list[_Line]]:
    """Lines grouped into runs that no blank line separates."""
    run: list[_Line] = []
    for line in lines:
        if run and text.count("\n", run[-1].end, line.start) >= 2:
            yield run
            run = []
        run.append(line)
    if run:
        yield run


def _is_entry(text: str, run: Sequence[_Line]) -> bool:
    """Is the run's first line an entry's name ("-f, --follow", "Restart=", "list-units
    [PATTERN...]"): on its own line, its description indented under it?"""
    if len(run) < 2 or run[1].indent <= run[0].indent or _hanging_tag(text, run):
        return False
    name = text[run[0].start : run[0].end]
    if len(name) > MAX_ENTRY_CHARS or _ITEM.match(name) or _BOX_LINE.search(name):
        return False
    if name.endswith(("...", "…")):  # "start PATTERN...": the arguments repeat
        return True
    return not name.endswith((".", ":", ",", ";"))


def _kind(text: str, run: Sequence[_Line], described_at: int) -> str:
    """A box-drawn table, a list item, an example indented under its description, or text."""
    if any(_BOX_LINE.match(text[ln.start : ln.end]) for ln in run):
        return "table"
    if _ITEM.match(text[run[0].start : run[0].end]):
        return "item"
    return "code" if run[0].indent > described_at else "paragraph"


def _title(text: str, blocks: Sequence[Block]) -> str | None:
    """The NAME section's line ("systemctl - Control the systemd system and service
    manager"), as `apropos` shows it."""
    for previous, block in itertools.pairwise(blocks):
        if previous.kind == "heading" and previous.section.upper() == "NAME":
            return " ".join(text[block.start : block.end].split())
    return None
