"""Prose trafilatura missed inside its own article: a second opinion from jusText.

trafilatura sometimes drops whole paragraphs of the article it found (a paragraph in an
unusual wrapper, a block after an embedded video). jusText, which trafilatura ships as a
fallback, judges each paragraph of the page on its own (length, stopword density, link
density). A paragraph jusText calls good is added when it lies between the first and the
last paragraph both extractors kept, or right next to them (inside the article, never in
a sidebar or footer around it), is long enough to be prose, is not mostly links, and is
not already there.
In the same stretch, a line the page's schema.org Recipe data calls an ingredient comes in
as a list item, however short (`html_recipe.py`).
Each goes in after the kept block that precedes it on the page, so reading order holds.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence

from ingest.formats.html_blocks import Paragraph, page_paragraphs
from ingest.formats.html_chrome import Part
from ingest.formats.html_recipe import recipe_ingredients
from ingest.text import squash

log = logging.getLogger(__name__)

#: A missed paragraph shorter than this is a caption or a label, not prose worth the risk.
MIN_PROSE_CHARS = 100
#: Paragraphs shorter than this are not used to find where the article is.
MIN_ANCHOR_CHARS = 30
MAX_LINK_DENSITY = 0.2
#: How many paragraphs beyond the first and the last kept one may come in (at 2, half A
#: gains nothing more).
EDGE_PARAGRAPHS = 1
#: A candidate whose opening or ending is already in the text overlaps a kept block.
OVERLAP_CHARS = 60


def judged_paragraphs(tree) -> list[Paragraph]:
    """jusText's verdict on every paragraph of the parsed page `tree` (none without one):
    worked out once a page, for `with_missed_prose` and `is_own_article` both."""
    return page_paragraphs(tree, _stoplist()) if tree is not None else []


def with_missed_prose(
    parts: list[Part], paragraphs: Sequence[Paragraph], tree, title: str | None
) -> list[Part]:
    """`parts` with the good `paragraphs` (`judged_paragraphs` of the parsed page `tree`)
    that lie inside the article and are missing; the page's title, where jusText finds it,
    opens the article."""
    if not paragraphs or not parts:
        return parts
    text, starts = _joined(parts)
    joined = _Text(text)
    anchors = _anchors(paragraphs, joined, starts)
    if title:
        heading = next((i for i, p in enumerate(paragraphs) if p.text == squash(title)), None)
        if heading is not None and heading not in anchors:
            anchors[heading] = -1  # before the first part
    if len(anchors) < 2:
        return parts
    inserts: dict[int, list[Part]] = {}
    anchored = sorted(anchors)
    first, last = anchored[0], anchored[-1]
    # also the paragraph just before the first kept one (an article's lead, unless the title
    # opens the article) and the one just after the last
    lead = first - EDGE_PARAGRAPHS if anchors[first] >= 0 else first
    ingredients, listed = recipe_ingredients(tree), set[str]()
    for i in range(max(0, lead), min(len(paragraphs), last + 1 + EDGE_PARAGRAPHS)):
        paragraph = paragraphs[i]
        if i in anchors:
            continue
        if _is_missed_prose(paragraph, joined):
            missed = _missed_part(paragraph)
        elif _is_missed_ingredient(paragraph.text, ingredients, joined, listed):
            listed.add(paragraph.text)  # a page shows its list twice (tabs, print view)
            missed = Part("item", "- " + paragraph.text, paragraph.link_density)
        else:
            continue
        before = anchored[bisect.bisect_left(anchored, i) - 1]
        inserts.setdefault(anchors[before] if i > first else anchors[first] - 1, []).append(missed)
    if inserts:
        log.debug("added %d paragraphs jusText kept", sum(map(len, inserts.values())))
    ordered = [*inserts.get(-1, ())]
    return ordered + [p for j, part in enumerate(parts) for p in (part, *inserts.get(j, ()))]


def is_own_article(text: str, paragraphs: Sequence[Paragraph], landmark: str) -> bool:
    """Whether `text`, the one block trafilatura kept of a page whose `judged_paragraphs`
    are `paragraphs`, is an article: jusText calls most of it good prose (by the characters
    of its paragraphs inside it), and most of that prose is missing from the `landmark` text
    that would replace it. A page dump (navigation and all) fails the first, a Sphinx page
    whose landmark holds the same text the second."""
    inside = [p for p in paragraphs if p.text and p.text in text]
    good = [p.text for p in inside if p.good]
    good_chars = sum(map(len, good))
    missing = sum(len(p) for p in good if p not in landmark)
    return good_chars * 2 > sum(len(p.text) for p in inside) and missing * 2 > good_chars


def _joined(parts: Sequence[Part]) -> tuple[str, list[int]]:
    """The parts' squashed texts joined by spaces (a paragraph may span two), and where
    each starts."""
    starts, pieces, offset = [], [], 0
    for part in parts:
        text = squash(part.text)
        starts.append(offset)
        pieces.append(text)
        offset += len(text) + 1
    return " ".join(pieces), starts


def _anchors(paragraphs: Sequence[Paragraph], joined: _Text, starts: list[int]) -> dict[int, int]:
    """jusText paragraph index -> index of the part that holds it, for paragraphs both kept."""
    found: dict[int, int] = {}
    for i, paragraph in enumerate(paragraphs):
        if len(paragraph.text) < MIN_ANCHOR_CHARS:
            continue
        at = joined.find(paragraph.text)
        if at >= 0:
            found[i] = bisect.bisect_right(starts, at) - 1
    return found


class _Text:
    """The parts' joined text, searched through an index of where its words start: a page
    of 20,000 paragraphs (an 8 MB manual) places each by a lookup, not a whole-text scan."""

    #: Characters of a word's opening that the index is keyed by.
    KEY = 24
    _WORD_START = re.compile(r"(?<=\s)\S")

    def __init__(self, text: str):
        self.text = text
        self._openings: dict[str, list[int]] = {}
        for match in self._WORD_START.finditer(text):
            at = match.start()
            self._openings.setdefault(text[at : at + self.KEY], []).append(at)

    def find(self, piece: str) -> int:
        """`text.find(piece)`: wherever `piece` occurs, the word after its first space starts
        a word of the text, so that word's opening lists every place it can be."""
        shift = piece.find(" ") + 1
        if shift == 0 or len(piece) - shift < self.KEY or piece[shift].isspace():
            return self.text.find(piece)
        places = self._openings.get(piece[shift : shift + self.KEY], ())
        return next(
            (b - shift for b in places if b >= shift and self.text.startswith(piece, b - shift)),
            -1,
        )

    def __contains__(self, piece: str) -> bool:
        return self.find(piece) >= 0


