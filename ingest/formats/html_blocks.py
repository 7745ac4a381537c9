"""The page's paragraphs as jusText cuts and judges them, read in one walk of a parsed tree.

jusText (shipped with trafilatura) cuts a page into paragraphs at block-level tags and
judges each on its own (length, stopword density, link density) and by its neighbours.
Its own cutter replays the tree as SAX events after trafilatura's `basic_cleaning` has
deleted asides, footers, scripts and cookie banners from it; this walk produces the same
paragraphs from the tree as parsed, skipping those elements instead of deleting them, so
the tree trafilatura reads needs no second parse and is never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from justext.core import PARAGRAPH_TAGS, classify_paragraphs, revise_paragraph_classification
from justext.paragraph import Paragraph as JustextParagraph
from justext.utils import normalize_whitespace

from ingest.text import squash

#: What trafilatura's `basic_cleaning` deletes before its jusText fallback runs.
_SKIPPED_TAGS = frozenset({"aside", "fencedframe", "footer", "script", "style", "svg", "template"})
_COOKIE_CONSENT = re.compile(
    r"cookie[-_]?(?:banner|bar|consent|law|notice|policy|description)|notice[-_]{0,2}cookie"
    r"|consent[-_]?(?:banner|manager|sdk)|borlabs|cookiebot|cmplz|onetrust|moove[-_]?gdpr",
    re.IGNORECASE,
)
#: trafilatura's own settings for its jusText fallback (external.try_justext).
_JUSTEXT_SETTINGS = (50, 150, 0.1, 0.2, 0.25, True)
_MAX_HEADING_DISTANCE = 150


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the page as jusText sees it."""

    text: str
    good: bool
    link_density: float
    #: Inside a <pre>: code, whose words jusText runs together ("deffunc1(a,b)").
    in_code: bool = False
    #: A list item's text (its <li>, or the first <p> in it): it comes back as an item.
    in_item: bool = False


def page_paragraphs(tree, stoplist: frozenset[str]) -> list[Paragraph]:
    """Every paragraph of the parsed page `tree`, judged as trafilatura's jusText fallback
    judges it (`stoplist`: the stopwords of every language)."""
    maker = _Maker()
    maker.walk(tree)
    maker.characters(tree.tail)
    maker.close()
    found = maker.paragraphs
    classify_paragraphs(found, stoplist, *_JUSTEXT_SETTINGS)
    revise_paragraph_classification(found, _MAX_HEADING_DISTANCE)
    return [
        Paragraph(
            squash(p.text),
            p.class_type == "good",
            p.links_density(),
            "pre" in p.dom_path.split("."),
            _is_item(p.dom_path),
        )
        for p in found
    ]


def _is_item(dom_path: str) -> bool:
    """Whether a paragraph at `dom_path` ("html.body.ul.li", "…li.p") is a list item's."""
    return dom_path.rsplit(".", 1)[-1] == "li" or dom_path.endswith(".li.p")


class _Cut(JustextParagraph):
    """A jusText paragraph whose text is worked out once, when it is closed (jusText's own
    recomputes it at every look, which is most of its cost)."""

    text = ""

    def __init__(self, dom_path: str):
        self.dom_path = dom_path
        self.xpath = ""
        self.text_nodes: list[str] = []
        self.chars_count_in_links = 0
        self.tags_count = 0
        self.class_type = ""

    def close(self) -> None:
        self.text = normalize_whitespace("".join(self.text_nodes).strip())

    def __len__(self) -> int:
        return len(self.text)

    @property
    def words_count(self) -> int:
        return len(self.text.split())


class _Maker:
    """jusText's ParagraphMaker, driven by a walk of the tree instead of SAX events."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.paragraphs: list[_Cut] = []
        self.paragraph = self._new()
        self.link = False
        self.br = False

    def _new(self) -> _Cut:
        return _Cut(".".join(self.tags))

    def _cut(self) -> None:
        if self.paragraph.text_nodes:
            self.paragraph.close()
            if self.paragraph.text:  # jusText drops one that is only spaces
                self.paragraphs.append(self.paragraph)
        self.paragraph = self._new()

    def walk(self, element) -> None:
        """The events of `element` and all inside it (its tail is the caller's)."""
        self.start(element.tag)
        pending = element.text
        for child in element:
            if not isinstance(child.tag, str):  # a comment: only its tail is text
                self.characters(pending)
                pending = child.tail
            elif _is_skipped(child, child.tag):
                # deleting it joins its tail to the text before it, as one piece
                pending = (pending or "") + (child.tail or "")
            else:
                self.characters(pending)
                self.walk(child)
                pending = child.tail
        self.characters(pending)
        self.end(element.tag)

    def start(self, tag: str) -> None:
        self.tags.append(tag)
        if tag in PARAGRAPH_TAGS or (tag == "br" and self.br):
            if tag == "br":
                self.paragraph.tags_count -= 1  # <br><br> separates, it is not a tag within
            self._cut()
        else:
            self.br = tag == "br"
            if self.br:
                self.paragraph.append_text(" ")
            elif tag == "a":
                self.link = True
            self.paragraph.tags_count += 1

    def end(self, tag: str) -> None:
        self.tags.pop()
        if tag in PARAGRAPH_TAGS:
            self._cut()
        if tag == "a":
            self.link = False

    def characters(self, content: str | None) -> None:
        if not content or content.isspace():
            return
        text = self.paragraph.append_text(content)
        if self.link:
            self.paragraph.chars_count_in_links += len(text)
        self.br = False

    def close(self) -> None:
        self._cut()


def _is_skipped(element, tag: str) -> bool:
    """Whether trafilatura's basic_cleaning deletes this element (and all inside it)."""
    if tag in _SKIPPED_TAGS:
        return True
    name, ident = element.get("class"), element.get("id")
    if name is None and ident is None:
        return False
    if tag == "div":
        # XPath contains(@class|@id, 'footer') tests the first of the two in the markup
        first = ident if name is None else name
        if name is not None and ident is not None:
            keys = element.keys()
            first = ident if keys.index("id") < keys.index("class") else name
        if "footer" in first:
            return True
    return any(v is not None and _COOKIE_CONSENT.search(v) for v in (name, ident))
