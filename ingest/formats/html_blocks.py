"""The page's paragraphs as jusText cuts and judges them, read in one walk of a parsed tree.

jusText (shipped with trafilatura) cuts a page into paragraphs at block-level tags and
judges each on its own (length, stopword density, link density) and by its neighbours.
Its own cutter replays the tree as SAX events after trafilatura's `basic_cleaning` has
deleted asides, footers, scripts and cookie banners from it; this walk produces the same
paragraphs from the tree as parsed, skipping those elements instead of deleting them, so
the tree trafilatura reads needs no second parse and is never changed. Each paragraph also
keeps the class and id words of the elements around it, for the block classifier.
"""

from __future__ import annotations

import bisect
import math
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
_WORD = re.compile(r"[a-z]+")
_HEADING_TAG = re.compile(r"h[1-6]")
#: trafilatura's own settings for its jusText fallback (external.try_justext).
_JUSTEXT_SETTINGS = (50, 150, 0.1, 0.2, 0.25, True)
_MAX_HEADING_DISTANCE = 150


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the page as jusText sees it, with where it sits in the markup."""

    text: str
    good: bool
    link_density: float
    #: jusText's verdict on the paragraph alone: good, neargood, short or bad.
    alone: str
    #: Tag names from <html> down to the element the paragraph starts in, dot-joined.
    dom_path: str
    #: Lower-case words of the class and id attributes of those elements.
    markup_words: frozenset[str]
    stopword_density: float


def page_paragraphs(tree, stoplist: frozenset[str]) -> list[Paragraph]:
    """Every paragraph of the parsed page `tree`, judged as trafilatura's jusText fallback
    judges it (`stoplist`: the stopwords of every language)."""
    maker = _Maker()
    body = tree if tree.tag == "html" else tree.getroottree().getroot()
    maker.walk(body)
    maker.characters(body.tail)
    maker.close()
    found = maker.paragraphs
    classify_paragraphs(found, stoplist, *_JUSTEXT_SETTINGS)
    revise_paragraph_classification(found, _MAX_HEADING_DISTANCE)
    return [
        Paragraph(
            text=squash(p.text),
            good=p.class_type == "good",
            link_density=p.links_density(),
            alone=p.cf_class,
            dom_path=p.dom_path,
            markup_words=p.markup_words,
            stopword_density=p.stopwords_density(stoplist),
        )
        for p in found
    ]


class _Cut(JustextParagraph):
    """A jusText paragraph whose text is worked out once, when it is closed (jusText's own
    recomputes it at every look, which is most of its cost)."""

    text = ""

    def __init__(self, dom_path: str, markup_words: frozenset[str]):
        self.dom_path = dom_path
        self.xpath = ""
        self.text_nodes = []
        self.chars_count_in_links = 0
        self.tags_count = 0
        self.class_type = ""
        self.markup_words = markup_words

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
        self.words: list[frozenset[str]] = [frozenset()]
        self.paragraphs: list[_Cut] = []
        self.paragraph = self._new()
        self.link = False
        self.br = False

    def _new(self) -> _Cut:
        return _Cut(".".join(self.tags), self.words[-1])

    def _cut(self) -> None:
        if self.paragraph.text_nodes:
            self.paragraph.close()
            if self.paragraph.text:  # jusText drops one that is only spaces
                self.paragraphs.append(self.paragraph)
        self.paragraph = self._new()

    def walk(self, element) -> None:
        """The events of `element` and all inside it (its tail is the caller's)."""
        self.start(element.tag, element)
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

    def start(self, tag: str, element) -> None:
        self.tags.append(tag)
        self.words.append(self.words[-1] | _markup_words(element))
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
        self.words.pop()
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
    attrs = element.attrib
    if not attrs:
        return False
    names = attrs.get("class"), attrs.get("id")
    if tag == "div":
        # XPath contains(@class|@id, 'footer') tests the first of the two in the markup
        first = next((v for k, v in attrs.items() if k in ("class", "id")), None)
        if first is not None and "footer" in first:
            return True
    return any(v is not None and _COOKIE_CONSENT.search(v) for v in names)


_NO_WORDS: frozenset[str] = frozenset()


def _markup_words(element) -> frozenset[str]:
    attrs = element.attrib
    if not attrs:
        return _NO_WORDS
    found = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower()
    return frozenset(_WORD.findall(found)) if found.strip() else _NO_WORDS


#: Class/id words that mark a block apart from the article around it (matched inside the
#: block's own words: "ad" also finds "advert", "comment" finds "comments-area").
_APART_WORDS = (
    "ad", "author", "bio", "byline", "caption", "card", "carousel", "comment", "embed",
    "figure", "footer", "gallery", "header", "hidden", "menu", "meta", "nav", "newsletter",
    "promo", "related", "share", "sidebar", "slider", "social", "subscribe", "tags", "teaser",
    "widget",
)  # fmt: skip
#: Tags looked for among the four innermost elements around a paragraph ("h": a heading).
_NEAR_TAGS = (
    "a",
    "blockquote",
    "figcaption",
    "figure",
    "form",
    "h",
    "header",
    "li",
    "nav",
    "section",
    "table",
)
_VERDICTS = ("good", "neargood", "short", "bad")
_NEIGHBOUR_FEATURES = ("loglen", "link", "kept")
#: A paragraph's features, in the order of the vector (the block classifier's inputs).
PARAGRAPH_FEATURES = (
    "stop", "link", "good", *(f"alone_{v}" for v in _VERDICTS), "depth_rel", "n_apart",
    "n_missing", *(f"apart_{w}" for w in _APART_WORDS), *(f"near_{t}" for t in _NEAR_TAGS),
    "inside", "before", "after", "at",
    *(f"{side}_{f}" for side in ("prev", "next") for f in _NEIGHBOUR_FEATURES),
)  # fmt: skip
#: A part's layout: the mean of the paragraphs it holds (by length), whether it holds any,
#: whether jusText's second opinion added it.
LAYOUT_FEATURES = (*PARAGRAPH_FEATURES, "matched", "added")
#: Paragraphs shorter than this are not matched to the parts that hold them.
MIN_MATCHED_CHARS = 15
#: Class/id words of at least this share of the kept text are the article's own.
ARTICLE_WORDS_SHARE = 0.5


def paragraph_vectors(paragraphs: list[Paragraph], kept: list[bool]) -> list[list[float]]:
    """Each paragraph's features (PARAGRAPH_FEATURES), `kept`: whether the parts hold it.
    The markup is read relative to the article's: its class/id words and its depth."""
    kept_chars = sum(len(p.text) for p, k in zip(paragraphs, kept, strict=True) if k) or 1
    weight: dict[str, int] = {}
    for paragraph, k in zip(paragraphs, kept, strict=True):
        for word in paragraph.markup_words if k else ():
            weight[word] = weight.get(word, 0) + len(paragraph.text)
    own = {w for w, n in weight.items() if n >= ARTICLE_WORDS_SHARE * kept_chars}
    anchors = [i for i, k in enumerate(kept) if k and len(paragraphs[i].text) >= 30]
    first, last = (anchors[0], anchors[-1]) if anchors else (0, len(paragraphs) - 1)
    depths = sorted(paragraphs[i].dom_path.count(".") + 1 for i in anchors)
    depth = depths[len(depths) // 2] if depths else 0
    count = len(paragraphs)
    rows = []
    for i, p in enumerate(paragraphs):
        apart = p.markup_words - own
        tags = p.dom_path.split(".")[-4:]
        rows.append(
            [
                p.stopword_density,
                p.link_density,
                float(p.good),
                *(float(p.alone == v) for v in _VERDICTS),
                p.dom_path.count(".") + 1 - depth,
                math.log1p(len(apart)),
                math.log1p(len(own - p.markup_words)),
                *(float(any(w in a for a in apart)) for w in _APART_WORDS),
                *(
                    float(any(_HEADING_TAG.fullmatch(t) for t in tags))
                    if n == "h"
                    else float(n in tags)
                    for n in _NEAR_TAGS
                ),
                float(first <= i <= last),
                max(0, first - i) / count,
                max(0, i - last) / count,
                i / count,
            ]
        )
    for i, row in enumerate(rows):
        for j in (i - 1, i + 1):
            if 0 <= j < count:
                row += [
                    math.log1p(len(paragraphs[j].text)),
                    paragraphs[j].link_density,
                    float(kept[j]),
                ]
            else:
                row += [-1.0, -1.0, -1.0]
    return rows


def part_layouts(
    texts: list[str], paragraphs: list[Paragraph], added: set[int]
) -> list[tuple[float, ...]]:
    """The layout (LAYOUT_FEATURES) of each part, from its squashed `texts` and the page's
    `paragraphs`; `added`: the parts jusText's second opinion put in."""
    joined, starts = " ".join(texts), []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    held: list[list[int]] = [[] for _ in texts]
    kept = []
    for i, paragraph in enumerate(paragraphs):
        at = joined.find(paragraph.text)
        kept.append(at >= 0)
        if at >= 0 and len(paragraph.text) >= MIN_MATCHED_CHARS:
            held[bisect.bisect_right(starts, at) - 1].append(i)
    vectors = paragraph_vectors(paragraphs, kept)
    unmatched = (-1.0,) * len(PARAGRAPH_FEATURES)
    layouts = []
    for k, text in enumerate(texts):
        ids = (
            held[k]
            or [
                i
                for i, p in enumerate(paragraphs)
                if len(text) >= MIN_MATCHED_CHARS and text in p.text
            ][:1]
        )
        if ids:
            weights = [len(paragraphs[i].text) for i in ids]
            total = sum(weights)
            mean = [
                sum(w * vectors[i][f] for i, w in zip(ids, weights, strict=True)) / total
                for f in range(len(unmatched))
            ]
            layouts.append((*mean, 1.0, float(k in added)))
        else:
            layouts.append((*unmatched, 0.0, float(k in added)))
    return layouts
