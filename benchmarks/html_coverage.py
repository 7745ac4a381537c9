"""How much of an HTML page's main content reaches cited's document text, block by block.

    python -m benchmarks.html_coverage GLOB [GLOB ...] [--worst N] [--json]

The page's main content is decided here, from the markup alone, never by the extractor's
rules: the main region is the first of Sphinx's `div[role=main]`, `<main>`, `<article>`,
Sphinx's `div.body`, else `<body>`; inside it, what any reader should drop is removed:
the elements `nav header footer aside script style noscript form template button`, the
roles navigation/search/banner/contentinfo/complementary, and the classes that name
navigation in Sphinx, DocBook and Texinfo output: "¶" permalinks (`headerlink`,
`copiable-anchor`), `sphinxsidebar`, `related`, `navheader`/`navfooter`, Texinfo's
`header` and `nav-panel`, tables of contents (`toc`, `contents`, `contents-heading`,
`section-toc`, `mini-toc`, Sphinx's `toctree-wrapper`), `breadcrumb(s)`, and back-of-book
indexes (Texinfo's `index-cp`/`index-fn`/... tables and their "Jump to:" rows of
`summary-letter` links, newer texi2any's `*-printindex`, DocBook's `div.index`; since
round 10: an index row answers nothing, and a reader is right to leave it out).

The region is cut into blocks: each p, li, dt, dd, td, th, pre, h1-h6, caption,
figcaption, blockquote is one block of its own text (text inside a nested block is that
block's); text outside any block is a block of kind "text". A block is kept when its
words, whitespace folded, appear in a row in the document text (`load_document(...).text`,
folded the same way), or when at least 90 % of its word 5-grams do (a block whose words
the reader laid out otherwise: cells, a code line). Short blocks ("1", "Note") are easily
found somewhere; the word counts weigh them little.

The other way round, each page's indexed text (the document text less its boilerplate
spans, as `ingest.analyze.read_file` marks them) is checked against the main content:
its words that lie in no word 5-gram of the main content read in order (nor in a short
block whole) are "outside": navigation let in, words run together ("deffunc1(a,b)").
A reader that put everything back would keep all blocks; this figure shows what it let
in with them.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Where the main content is, tried in this order (the first found wins).
MAIN_REGIONS = (
    "//div[@role='main']",
    "//main",
    "//article",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
    "//body",
)
DROPPED_TAGS = frozenset(
    [
        "nav",
        "header",
        "footer",
        "aside",
        "script",
        "style",
        "noscript",
        "form",
        "template",
        "button",
        "head",
    ]
)
DROPPED_ROLES = frozenset(["navigation", "search", "banner", "contentinfo", "complementary"])
DROPPED_CLASSES = frozenset(
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
BLOCK_TAGS = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "caption",
        "figcaption",
        "blockquote",
    ]
)
#: Share of a block's word 5-grams found in the text for it to count as kept.
MIN_GRAM_SHARE = 0.9
GRAM = 5
LAYOUT_MARKS = frozenset(["-", "|"])


@dataclass(frozen=True)
class PageBlock:
    """One block of a page's main content: its element kind and its folded words."""

    kind: str
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Tally:
    """Blocks and words of main content, and how many of each reached the text."""

    blocks: int = 0
    blocks_kept: int = 0
    words: int = 0
    words_kept: int = 0

    def add(self, block: PageBlock, kept: bool) -> None:
        self.blocks += 1
        self.words += len(block.words)
        if kept:
            self.blocks_kept += 1
            self.words_kept += len(block.words)

    def merge(self, other: Tally) -> None:
        self.blocks += other.blocks
        self.blocks_kept += other.blocks_kept
        self.words += other.words
        self.words_kept += other.words_kept

    @property
    def word_share(self) -> float:
        return self.words_kept / self.words if self.words else 1.0


@dataclass
class PageCoverage:
    """One file's coverage: overall, per element kind, and its lost blocks."""

    file: str
    total: Tally = field(default_factory=Tally)
    kinds: dict[str, Tally] = field(default_factory=dict)
    lost: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    #: Words of the indexed text (the text less its boilerplate spans), and how many of
    #: them lie in no word 5-gram of the main content: chrome let in, words garbled.
    indexed_words: int = 0
    extra_words: int = 0


