"""reStructuredText: the file's decoded text, unchanged; its structure read from its lines.

A small reader over lines and their indentation (docutils is not installed, and would
not give offsets), so each `Block` is an exact span of the text, as Markdown's are:

- section titles from underlined or over-and-underlined lines (any rst adornment
  character, at least as long as the title); the first is the document's title;
- `::` literal blocks and code directives (`.. code-block::`, `.. code::`, doctests) are
  code with their line breaks, never headings;
- admonitions (`.. note::`, `.. warning::`, ...) are their name as a one-word block, then
  their content, the shape the caveat rules know from HTML admonitions ("Warning", then
  the paragraph it warns about);
- other directives with content (`.. tab::`, `.. function::`) keep their argument as a
  label and their content; comments, link targets, substitution definitions, field lists
  (`:orphan:`), directive options and directives without content (`.. toctree::`,
  `.. image::`, `.. pip-command-usage:: debug`: what they show is generated elsewhere)
  are boilerplate with their reason;
- paragraphs, list items, definition terms and tables are blocks of their wrapped lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.records import Block
from ingest.formats.base import Format, Limits, MarkedSpan, Reading
from ingest.formats.txt import decode_terminal_text, sniff_plain
from ingest.headings import HeadingTrail
from ingest.structure import is_label_line

#: A line of one repeated adornment character (any printable ASCII punctuation).
#: kind, start, end, heading text, heading level (0 for what is not a heading)
_Part = tuple[str, int, int, str, int]
_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1*")
_TABLE_BORDER = re.compile(r"=+(?: +=+)+")
_BULLET = re.compile(r"[-*+•‣⁃](?: +|$)")
_ENUMERATED = re.compile(r"(?:\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+|#)[.)] +|\((?:\d+|[a-zA-Z]|#)\) +")
_FIELD = re.compile(r":(?![: ])[^:`]*[^: ]:(?: |$)")
_DIRECTIVE = re.compile(r"\.\. +([A-Za-z][\w:.+-]*?)::(?: |$)")
_TARGET = re.compile(r"\.\. +(?:_[^:`]*:|__:|_`[^`]*`:)(?: |$)")
_SUBSTITUTION = re.compile(r"\.\. +\|[^|]+\| +[\w:.+-]+::")
_FOOTNOTE = re.compile(r"\.\. +\[[^\]]+\](?: |$)")

#: Nesting (block quotes, directives, list items) read before the rest goes flat: far past
#: any real document, far below Python's recursion limit.
MAX_DEPTH = 40
CODE_DIRECTIVES = frozenset(
    {"code-block", "code", "sourcecode", "doctest", "testcode", "testoutput", "math"}
    | {"parsed-literal", "productionlist", "prompt"}
)
#: Admonitions with a fixed title: the directive's name is the title.
ADMONITIONS = frozenset(
    {"note", "warning", "caution", "danger", "attention", "important", "tip", "hint", "error"}
    | {"seealso", "todo", "deprecated", "versionadded", "versionchanged"}
)
#: Admonitions whose argument is the title (`.. admonition:: Compatibility note`).
TITLED_ADMONITIONS = frozenset({"admonition"})
#: Directives whose body is markup for Sphinx or docutils, not prose.
MARKUP_DIRECTIVES = frozenset(
    {"toctree", "contents", "include", "literalinclude", "image", "index", "meta", "raw"}
    | {"highlight", "sectnum", "tabularcolumns", "currentmodule", "module", "default-role"}
    | {"role", "title", "header", "footer", "autosummary", "toc", "only"}
)


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the line's first character in the text
    text: str  # the line without its line break (and without a trailing "\r")

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def indent(self) -> int:
        """Leading white space in columns (tabs to 8)."""
        expanded = self.text.expandtabs(8)
        return len(expanded) - len(expanded.lstrip())

    @property
    def body(self) -> str:
        return self.text.strip()

    @property
    def first(self) -> int:
        """Offset of the first non-space character."""
        return self.start + len(self.text) - len(self.text.lstrip())

    @property
    def last(self) -> int:
        """Offset just past the last non-space character."""
        return self.start + len(self.text.rstrip())


def read(raw: bytes, file: str, limits: Limits) -> Reading:
    """reStructuredText: decoded verbatim; blocks, title and boilerplate from its lines."""
    text, notes = decode_terminal_text(raw, file)
    reader = _Reader(text)
    reader.body(0, len(reader.lines), top=True)
    title = next((part[3] for part in reader.parts if part[0] == "heading"), None)
    return Reading(
        text=text,
        title=title,
        blocks=tuple(_blocks(text, reader.parts, title)),
        boilerplate=tuple(reader.marked),
        notes=notes,
    )


def _lines(text: str) -> list[_Line]:
    lines, start = [], 0
    for piece in text.split("\n"):
        lines.append(_Line(start, piece.removesuffix("\r")))
        start += len(piece) + 1
    return lines


class _Reader:
    """Walks the lines once, collecting (kind, start, end, heading, level) parts and marked
    spans. A section title's level is the rank of its adornment style (underline
    character, overlined or not) in the order the styles first appear, as docutils reads
    it; a rubric sits one level under the section it is in."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _lines(text)
        self.parts: list[_Part] = []
        self.marked: list[MarkedSpan] = []
        self.depth = 0
        self.styles: list[tuple[str, bool]] = []
        self.level = 0  # of the section being read

    def body(self, i: int, j: int, top: bool = False) -> None:
        """Read lines [i, j): every element at the indentation of their first line."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:  # a staircase of indents: flat paragraphs, no recursion
                self._flat(i, j)
            else:
                self._body(i, j, top)
        finally:
            self.depth -= 1

    def _flat(self, i: int, j: int) -> None:
        while i < j:
            if self.lines[i].blank:
                i += 1
                continue
            k, last = self._run_end(i, i + 1, j)
            self._add("paragraph", self.lines[i].first, last)
            i = k

    def _body(self, i: int, j: int, top: bool) -> None:
        base = next((line.indent for line in self.lines[i:j] if not line.blank), 0)
        while i < j:
            line = self.lines[i]
            if line.blank:
                i += 1
            elif line.indent > base:  # a block quote: its own body
                k = self._indented_end(i, j, base + 1)
                self.body(i, k)
                i = k
            else:
                i = self._element(i, j, top)

    def _element(self, i: int, j: int, top: bool) -> int:
        """Read the element starting at line i (at the body's indentation); its end."""
        line = self.lines[i]
        body = line.body
        if top and (end := self._section(i, j)):
            return end
        if body.startswith("..") and (len(body) == 2 or body[2] == " "):
            return self._explicit(i, j)
        if _FIELD.match(body):
            return self._mark(i, self._field_list_end(i, j), "field list")
        if _is_transition(body):
            return i + 1
        if body.startswith("+-") or body.startswith("+="):
            return self._table(i, self._grid_end(i, j))
        if _TABLE_BORDER.fullmatch(body):
            return self._table(i, self._simple_table_end(i, j))
        marker = _BULLET.match(body) or _ENUMERATED.match(body)
        if marker and self._is_item(i, j, line.indent + marker.end()):
            return self._item(i, j, line.indent + marker.end(), line.first + marker.end())
        return self._paragraph(i, j)

    # --- sections --------------------------------------------------------------------

    def _section(self, i: int, j: int) -> int | None:
        """The end of a section title at line i (over- and underlined, or underlined)."""
        lines = self.lines
        if i + 2 < j and _is_adornment(lines[i].text) and not lines[i + 1].blank:
            title = lines[i + 1]
            if lines[i + 2].text.rstrip() == lines[i].text.rstrip() and len(
                lines[i].text.rstrip()
            ) >= len(title.body):
                return self._heading(title, i + 3, (lines[i].text.strip()[0], True))
        if i + 1 < j and lines[i].indent == 0 and _is_adornment(lines[i + 1].text):
            under = lines[i + 1].text.rstrip()
            if len(under) >= max(len(lines[i].body), 2) and not _is_adornment(lines[i].text):
                return self._heading(lines[i], i + 2, (under.strip()[0], False))
        return None

    def _heading(self, line: _Line, end: int, style: tuple[str, bool]) -> int:
        if style not in self.styles:
            self.styles.append(style)
        self.level = self.styles.index(style) + 1
        self.parts.append(("heading", line.first, line.last, line.body, self.level))
        return end

    # --- explicit markup: directives, comments, targets ---------------------------------

    def _explicit(self, i: int, j: int) -> int:
        """A `..` construct and its indented block: a directive, footnote or boilerplate."""
        end = self._indented_end(i, j, self.lines[i].indent + 1)
        body = self.lines[i].body
        if _TARGET.match(body):
            return self._mark(i, end, "link target")
        if _SUBSTITUTION.match(body):
            return self._mark(i, end, "substitution definition")
        if _FOOTNOTE.match(body):
            self._add("paragraph", self.lines[i].first, self.lines[end - 1].last)
            return end
        directive = _DIRECTIVE.match(body)
        if directive is None:
            return self._mark(i, end, "comment")
        self._directive(directive.group(1).lower(), i, end, directive.end())
        return end

    def _directive(self, name: str, i: int, end: int, after: int) -> None:
        """A directive at line i whose block ends at `end`; `after` is where its argument
        starts in the line's stripped text."""
        line = self.lines[i]
        argument = (line.first + after, line.last) if line.first + after < line.last else None
        content = self._options_end(i + 1, end)
        has_content = any(not x.blank for x in self.lines[content:end])
        if name == "rubric" and argument:  # an informal heading
            self.parts.append(("heading", *argument, self._text(*argument), self.level + 1))
            return
        inline = name in ADMONITIONS and argument  # ".. important:: Make sure ..."
        if name in MARKUP_DIRECTIVES or not (has_content or inline):
            self._mark(i, end, "directive")  # what it shows is generated, not written here
            return
        self._mark(i + 1, content, "directive options")
        if name in CODE_DIRECTIVES:
            self._code(content, end)
        elif name in ADMONITIONS or name in TITLED_ADMONITIONS:
            self._admonition(name, i, argument, content, end)
        else:
            if argument:
                self._add("label", *argument)
            self.body(content, end)

    def _admonition(self, name: str, i: int, argument, content: int, end: int) -> None:
        """The name as a one-word title block (the argument for `.. admonition::`), then
        the content; text after `::` on the first line opens the content."""
        line = self.lines[i]
        name_at = line.first + line.body.lower().index(name, 2)
        if name in TITLED_ADMONITIONS:
            if argument:
                self._add("paragraph", *argument)
        else:
            self._add("paragraph", name_at, name_at + len(name))
            if argument:  # ".. warning:: Do not ...": the content's first paragraph
                content, last = self._run_end(i, content, end)
                self._add("paragraph", argument[0], last)
        self.body(content, end)

    def _options_end(self, i: int, end: int) -> int:
        """Past a directive's options (`:caption: x` lines right after it)."""
        k = i
        while k < end and not self.lines[k].blank and _FIELD.match(self.lines[k].body):
            k += 1
        return k

    # --- lists, paragraphs, literal blocks, tables --------------------------------------

    def _is_item(self, i: int, j: int, column: int) -> bool:
        """A list marker opens an item when the next line is blank, indented to the
        item's text, or another item ("A. Smith said" followed by text is a paragraph)."""
        if i + 1 >= j or self.lines[i + 1].blank or self.lines[i + 1].indent >= column:
            return True
        nxt = self.lines[i + 1].body
        return bool(_BULLET.match(nxt) or _ENUMERATED.match(nxt))

    def _item(self, i: int, j: int, column: int, text_start: int) -> int:
        """A list item: its first paragraph is the item, the rest of its body follows."""
        end = self._indented_end(i, j, column)
        if text_start >= self.lines[i].last:  # the marker alone: the text starts below
            self.body(i + 1, end)
            return end
        rest, last = self._run_end(i, i + 1, end)
        self._add("item", text_start, last)
        rest = self._literal_after(text_start, last, rest, end)
        self.body(rest, end)
        return end

    def _paragraph(self, i: int, j: int) -> int:
        first = self.lines[i]
        if i + 1 < j and not self.lines[i + 1].blank and self.lines[i + 1].indent > first.indent:
            self._add("label", first.first, first.last)  # a definition list's term
            end = self._indented_end(i, j, first.indent + 1)
            self.body(i + 1, end)
            return end
        k, last = self._run_end(i, i + 1, j)
        paragraph = self._text(first.first, last)
        if paragraph.startswith(">>>"):
            self._add("code", first.first, last)
        elif paragraph != "::":
            label = k == i + 1 and is_label_line(paragraph)
            self._add("label" if label else "paragraph", first.first, last)
        return self._literal_after(first.first, last, k, j)

    def _literal_after(self, start: int, last: int, k: int, j: int) -> int:
        """After a paragraph ending in `::`, the indented block that follows is code."""
        if not self._text(start, last).endswith("::"):
            return k
        m = k
        while m < j and self.lines[m].blank:
            m += 1
        base = self.lines[k - 1].indent
        if m < j and self.lines[m].indent > base:
            end = self._indented_end(m, j, base + 1)
            self._code(m, end)
            return end
        return k

    def _code(self, i: int, end: int) -> None:
        lines = [x for x in self.lines[i:end] if not x.blank]
        if lines:
            self._add("code", lines[0].first, lines[-1].last)

    def _table(self, i: int, end: int) -> int:
        self._add("table", self.lines[i].first, self.lines[end - 1].last)
        return end

    def _grid_end(self, i: int, j: int) -> int:
        k = i + 1
        while k < j and self.lines[k].body[:1] in ("+", "|"):
            k += 1
        return k

    def _simple_table_end(self, i: int, j: int) -> int:
        """Past the border line that is followed by a blank line (or the end)."""
        for k in range(i + 1, j):
            if _TABLE_BORDER.fullmatch(self.lines[k].body) and (
                k + 1 >= j or self.lines[k + 1].blank
            ):
                return k + 1
        return self._run_end(i, i + 1, j)[0]

    def _field_list_end(self, i: int, j: int) -> int:
        k = i + 1
        while k < j and not self.lines[k].blank:
            k += 1
        return k

    # --- helpers ------------------------------------------------------------------------

    def _run_end(self, i: int, k: int, j: int) -> tuple[int, int]:
        """(past the last line, offset past its text) of the non-blank run of lines from i,
        looking from line k on."""
        while k < j and not self.lines[k].blank:
            k += 1
        return k, self.lines[k - 1].last if k - 1 > i else self.lines[i].last

    def _indented_end(self, i: int, j: int, column: int) -> int:
        """Past line i and the lines after it that are blank or indented to `column`,
        trailing blank lines left out."""
        k = i + 1
        while k < j and (self.lines[k].blank or self.lines[k].indent >= column):
            k += 1
        while k > i + 1 and self.lines[k - 1].blank:
            k -= 1
        return k

    def _mark(self, i: int, end: int, reason: str) -> int:
        lines = [x for x in self.lines[i:end] if not x.blank]
        if lines:
            self.marked.append(MarkedSpan(lines[0].first, lines[-1].last, reason))
        return end

    def _add(self, kind: str, start: int, end: int) -> None:
        if start < end:
            self.parts.append((kind, start, end, "", 0))

    def _text(self, start: int, end: int) -> str:
        return self.text[start:end]


def _is_adornment(text: str) -> bool:
    stripped = text.rstrip()
    return len(stripped) >= 2 and _ADORNMENT.fullmatch(stripped) is not None


def _is_transition(body: str) -> bool:
    return len(body) >= 4 and _ADORNMENT.fullmatch(body) is not None


def _blocks(text: str, parts: Sequence[_Part], title: str | None) -> list[Block]:
    """Blocks with their sections: the most recent title's text (the document's title
    before the first one), and their heading paths; the first title is the document's."""
    section, blocks, seen_title = title or "", [], False
    trail = HeadingTrail()
    for kind, start, end, heading, level in parts:
        if kind == "heading":
            section = heading
            if not seen_title:
                kind, seen_title = "title", True
                trail.restart()
            else:
                trail.enter(heading, level)
        blocks.append(Block(start, end, kind, section, level, trail.path))
    return blocks


FORMAT = Format(
    name="reStructuredText file",
    suffixes=(".rst",),
    read=read,
    sniff=sniff_plain,
    mismatch="the content is binary data, not text",
)
