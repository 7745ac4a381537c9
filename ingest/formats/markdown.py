"""Markdown: the file's decoded content, unchanged; its structure from a CommonMark parser.

markdown-it-py gives every block its source lines, so each `Block` is an exact span of the
file's text: ATX and setext headings (the underline is not part of the heading), fenced and
indented code (a "# comment" inside is code, never a heading), tables, and list items whole
with their continuation lines. YAML front matter, raw HTML blocks and badge lines (a
paragraph of images only) are marked as boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from index.records import Block
from ingest.formats.base import Format, Limits, MarkedSpan, Reading
from ingest.formats.rst import ADMONITIONS, TITLED_ADMONITIONS
from ingest.formats.txt import decode, sniff_plain
from ingest.headings import HeadingTrail
from ingest.structure import is_label_line

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n.*?^(?:---|\.\.\.)[ \t]*$", re.S | re.M)
#: A fence's info string naming a MyST directive: "{warning}", "{admonition} Title".
_MYST_DIRECTIVE = re.compile(r"\{([\w-]+)\}")
#: A directive's option line (":class: tip") before its content.
_MYST_OPTION = re.compile(r"^\s*:[\w-]+:")
_BADGE_CHILDREN = {"image", "link_open", "link_close", "softbreak", "text", "html_inline"}
#: kind, start, end, heading text, heading level (0 for what is not a heading)
_Part = tuple[str, int, int, str, int]


def read(raw: bytes, file: str, limits: Limits) -> Reading:
    """Markdown: decoded verbatim; blocks, title and boilerplate from the parsed source."""
    text = decode(raw, file)
    lines = _LineIndex(text)
    front = _front_matter(text)
    parse_text = text if front is None else _blank_out(text, front)
    tokens = _parser().parse(parse_text)
    marked = [MarkedSpan(*front, "front matter")] if front else []
    parts: list[_Part] = []
    for kind, first, last, heading, level in _walk(tokens):
        start, end = lines.span(first, last)
        if start >= end:
            continue
        if kind in ("raw HTML block", "badge"):
            marked.append(MarkedSpan(start, end, kind))
        else:
            parts.append((kind, start, end, heading, level))
    title = next((p[3] for p in parts if p[0] == "h1"), None)
    return Reading(
        text=text,
        title=title,
        blocks=tuple(_blocks(text, parts, title)),
        boilerplate=tuple(marked),
    )


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _front_matter(text: str) -> tuple[int, int] | None:
    match = _FRONT_MATTER.match(text)
    return (match.start(), match.end()) if match else None


def _blank_out(text: str, span: tuple[int, int]) -> str:
    """The text with the span's characters blanked but its line breaks kept (line maps hold)."""
    start, end = span
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _walk(tokens) -> Iterator[tuple[str, int, int, str, int]]:
    """(kind, first line, past last line, heading text, heading level) of each block, in
    order (level 0 for what is not a heading)."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            first, past = token.map
            if token.markup in ("=", "-"):  # setext: the underline is not part of the heading
                past -= 1
            heading = tokens[i + 1].content.strip()
            level = int(token.tag[1])  # "h2" -> 2; a setext "-" underline is h2 too
            yield ("h1" if level == 1 else "heading"), first, past, heading, level
            i += 3
            continue
        if kind == "list_item_open":
            yield "item", *token.map, "", 0
            i = _close_of(tokens, i, "list_item_close")
        elif kind == "fence" and _admonition_name(token.info):
            yield from _admonition(token)
        elif kind in ("fence", "code_block"):
            first, past = token.map
            if kind == "fence":  # the fence lines are markup, not code
                first, past = first + 1, past - 1 if _closed_fence(token) else past
            yield "code", first, past, "", 0
        elif kind == "table_open":
            yield "table", *token.map, "", 0
            i = _close_of(tokens, i, "table_close")
        elif kind == "html_block":
            yield "raw HTML block", *token.map, "", 0
        elif kind == "paragraph_open":
            badge = _is_badge(tokens[i + 1])
            yield ("badge" if badge else "paragraph"), *token.map, "", 0
            i += 2
        i += 1


def _admonition_name(info: str) -> str | None:
    """The admonition a fence opens in MyST Markdown (```` ```{warning} ````), or None."""
    match = _MYST_DIRECTIVE.match(info.strip())
    name = match.group(1).lower() if match else None
    return name if name in ADMONITIONS or name in TITLED_ADMONITIONS else None


def _admonition(token) -> Iterator[_Part]:
    """A MyST admonition: its opening line as the one-word title block the caveat rules
    know from HTML and reST ("```{caution}" reads as "caution"), then each paragraph of
    its content as prose. Read as code, pip's cautions were never caveats."""
    first, past = token.map
    yield "paragraph", first, first + 1, "", 0
    start = None
    content = token.content.split("\n")
    for offset, line in enumerate(content[: (past - first - 1)]):
        if line.strip() and not (start is None and _MYST_OPTION.match(line)):
            start = first + 1 + offset if start is None else start
        elif start is not None:
            yield "paragraph", start, first + 1 + offset, "", 0
            start = None
    if start is not None:
        yield "paragraph", start, first + 1 + len(content[: (past - first - 1)]), "", 0


def _close_of(tokens, i: int, close: str) -> int:
    level = tokens[i].level
    j = i + 1
    while not (tokens[j].type == close and tokens[j].level == level):
        j += 1
    return j


def _closed_fence(token) -> bool:
    """Does the fence end with a closing fence line (its lines: open, content, close)?"""
    return token.map[1] - token.map[0] == token.content.count("\n") + 2


def _is_badge(inline) -> bool:
    """A paragraph of images (or linked images) only: badges, shields, logos."""
    children = inline.children or []
    has_image = any(c.type == "image" or "<img" in c.content for c in children)
    words = "".join(c.content for c in children if c.type == "text").strip()
    return has_image and not words and {c.type for c in children} <= _BADGE_CHILDREN


def _blocks(text: str, parts: Sequence[_Part], title: str | None) -> Iterator[Block]:
    """Blocks with their sections: the most recent heading's text (the title before one)
    and the path of headings they stand under."""
    section = title or ""
    seen_title = False
    trail = HeadingTrail()
    for kind, start, end, heading, level in parts:
        if kind == "h1" and not seen_title and heading == title:
            kind, seen_title = "title", True
            trail.restart()
        elif kind == "h1":
            kind = "heading"
        elif kind == "paragraph" and is_label_line(text[start:end]):
            kind = "label"
        if kind == "heading":
            trail.enter(heading, level)
        if kind in ("title", "heading"):
            section = heading
        yield Block(start, end, kind, section, level, trail.path)


class _LineIndex:
    """Character offsets of source lines, and stripped spans of line ranges."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts = [0]
        for match in re.finditer(r"\n", text):
            self._starts.append(match.end())
        self._starts.append(len(text))

    def span(self, first: int, past: int) -> tuple[int, int]:
        """The stripped span of lines [first, past)."""
        last_line = min(past, len(self._starts) - 1)
        start = self._starts[min(first, len(self._starts) - 1)]
        end = self._starts[last_line]
        while start < end and self._text[start].isspace():
            start += 1
        while end > start and self._text[end - 1].isspace():
            end -= 1
        return start, end


FORMAT = Format(
    name="Markdown file",
    suffixes=(".md",),
    read=read,
    sniff=sniff_plain,
    mismatch="the content is binary data, not text",
)
