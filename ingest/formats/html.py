"""HTML pages: the main text (trafilatura), laid out one block a paragraph, with its structure.

trafilatura finds the article among navigation, sidebars, footers and share buttons; its
element tree gives headings, paragraphs, list items, tables and code, which become the
`Reading.blocks` (structure is read from the markup, never guessed from the text).
`Reading.text` joins the blocks with blank lines: list items start with "- ", table rows
are lines of cells joined by " | ", code keeps its line breaks and indentation; the text is
in composed Unicode (NFC). Pages too small for trafilatura to judge fall back to every
block element of <main>, <article> or <body>. cited's own cleaning (`ingest/clean.py`)
then runs on the text as for any format.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence

from index.errors import UnreadableFileError
from index.records import Block
from ingest.formats.base import Format, Limits, MarkedSpan, Reading
from ingest.formats.html_blocks import Paragraph
from ingest.formats.html_chrome import Part, chrome_parts, link_share
from ingest.formats.html_chrome_markup import markup_chrome
from ingest.formats.html_fallback import fallback_parts
from ingest.formats.html_recall import is_own_article, judged_paragraphs, with_missed_prose
from ingest.formats.html_structure import (
    is_generated_manual,
    manual_index,
    manual_navigation,
    with_missed_blocks,
)
from ingest.headings import HeadingTrail
from ingest.structure import is_label_line
from ingest.text import squash

log = logging.getLogger(__name__)

_HTML_TAG = re.compile(
    rb"<(html|head|body|p|div|article|main|h[1-6]|ul|ol|li|br|span|title)\b", re.IGNORECASE
)
#: Permalink marks that documentation generators append to headings ("Title¶").
_PERMALINK = re.compile(r"[\s¶§]+$")
#: A sub-heading this long that ends with a full stop is a lead paragraph, not a title.
MIN_LEAD_CHARS = 100
_FULL_STOP = re.compile(r"[^.]\.[\"'”’»)]*$")
#: Below this many characters trafilatura falls back to keeping every text of the page;
#: such a short page is read again with no minimum, so its main algorithm decides.
SHORT_PAGE_CHARS = 250
#: A paragraph this long seen again is the same text shown twice, kept once.
MIN_REPEATED_PARAGRAPH_CHARS = 80


def read(raw: bytes, file: str, limits: Limits) -> Reading:
    """The page's main text and its blocks, or UnreadableFileError."""
    try:
        parts, title, tree, paragraphs = _main_parts(raw, limits)
        if _is_page_dump(parts):
            parts, title = _landmark_reading(raw, parts, title, paragraphs)
    except UnreadableFileError:
        raise
    except Exception as e:  # the parsers raise many kinds on malformed input
        raise UnreadableFileError(file, f"not readable HTML: {e}") from e
    parts = _once(part for part in map(_composed, parts) if part.text.strip())
    title = _composed_text(title) if title else title
    if not parts:
        raise UnreadableFileError(file, "no article text found in the HTML page")
    marked = (
        dict(markup_chrome(tree, parts))
        | dict(manual_navigation(tree, parts))
        | dict(manual_index(tree, parts))
        | dict(chrome_parts(parts))
    )
    text, blocks = _layout([_without_permalink(p) for p in parts], title, marked.keys())
    chrome = [MarkedSpan(blocks[i].start, blocks[i].end, why) for i, why in sorted(marked.items())]
    return Reading(text=text, title=title, blocks=blocks, boilerplate=tuple(chrome))


def _composed(part: Part) -> Part:
    """The part with its text in composed form (`_composed_text`)."""
    return dataclasses.replace(part, text=_composed_text(part.text))


def _composed_text(text: str) -> str:
    """The text in Unicode's canonical composed form (NFC): a page may write "ü" as "u" and
    a combining mark, or a Bengali letter other than the standard way, which read the same
    but match (a quote, a search) only when written the same way. A sign NFC would swap for
    another character (the Kelvin sign "K" for "K") stays: re.html names it."""
    if unicodedata.is_normalized("NFC", text):
        return text
    pieces = _singletons().split(text)  # odd pieces: the signs kept as written
    return "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(pieces))