def fold(text: str) -> tuple[str, ...]:
    """The text's words: NFC, split on any whitespace (so layouts compare alike)."""
    return tuple(unicodedata.normalize("NFC", text).split())


def main_region(tree):
    """The page's main element, by `MAIN_REGIONS`."""
    for path in MAIN_REGIONS:
        found = tree.xpath(path)
        if found:
            return found[0]
    return tree


#: Back-of-book index classes: Texinfo's two-letter indexes, texi2any 7's, DocBook's.
INDEX_CLASS = re.compile(
    r"index-[a-z]{2}|(?:[a-z]{2}-)?(?:entries-|letters-header-)?printindex|index"
)


def _is_dropped(element) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or tag in DROPPED_TAGS:
        return True
    if (element.get("role") or "") in DROPPED_ROLES:
        return True
    names = (element.get("class") or "").split()
    if tag == "tr" and element.xpath(
        ".//a[contains(concat(' ', @class, ' '), ' summary-letter ')]"
    ):
        return True
    return not DROPPED_CLASSES.isdisjoint(names) or any(INDEX_CLASS.fullmatch(n) for n in names)


def page_blocks(raw: bytes) -> list[PageBlock]:
    """The main content of the page `raw`, as blocks in reading order."""
    import lxml.html

    tree = lxml.html.document_fromstring(raw)
    blocks: list[PageBlock] = []
    _walk(main_region(tree), "text", blocks)
    return [b for b in blocks if b.words]


def _walk(element, kind: str, out: list[PageBlock]) -> None:
    """Collect `element`'s own text as a block of `kind`; nested blocks are their own."""
    pieces: list[str] = [element.text or ""]
    for child in element:
        if _is_dropped(child):
            pieces.append(" ")
        elif child.tag in BLOCK_TAGS:
            _flush(kind, pieces, out)
            _walk(child, child.tag, out)
            pieces = [" "]
        elif child.tag == "br":
            pieces.append(" ")
        elif _holds_block(child):
            _flush(kind, pieces, out)  # a container: its loose text is a block of its own
            _walk(child, kind, out)
            pieces = [" "]
        else:
            pieces.append(_inline_text(child))
        pieces.append(child.tail or "")
    _flush(kind, pieces, out)


def _holds_block(element) -> bool:
    return any(isinstance(e.tag, str) and e.tag in BLOCK_TAGS for e in element.iterdescendants())