def _missed_part(paragraph: Paragraph) -> Part:
    """A missed paragraph as a part: a list item keeps its "- " (R's manual lists the kinds
    of object; three of four items came back as paragraphs beside one kept as an item)."""
    if paragraph.in_item:
        return Part("item", "- " + paragraph.text, paragraph.link_density)
    return Part("paragraph", paragraph.text, paragraph.link_density)


def _is_missed_prose(paragraph: Paragraph, joined: _Text) -> bool:
    text = paragraph.text
    return (
        paragraph.good
        and not paragraph.in_code
        and len(text) >= MIN_PROSE_CHARS
        and paragraph.link_density <= MAX_LINK_DENSITY
        and text[:OVERLAP_CHARS] not in joined
        and text[-OVERLAP_CHARS:] not in joined
    )


def _is_missed_ingredient(
    text: str, ingredients: frozenset[str], joined: _Text, listed: set[str]
) -> bool:
    """A line the page's Recipe data calls an ingredient, not in the text yet."""
    return text in ingredients and text not in listed and text not in joined


_STOPLIST: frozenset[str] | None = None


def _stoplist() -> frozenset[str]:
    """The stopwords of every language jusText knows, loaded once."""
    global _STOPLIST
    if _STOPLIST is None:
        from justext import get_stoplist, get_stoplists

        _STOPLIST = frozenset(w for lang in get_stoplists() for w in get_stoplist(lang))
    return _STOPLIST