@functools.cache
def _singletons() -> re.Pattern[str]:
    """The characters NFC replaces by one other character (Kelvin sign, Ohm sign, CJK
    compatibility ideographs), as a pattern that captures each."""
    found = []
    for code in range(0x110000):
        mapping = unicodedata.decomposition(chr(code))
        if mapping and not mapping.startswith("<") and " " not in mapping:
            found.append(re.escape(chr(code)))
    return re.compile("([" + "".join(found) + "])")


def _unmarked(kind: str, text: str) -> str:
    """A heading without the permalink mark a documentation generator appends."""
    return _PERMALINK.sub("", text) if kind == "heading" else text


def _without_permalink(part: Part) -> Part:
    """The part without the "¶" a documentation generator ends an entry with ("- class
    zipfile.ZipInfo(...)¶"): a mark to click, not a word. Removed only once chrome is
    judged, which reads it as the sign of a documentation entry."""
    if part.kind == "code" or not _PERMALINK.search(part.text):
        return part
    return dataclasses.replace(part, text=_PERMALINK.sub("", part.text))


def _is_page_dump(parts: list[Part]) -> bool:
    """Nothing, or one run-on paragraph: trafilatura found no article and may have kept the
    whole page's text (navigation and all)."""
    return not parts or (len(parts) == 1 and parts[0].kind == "paragraph")


def _landmark_reading(
    raw: bytes, parts: list[Part], title: str | None, paragraphs: Sequence[Paragraph]
) -> tuple[list[Part], str | None]:
    """The page's main landmark read block by block instead of trafilatura's page dump,
    unless that one paragraph is an article of its own (a transcript in one <p>) that the
    landmark lacks."""
    found, landmark_title = fallback_parts(raw, landmark_only=bool(parts))
    landmark = [Part(k, _unmarked(k, text), linked, level) for k, text, linked, level in found]
    if parts and is_own_article(parts[0].text, paragraphs, " ".join(p.text for p in landmark)):
        return parts, title
    return landmark or parts, landmark_title


def _once(parts: Iterable[Part]) -> list[Part]:
    """The parts without repeats of an earlier paragraph: a page shows a pull quote or a
    teaser's text again, and a repeat would mark both copies as boilerplate."""
    seen: set[str] = set()
    kept = []
    for part in parts:
        if len(part.text) >= MIN_REPEATED_PARAGRAPH_CHARS and part.kind != "code":
            if part.text in seen:
                continue
            seen.add(part.text)
        kept.append(part)
    return kept


@functools.lru_cache(maxsize=8)
def _config(limits: Limits, min_size: int):
    """trafilatura's settings: any page within our size budget, `min_size` as its minimum
    (built once per pair: `use_config` reads its settings file each time)."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_FILE_SIZE", str(limits.max_bytes))
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(min_size))
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def _main_parts(
    raw: bytes, limits: Limits
) -> tuple[list[Part], str | None, object, list[Paragraph]]:
    """Each block trafilatura keeps, the page's title, its parsed tree, and jusText's
    paragraphs of it."""
    # parsed once: trafilatura works on a copy; the title and jusText's paragraphs are read
    # from it as is
    tree = _parsed(raw, limits)
    parts, title = _extract(tree, limits, SHORT_PAGE_CHARS)
    if sum(len(part.text) for part in parts) < SHORT_PAGE_CHARS:
        parts, title = _extract(tree, limits, 1)
    paragraphs = judged_paragraphs(tree)
    if is_generated_manual(tree):
        # the markup's blocks, in the page's order, put back what trafilatura dropped;
        # jusText's guesses (placed by long anchors only) would file a manual's references
        # under its index, whose short "Appendix F References" anchors nothing
        return with_missed_blocks(parts, tree), title, tree, paragraphs
    return with_missed_prose(parts, paragraphs, tree, title), title, tree, paragraphs


def _parsed(raw: bytes, limits: Limits):
    """The page's lxml tree as `bare_extraction` parses it, None where it would give up."""
    from trafilatura.utils import load_html

    try:
        return load_html(raw, limits.max_bytes)
    except (TypeError, ValueError):  # what bare_extraction turns into "nothing found"
        return None