def _inline_text(element) -> str:
    """An inline element's text, without dropped parts and nested blocks' text."""
    pieces = [element.text or ""]
    for child in element:
        if not _is_dropped(child):
            pieces.append(" " if child.tag == "br" else _inline_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _flush(kind: str, pieces: list[str], out: list[PageBlock]) -> None:
    words = fold("".join(pieces))
    if words:
        out.append(PageBlock(kind, words))


class _Found:
    """The document text's words, for in-a-row and 5-gram look-ups."""

    def __init__(self, text: str):
        self.joined = " " + " ".join(fold(text)) + " "
        words = fold(text)
        self.grams = {words[i : i + GRAM] for i in range(len(words) - GRAM + 1)}

    def keeps(self, block: PageBlock) -> bool:
        if " " + block.text + " " in self.joined:
            return True
        grams = [block.words[i : i + GRAM] for i in range(len(block.words) - GRAM + 1)]
        return bool(grams) and sum(g in self.grams for g in grams) >= MIN_GRAM_SHARE * len(grams)


def coverage(path: Path, keep_lost: bool = True) -> PageCoverage:
    """`path`'s main content against what cited reads of it."""
    from index.errors import UnreadableFileError
    from ingest.analyze import read_file

    page = PageCoverage(str(path))
    blocks = page_blocks(path.read_bytes())
    try:
        document = read_file(path, path.parent).document
        found = _Found(document.text)
        page.indexed_words, page.extra_words = _extra(document, blocks)
    except UnreadableFileError as e:
        page.error, found = str(e), _Found("")
    for block in blocks:
        kept = found.keeps(block)
        page.total.add(block, kept)
        page.kinds.setdefault(block.kind, Tally()).add(block, kept)
        if not kept and keep_lost:
            page.lost.append((block.kind, block.text))
    return page


def _extra(document, blocks: Sequence[PageBlock]) -> tuple[int, int]:
    """(words of the document's text outside its boilerplate spans, how many of them are in
    no 5-gram of the main content read in order)."""
    main = tuple(w for b in blocks for w in b.words)
    grams = {main[i : i + GRAM] for i in range(len(main) - GRAM + 1)}
    grams |= {b.words for b in blocks if len(b.words) < GRAM}  # a short block, whole
    text, pieces, at = document.text, [], 0
    for start, end in document.boilerplate:
        pieces.append(text[at:start])
        at = max(at, end)
    # "- " opening a list item and " | " between cells are the reader's layout, not words
    words = tuple(w for w in fold(" ".join([*pieces, text[at:]])) if w not in LAYOUT_MARKS)
    covered = [False] * len(words)
    for i in range(len(words)):
        for size in {GRAM, *range(1, GRAM)}:
            if tuple(words[i : i + size]) in grams:
                covered[i : i + size] = [True] * len(words[i : i + size])
                break
    return len(words), covered.count(False)


def files_of(patterns: Sequence[str]) -> list[Path]:
    """The files the glob patterns name (a folder: its *.html), sorted, each once."""
    found: set[Path] = set()
    for pattern in patterns:
        if Path(pattern).is_dir():
            pattern = str(Path(pattern) / "*.html")
        found.update(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    return sorted(found)


def summary(pages: Sequence[PageCoverage]) -> tuple[Tally, dict[str, Tally], Counter[str]]:
    """All pages' tally, per element kind, and how many pages lose words of each kind."""
    total, kinds, losing = Tally(), {}, Counter[str]()
    for page in pages:
        total.merge(page.total)
        for kind, tally in page.kinds.items():
            kinds.setdefault(kind, Tally()).merge(tally)
            if tally.words_kept < tally.words:
                losing[kind] += 1
    return total, kinds, losing


def report(pages: Sequence[PageCoverage], worst: int) -> Iterator[str]:
    """The summary table, per kind, and the worst files with their lost blocks."""
    total, kinds, losing = summary(pages)
    indexed = sum(p.indexed_words for p in pages)
    extra = sum(p.extra_words for p in pages)
    yield (
        f"{len(pages)} files; words kept {_share(total)}; blocks kept {_blocks(total)};"
        f" indexed words outside the main content {extra}/{indexed}"
        f" ({100 * extra / max(indexed, 1):.1f} %)"
    )
    yield ""
    yield "| element | blocks kept | words kept | pages losing words |"
    yield "|---|---|---|---|"
    for kind, tally in sorted(kinds.items(), key=lambda kv: -(kv[1].words - kv[1].words_kept)):
        yield f"| {kind} | {_blocks(tally)} | {_share(tally)} | {losing[kind]} |"
    ranked = sorted(pages, key=lambda p: p.total.words_kept - p.total.words)[:worst]
    for page in ranked:
        if page.total.words_kept == page.total.words:
            break
        yield ""
        lost_words = page.total.words - page.total.words_kept
        yield f"{page.file}: {_share(page.total)} of words kept, {lost_words} lost" + (
            f" ({page.error})" if page.error else ""
        )
        for kind, text in page.lost[:12]:
            yield f"    lost {kind}: {text[:110]}"


def _share(tally: Tally) -> str:
    return f"{tally.words_kept}/{tally.words} ({100 * tally.word_share:.1f} %)"


def _blocks(tally: Tally) -> str:
    return f"{tally.blocks_kept}/{tally.blocks}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.html_coverage")
    parser.add_argument("patterns", nargs="+", help="HTML files, globs or folders")
    parser.add_argument("--worst", type=int, default=5, help="list the lost blocks of N files")
    parser.add_argument("--json", action="store_true", help="every page's figures as JSON")
    args = parser.parse_args(argv)
    files = files_of(args.patterns)
    if not files:
        print(f"error: no HTML files match {' '.join(args.patterns)}", file=sys.stderr)
        return 2
    pages = [coverage(f) for f in files]
    if args.json:
        total, kinds, losing = summary(pages)
        out = {
            "total": asdict(total),
            "indexed_words": sum(p.indexed_words for p in pages),
            "extra_words": sum(p.extra_words for p in pages),
            "kinds": {k: asdict(t) | {"pages_losing": losing[k]} for k, t in kinds.items()},
            "pages": [asdict(p) for p in pages],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print("\n".join(report(pages, args.worst)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
