"""Blocks of the page's main region that trafilatura dropped between two it kept.

trafilatura drops whole stretches of documentation pages: a Sphinx option list
(`<dl class="std cmdoption">`: "-l <zipfile>" / "List files in a zipfile."), API entries'
signatures, a section with its heading and code. The page's markup names its main region
(Sphinx's `div[role=main]` or `div.body`, `<main>`, `<article>`, else `<body>` less the
classes generators give navigation); on a page a documentation generator wrote (its
`<meta name="generator">`: Docutils, texi2any, DocBook...) its blocks (p, li, dt,
dd, pre, headings, table rows) are read in order and lined up with the kept parts. A block
missing from the text that lies between two blocks found there, in the order the page
gives them, is inside the article: it goes in after the part that holds the one before it
(before the first part, for a title page trafilatura skipped). The chrome rules run on the
parts afterwards, as on any part.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.formats.html_chrome import Part, link_share
from ingest.text import squash

log = logging.getLogger(__name__)

#: Documentation generators, as their `<meta name="generator">` names them.
_GENERATOR = re.compile(
    r"docutils|sphinx|texi2any|makeinfo|texi2html|docbook|mkdocs|pandoc|doxygen|javadoc"
    r"|rustdoc|asciidoctor|gtk-doc|latex2html|hevea",
    re.IGNORECASE,
)
#: Where a page's markup says its main content is, tried in this order, else <body>.
_MAIN_REGIONS = (
    "//div[@role='main']",
    "//main",
    "//article",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
    "//body",
)
_SKIPPED = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
    ]
)
#: Classes generators give their navigation: permalinks, sidebars, DocBook's and
#: Texinfo's header and footer links, tables of contents.
_SKIPPED_CLASSES = frozenset(
    [
        "headerlink",
        "copiable-anchor",
        "sphinxsidebar",
        "related",
        "navheader",
        "navfooter",
        "header",
        "nav-panel",
        "toc",
        "contents",
        "contents-heading",
        "section-toc",
        "mini-toc",
        "toctree-wrapper",
        "breadcrumb",
        "breadcrumbs",
    ]
)
#: The navigation boxes among them that are a line of links above or below a section.
_NAVIGATION_BOXES = ("header", "nav-panel", "navheader", "navfooter", "related", "breadcrumbs")
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_BLOCKS = (
    frozenset(["p", "li", "dt", "dd", "pre", "blockquote", "caption", "figcaption", "tr"])
    | _HEADINGS
)
#: A block this long is looked for anywhere ahead in the text; a shorter one ("-l", "Note")
#: only just after the last block found, where its copy, if kept, would be.
MIN_ANCHOR_CHARS = 40
NEAR_CHARS = 300
#: How far past the last block found a table row's cells are looked for, spaced otherwise.
ROW_WINDOW_CHARS = 600
#: Permalink marks documentation generators end a heading or an entry with ("name¶").
_PERMALINK = re.compile(r"[\s¶§]+$")


@dataclass(frozen=True)
class MarkupBlock:
    """A block of the main region: the Part it would be, and its squashed text."""

    part: Part
    key: str


def with_missed_blocks(parts: list[Part], tree) -> list[Part]:
    """`parts` with the blocks of the page's main region that lie between kept ones and
    are missing from them, each after the part holding the block before it; a part that
    is a `<pre>` run onto one line (trafilatura's code inside a list item) gets its lines
    back, and a table read cell by cell its rows."""
    if not parts or tree is None or not is_generated_manual(tree):
        return parts
    region = _main_region(tree)
    if region is None:
        return parts
    lineup = _Lineup(parts)
    blocks = list(markup_blocks(region))
    for i, block in enumerate(blocks):
        lineup.place(block, blocks[i + 1] if i + 1 < len(blocks) else None)
    return lineup.parts()


class _Lineup:
    """The page's blocks lined up, in order, with the parts trafilatura kept."""

    def __init__(self, parts: list[Part]):
        self.source = parts
        self.text = _Text([_PERMALINK.sub("", squash(p.text)) for p in parts])
        self.inserts: dict[int, list[Part]] = {}  # part index -> blocks to put after it
        self.relined: dict[int, Part] = {}  # part index -> the block that replaces it
        self.dropped: set[int] = set()  # parts a replacement took in
        self.pending: list[MarkupBlock] = []  # missing since the last block found
        self.seen: Counter[str] = Counter()  # the page's blocks placed so far, by text
        self.rows_in: dict[int, list[Part]] = {}  # part index -> table rows found run into it
        self.cursor, self.holder = 0, -1  # -1: before the first part

    def place(self, block: MarkupBlock, after: MarkupBlock | None) -> None:
        """Find `block` (followed by `after`) in the text from the last one found on, or
        hold it as missing."""
        span = self._match(block, after)
        earlier, self.seen[block.key] = self.seen[block.key], self.seen[block.key] + 1
        if span is None:
            if not self.text.kept_elsewhere(block.key, earlier):
                self.pending.append(block)
            return
        self.inserts.setdefault(self.holder, []).extend(self._missing())
        self.holder, self.cursor = span

    def _match(self, block: MarkupBlock, after: MarkupBlock | None) -> tuple[int, int] | None:
        """(index of the part that ends the match, where the match ends), or None."""
        text = self.text
        at = text.find_from(block.key, self.cursor)
        if at >= 0 and not (after and _opens(text, at, block, after)):
            found = text.part_at(at)
            if _is_flattened(block, self.source[found]):
                self.relined[found] = block.part
            return found, at + len(block.key)
        if cells := _row_as_cells(text, self.cursor, block):  # a table read cell by cell
            self.relined[cells.start] = block.part
            self.dropped.update(cells[1:])
            return cells[-1], text.starts[cells[-1]] + len(text.pieces[cells[-1]])
        if block.part.kind == "table" and (end := text.row_end(block.key, self.cursor)) >= 0:
            self.rows_in.setdefault(text.part_at(end - 1), []).append(block.part)
            return text.part_at(end - 1), end  # the row laid out otherwise (cells glued)
        return None

    def _tables_run_together(self) -> None:
        """A part that is, whole, a table's rows run into one paragraph (the loose cells of
        a table trafilatura left in a quote: "Family name Link functions binomial logit ,
        probit…") is read as those rows ("binomial | logit, probit, log, cloglog")."""
        for i, rows in self.rows_in.items():
            part = self.source[i]
            whole = _compact(part.text) == _compact("".join(row.text for row in rows))
            if part.kind != "table" and len(rows) > 1 and whole and i not in self.relined:
                self.relined[i] = Part("table", "\n".join(row.text for row in rows))

    def _missing(self) -> list[Part]:
        """The pending blocks' parts; emptied."""
        found, self.pending = [b.part for b in self.pending], []
        return found

    def parts(self) -> list[Part]:
        """The parts with the missing blocks in place; unchanged if nothing was found."""
        if self.holder < 0:  # nothing of the region was kept: it is not the article
            return self.source
        self.inserts.setdefault(self.holder, []).extend(self._missing())  # footnotes
        self._tables_run_together()
        log.debug("added %d blocks of the main region", sum(map(len, self.inserts.values())))
        out = list(self.inserts.get(-1, ()))
        for i, part in enumerate(self.source):
            if i not in self.dropped:
                out.append(self.relined.get(i, part))
            out.extend(self.inserts.get(i, ()))
        return out


def _opens(text: _Text, at: int, block: MarkupBlock, after: MarkupBlock) -> bool:
    """Whether what `block` matched at `at` is the opening of the block `after` it."""
    return len(after.key) > len(block.key) and text.text.startswith(after.key, at)


def _row_as_cells(text: _Text, cursor: int, block: MarkupBlock) -> range | None:
    """The parts right after `cursor` that are a table row's cells one by one (trafilatura
    reads a Sphinx table whose cells hold paragraphs as a run of paragraphs), if so."""
    if block.part.kind != "table":
        return None
    cells = block.key.split(" | ")
    first = bisect.bisect_left(text.starts, cursor)
    found = text.pieces[first : first + len(cells)]
    return range(first, first + len(cells)) if len(cells) > 1 and found == cells else None


def _is_flattened(block: MarkupBlock, part: Part) -> bool:
    """Whether `part` is the code `block` with its line breaks lost."""
    return (
        block.part.kind == "code"
        and "\n" in block.part.text
        and part.kind != "code"
        and squash(part.text) == block.key
    )


def manual_navigation(tree, parts: Sequence[Part]) -> list[tuple[int, str]]:
    """(index, "navigation links") of each part that is, whole, one of a generated manual's
    navigation boxes: Texinfo's "Next: Licensing, Previous: ..., Up: ... [Contents]" line
    above every section, which trafilatura keeps as a paragraph of the section."""
    if tree is None or not parts or not is_generated_manual(tree):
        return []
    boxes = {
        squash(element.text_content())
        for name in _NAVIGATION_BOXES
        for element in tree.xpath(
            f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        )
    }
    boxes.discard("")
    return [(i, "navigation links") for i, part in enumerate(parts) if squash(part.text) in boxes]


#: A back-of-book index as generators mark it: Texinfo's tables ("index-cp", "index-fn",
#: newer "cp-entries-printindex") and their "Jump to: A B C" rows, DocBook's div.index
#: (never "indexterm", DocBook's anchors inside prose).
_INDEX_CLASS = re.compile(
    r"index-[a-z]{2}|(?:[a-z]{2}-)?(?:entries-|letters-header-)?printindex|index"
)
_SUMMARY_LETTER = ".//a[contains(concat(' ', normalize-space(@class), ' '), ' summary-letter ')]"
_INDEX_ELEMENTS = (
    "//*[@class][self::table or self::div or self::dl]",
    "//tr[" + _SUMMARY_LETTER + "]",
)


def manual_index(tree, parts: Sequence[Part]) -> list[tuple[int, str]]:
    """(index, "back-of-book index") of each part of a generated manual that is, whole, rows
    of its index ("Missing values: | Variations on read.table", a letter "M"): quoted, an
    index entry answers nothing, and "What does read.table do with missing values?" quoted
    R-data.html's concept index beside the section it points to."""
    if tree is None or not parts or not is_generated_manual(tree):
        return []
    rows: set[str] = set()
    for element in (e for path in _INDEX_ELEMENTS for e in tree.xpath(path)):
        if element.tag == "tr" or any(
            _INDEX_CLASS.fullmatch(name) for name in (element.get("class") or "").split()
        ):
            rows.update(_row_texts(element))
    rows.discard("")
    return [
        (i, "back-of-book index")
        for i, part in enumerate(parts)
        if rows and all(squash(line) in rows for line in part.text.split("\n") if line.strip())
    ]


def _row_texts(element) -> Iterator[str]:
    """Each row of an index element as the reader lays it out (cells joined by " | "), and
    each cell and entry alone."""
    for row in element.iter("tr", "dt", "dd", "li"):
        cells = [squash(c.text_content()) for c in row if c.tag in ("td", "th")]
        if cells:
            yield " | ".join(c for c in cells if c)
            yield from cells
        else:
            yield squash(row.text_content())


def is_generated_manual(tree) -> bool:
    """Whether a documentation generator wrote the page: there, the main region holds the
    manual and nothing the markup does not name as navigation. On a page a CMS built,
    what trafilatura drops inside the article is mostly chrome (teasers, captions, shop
    links), so its choice stands."""
    names = tree.xpath("//meta[translate(@name, 'GENRATO', 'genrato')='generator']/@content")
    return any(_GENERATOR.search(name) for name in names)


def _main_region(tree):
    for path in _MAIN_REGIONS:
        found = tree.xpath(path)
        if found:
            return found[0]
    return None


def markup_blocks(region) -> Iterator[MarkupBlock]:
    """The region's blocks in reading order: each block element's own text (a nested
    block's text is that block's), a table row as its cells joined by " | "."""
    for element, own in _own_texts(region):
        tag = element.tag
        if tag == "pre":
            code = "\n".join(line.rstrip() for line in own.strip("\n").split("\n"))
            block = Part("code", code)
        else:
            line = _PERMALINK.sub("", squash(own))
            if not line:
                continue
            linked = link_share(sum(len(squash(a.text_content())) for a in element.iter("a")), line)
            if tag in _HEADINGS:
                block = Part("heading", line, linked, int(tag[1]))
            elif tag in ("li", "dt", "dd"):
                block = Part("item", "- " + line, linked)
            elif tag == "tr":
                block = Part("table", line)
            else:
                block = Part("paragraph", line, linked)
        key = squash(block.text.removeprefix("- "))
        if key:
            yield MarkupBlock(block, key)


def _own_texts(element: Any) -> Iterator[tuple[Any, str]]:
    """(block element, its own text) for every block inside `element`, in order."""
    pieces: list[str] = []
    yield from _walk(element, pieces)


def _walk(element: Any, pieces: list[str]) -> Iterator[tuple[Any, str]]:
    """Append `element`'s inline text to `pieces`, yielding each nested block whole."""
    pieces.append(element.text or "")
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None or tag in _SKIPPED or _is_navigation(child):
            pass
        elif tag == "tr":
            cells = [squash(c.text_content()) for c in child if c.tag in ("td", "th")]
            yield child, " | ".join(c for c in cells if c)
        elif tag in _BLOCKS:
            own: list[str] = []
            nested = list(_walk(child, own))
            yield child, "".join(own)
            yield from nested
        elif tag == "br":
            pieces.append("\n")
        else:
            yield from _walk(child, pieces)
        pieces.append(child.tail or "")


def _is_navigation(element) -> bool:
    """Navigation, or a back-of-book index: never the article's blocks (an index row "!"
    or "c: | Concatenating lists", looked for near the last block found, matches words of
    the references after it and files them under the index)."""
    names = (element.get("class") or "").split()
    return not _SKIPPED_CLASSES.isdisjoint(names) or _is_index(element, names)


def _is_index(element, names: Sequence[str]) -> bool:
    if element.tag == "tr":
        return bool(element.xpath(_SUMMARY_LETTER))
    return any(_INDEX_CLASS.fullmatch(name) for name in names)


def _compact(text: str) -> str:
    """The text without spaces and cell bars: a table row however laid out."""
    return _SPACES_AND_BARS.sub("", text)


_SPACES_AND_BARS = re.compile(r"[\s|]+")


class _Text:
    """The parts' squashed texts joined by spaces, searched forward from a place: through
    an index of where its words start, so a manual of thousands of blocks is lined up by
    lookups, not a scan per block."""

    KEY = 16
    _WORD_START = re.compile(r"(?:^|(?<=\s))\S")

    def __init__(self, texts: Sequence[str]):
        self.starts: list[int] = []
        offset = 0
        for piece in texts:
            self.starts.append(offset)
            offset += len(piece) + 1
        self.pieces = list(texts)
        self._whole = Counter(piece.removeprefix("- ") for piece in texts)
        self.text = " ".join(texts)
        self._compact = _compact(self.text)
        self._openings: dict[str, list[int]] = {}
        for match in self._WORD_START.finditer(self.text):
            at = match.start()
            self._openings.setdefault(self.text[at : at + self.KEY], []).append(at)

    def part_at(self, at: int) -> int:
        return bisect.bisect_right(self.starts, at) - 1

    def kept_elsewhere(self, piece: str, earlier: int = 0) -> bool:
        """Whether `piece` is in the text out of order (neither missing nor a landmark): a
        long one anywhere, a table row anywhere with its cells spaced any way or one a part
        (trafilatura moves a table, or drops what lies before it), a short one ("Changed in
        version 3.4:") as a part of its own, once more than the page showed it before
        (trafilatura drops a repeat: R-intro's second "q()" and "Clean up again.");
        "Save" inside "Save the current window" is another block's words."""
        if " | " in piece:  # a table row, however its cells were spaced or split up
            return _compact(piece) in self._compact
        if len(piece) >= MIN_ANCHOR_CHARS:
            return piece in self.text
        return self._whole[piece] > earlier

    def row_end(self, row: str, start: int) -> int:
        """Where a table row whose cells are in the text near `start`, in order, however
        spaced ("palmos |  | Encoding", "(CP_OEMCP).New in version 3.6."), ends; or -1."""
        window = self.text[start : start + ROW_WINDOW_CHARS + 2 * len(row)]
        places = [i for i, ch in enumerate(window) if not ch.isspace() and ch != "|"]
        compact = "".join(window[i] for i in places)
        at = 0
        for cell in row.split(" | "):
            cell = _compact(cell)
            found = compact.find(cell, at)
            if found < 0:
                return -1
            at = found + len(cell)
        return start + places[at - 1] + 1 if at else -1

    def find_from(self, piece: str, start: int) -> int:
        """Where `piece` occurs from `start` on (a short piece: only near `start`), or -1."""
        if len(piece) < MIN_ANCHOR_CHARS:
            return self.text.find(piece, start, start + NEAR_CHARS + len(piece))
        places = self._openings.get(piece[: self.KEY], ())
        for at in places[bisect.bisect_left(places, start) :]:
            if self.text.startswith(piece, at):
                return at
        return -1