def _extract(tree, limits: Limits, min_size: int) -> tuple[list[Part], str | None]:
    """trafilatura's blocks of the parsed page (which it copies, so `tree` stays as read)."""
    import trafilatura

    if tree is None:
        return [], None
    found = trafilatura.bare_extraction(
        tree,
        output_format="xml",  # the body as a tree, without rendering it as text too
        include_tables=True,
        include_comments=False,
        include_formatting=False,
        include_links=True,
        include_images=False,
        with_metadata=False,  # only the title is used: `_metadata_title` below
        deduplicate=False,
        config=_config(limits, min_size),
    )
    if found is None or isinstance(found, dict) or found.body is None:
        return [], None
    for line_break in found.body.iter("lb"):  # a <br>: words on either side stay apart
        line_break.text = "\n"
    parts = list(_parts(found.body.iterchildren()))
    first_h1 = next((part.text for part in parts if part.kind == "h1"), None)
    title = first_h1 or _metadata_title(tree)
    return [dataclasses.replace(p, kind="heading") if p.kind == "h1" else p for p in parts], title


def _metadata_title(tree) -> str | None:
    """The title trafilatura's metadata gives (meta tags, then JSON-LD, then the page's
    headings and <title>), squashed. Only this part of `extract_metadata` runs: its date,
    author and tag searches took a fifth of the CPU of reading a page, and cited keeps
    none of them."""
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

    metadata = examine_meta(tree)
    with contextlib.suppress(Exception):  # as trafilatura skips a broken JSON-LD block
        metadata = extract_meta_json(tree, metadata)
    metadata.title = metadata.title or extract_title(tree)
    metadata.clean_and_trim()  # trafilatura's own trimming of the fields it returns
    return squash(metadata.title) if metadata.title else None


def _parts(elements) -> Iterator[Part]:
    """Walk trafilatura's element tree (the children of its body) in document order."""
    for element in elements:
        tag = element.tag
        if tag == "head":
            heading = _PERMALINK.sub("", squash(_all_text(element)))
            level = _heading_level(element.get("rend"))
            kind = "h1" if level == 1 else "heading"
            if _is_lead(kind, heading):
                yield _part("paragraph", heading, element)
            else:
                yield dataclasses.replace(_part(kind, heading, element), level=level)
        elif tag == "list":
            yield from _items(element, 0)
        elif tag == "table":
            yield Part("table", _table(element))
        elif tag == "code":
            yield Part("code", _code(element))
        elif tag == "quote" and _holds_blocks(element):
            yield from _quote_parts(element)
        else:
            yield _part("paragraph", squash(_all_text(element)), element)


#: trafilatura's block elements: inside a quote, each is a block of its own.
_BLOCK_TAGS = frozenset(["p", "list", "head", "table", "code", "quote"])
#: Cells trafilatura leaves loose in a quote when it drops the table around them.
_TABLE_REMNANTS = frozenset(["th", "td", "cell", "row"])
#: Blocks after an item's first paragraph that are parts of their own.
_ITEM_BLOCK_TAGS = frozenset(["p", "quote", "code", "table"])


def _holds_blocks(quote) -> bool:
    """A quote of code blocks, of paragraphs (a Texinfo <blockquote> of book references) or
    of a table's loose cells is read block by block: its texts, joined, would run
    "ISBN 978-0.Deepayan", "Family nameLink functions"."""
    return any(
        c.tag in _TABLE_REMNANTS
        or (c.tag in _BLOCK_TAGS and (c.tag != "code" or _is_code_block(c)))
        for c in quote
    )


def _is_code_block(code) -> bool:
    """A <code> of lines of its own, not code inside a sentence ("use <code>-l</code>")."""
    if "\n" in (code.text or "").strip():
        return True
    if (code.tail or "").strip():
        return False
    around = (code.getprevious(), code.getnext())
    return all(e is None or (e.tag in _BLOCK_TAGS and e.tag != "code") for e in around)


def _quote_parts(quote) -> Iterator[Part]:
    """Each block inside the quote; text and inline elements between blocks read as one
    paragraph each run, elements set apart by a space (a table whose cells trafilatura
    left as loose <th>s and <code>s: "Family name Link functions binomial logit ...")."""
    run: list[str] = [quote.text or ""]
    for child in quote:
        if child.tag in _BLOCK_TAGS and (child.tag != "code" or _is_code_block(child)):
            if squash("".join(run)):
                yield Part("paragraph", squash("".join(run)))
            yield from _parts([child])
            run = [child.tail or ""]
        else:
            run += [" ", _all_text(child), " ", child.tail or ""]  # cells stay apart
    if squash("".join(run)):
        yield Part("paragraph", squash("".join(run)))


def _heading_level(rend: str | None) -> int:
    """The level trafilatura keeps of a heading ("h3": 3), 0 when it kept none."""
    return int(rend[1]) if rend and re.fullmatch(r"h[1-6]", rend) else 0


def _is_lead(kind: str, heading: str) -> bool:
    """A sub-heading that is a sentence of prose (a news page's lead set in an <h2>): read
    as a paragraph, since a section title with no paragraph under it before the next
    heading is indexed nowhere."""
    return kind == "heading" and len(heading) >= MIN_LEAD_CHARS and bool(_FULL_STOP.search(heading))


def _part(kind: str, text: str, element) -> Part:
    """A block with the share of its text that sits inside links (<ref> in trafilatura)."""
    linked = sum(len(squash(_all_text(ref))) for ref in element.iter("ref"))
    return Part(kind, text, link_share(linked, text))


def _items(list_element, depth: int) -> Iterator[Part]:
    """One "- " line per list item, nested lists indented under their item. An item made
    of several blocks (a Sphinx definition with its "Warning" box, a FAQ step "By returning
    a tuple of the results:" and its code) is its first paragraph, then the other blocks
    as parts of their own, never run together. An item whose own words come before its
    blocks (Sphinx's C API entries: "Part of the Stable ABI." above the description) is
    one line, with a space at each block's edges: it read "…Stable ABI.Return a new…"."""
    for item in list_element.iterchildren("item"):
        nested = [child for child in item.iterchildren("list")]
        for child in nested:
            item.remove(child)
        blocks = [child for child in item if child.tag in _ITEM_BLOCK_TAGS]
        opens = blocks and blocks[0].tag == "p" and not (item.text or "").strip()
        rest = blocks[1:] if opens else []
        for child in blocks if not opens else ():  # read with the item: words stay apart
            child.text, child.tail = " " + (child.text or ""), " " + (child.tail or "")
        for child in rest:
            item.remove(child)
        line = _part("item", squash(_all_text(item)), item)
        yield Part("item", "  " * depth + "- " + line.text, line.linked)
        yield from _parts(rest)
        for child in nested:
            yield from _items(child, depth + 1)


def _table(table) -> str:
    """The table as lines of cells joined by " | "."""
    rows = []
    for row in table.iter("row"):
        cells = [squash(_all_text(cell)) for cell in row.iterchildren("cell")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _code(element) -> str:
    """Code as written: line breaks and indentation kept, blank edges and line ends trimmed."""
    lines = [line.rstrip() for line in _all_text(element).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _all_text(element) -> str:
    return "".join(element.itertext())


def _layout(
    parts: list[Part], title: str | None, chrome: Collection[int] = ()
) -> tuple[str, tuple[Block, ...]]:
    """Join the parts with blank lines; one Block a part, with its kind, section and heading
    path (a heading that is chrome, "Related articles", names no section)."""
    pieces: list[str] = []
    blocks: list[Block] = []
    offset = 0
    section = title or ""
    trail = HeadingTrail()
    for i, (kind, text, level) in enumerate((p.kind, p.text, p.level) for p in parts):
        if kind == "heading" and not blocks and text == title:
            kind = "title"
        elif kind == "paragraph" and is_label_line(text):
            kind = "label"
        if kind in ("title", "heading") and i not in chrome:
            section = text
            if kind == "heading":
                trail.enter(text, level)
            else:
                trail.restart()
        start = offset + (2 if pieces else 0)
        blocks.append(Block(start, start + len(text), kind, section, level, trail.path))
        pieces.append(text)
        offset = start + len(text)
    return "\n\n".join(pieces), tuple(blocks)


def _sniff(head: bytes) -> bool:
    return b"\x00" not in head and bool(_HTML_TAG.search(head))


FORMAT = Format(
    name="HTML page",
    suffixes=(".html", ".htm"),
    read=read,
    sniff=_sniff,
    mismatch="the content has no HTML markup; save it with the .txt extension",
)
