"""Web-page chrome known by where it sits in the page's markup, whatever language it is in.

trafilatura keeps some boxes that a site's own markup names as something other than the
article: an author box ("author-bio", "about-author"), a pop-up ("popmake", "modal-body"),
a newsletter sign-up form ("newsletter-form", "mc4wp"), a related-posts box ("related-posts",
"wp_rp"). Class and id names are the site's words for its own layout, and are English on
pages in any language. The element around a related-articles heading is such a box too
("NOTAS RELACIONADAS" and the <section> of teasers it heads, their dates and summaries as
well as their linked headlines). A part of the main text is chrome when every copy of it on
the page lies inside such boxes; a box holding the article's first part or most of the main
text is the article's own wrapper, never chrome.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from lxml import etree

from ingest.formats.html_chrome import (
    Part,
    is_documentation_entry,
    is_related_heading,
    is_see_also,
)

#: A box holding more than this share of the main text is the article's wrapper.
MAX_BOX_SHARE = 0.8
#: A part shorter than this (in characters other than spaces) is found anywhere by chance.
MIN_PART_CHARS = 4

#: Words one of which the class or id of every box below contains: only elements whose
#: names contain one reach the patterns below.
_HINT = re.compile(
    r"author|autor|sabox|abh_|popup|popmake|pum-|modal|newsletter|mc4wp|signup|sign-up|optin"
    r"|related|wp_rp|yarpp"
)

#: (reason, what one class or id name of the box looks like), lower-cased.
_BOXES = (
    (
        "author box",
        re.compile(
            r".*(?:(?:author|autor)[-_]*(?:box|bio|info|desc|about|body|tooltip|details|profile"
            r"|card)|about[-_]*(?:the[-_]*)?author|saboxplugin|^abh_).*"
        ),
    ),
    (
        "pop-up",
        re.compile(
            r".*popup.*|popmake.*|pum-(?:content|container)"
            r"|(?:.*[-_])?modal(?:[-_]+(?:body|content|dialog|inner|box))?"
        ),
    ),
    ("newsletter form", re.compile(r".*(?:newsletter|mc4wp|signup|sign-up|optin).*")),
    ("related-links list", re.compile(r".*(?:(?<!un)related|wp_rp|yarpp).*")),
)
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")
_TEXT_WITH = etree.XPath("//text()[contains(., $word)]", smart_strings=True)
#: The page's text a reader sees (not its scripts' data, which repeat an author's bio).
_PAGE_TEXT = etree.XPath(
    "//text()[not(parent::script or parent::style or parent::noscript or parent::template)]",
    smart_strings=False,
)


def markup_chrome(tree, parts: Sequence[Part]) -> list[tuple[int, str]]:
    """(index, reason) of each part of `parts` that lies inside chrome boxes of the parsed
    page `tree`: every place the part's text is on the page is inside one (a newsletter
    form shown twice holds its call twice)."""
    if tree is None or not parts:
        return []
    boxes = [(box, reason) for box in _named(tree) if (reason := _box_reason(box))]
    boxes += [(box, "related-links list") for box in _heading_boxes(tree, parts)]
    if not boxes:
        return []
    texts = [_compact(part.text.lstrip(" -")) for part in parts]
    main_chars = sum(map(len, texts))
    held: list[tuple[str, str]] = []  # (text, reason) of each outermost box
    chosen = {box for box, _ in boxes}
    for box, reason in boxes:
        if any(above in chosen for above in box.iterancestors()):
            continue  # its text is in the box around it
        inside = _compact("".join(box.itertext()))
        # the article's own wrapper holds where the article starts, or most of it
        if texts[0] in inside or len(inside) > MAX_BOX_SHARE * main_chars:
            chosen.discard(box)
            continue
        held.append((inside, reason))
    page: str | None = None  # the page's text, worked out only if a box holds a part
    found: dict[int, str] = {}
    for i, text in enumerate(texts):
        if len(text) < MIN_PART_CHARS or _is_kept(parts[i]):
            continue
        counts = [(inside.count(text), reason) for inside, reason in held]
        total = sum(count for count, _ in counts)
        if total:
            page = page if page is not None else _compact("".join(_PAGE_TEXT(tree)))
            if page.count(text) == total:  # never also outside the boxes
                found[i] = next(reason for count, reason in counts if count)
    return sorted(found.items())


def _is_kept(part: Part) -> bool:
    """Code, or a documentation entry: never chrome, whatever box holds it."""
    return part.kind == "code" or is_documentation_entry(part.text)


def _heading_boxes(tree, parts: Sequence[Part]) -> list:
    """The element around each related-articles heading of `parts` and what follows it
    ("NOTAS RELACIONADAS" and its <section> of teasers): the heading's nearest ancestor
    that holds more than the heading, when the heading opens it (an element with text
    before the heading holds more than the related box: the article)."""
    boxes = []
    for part in parts:
        if not is_related_heading(part) or is_see_also(part.text):
            continue
        heading = _compact(part.text)
        for node in _TEXT_WITH(tree, word=part.text.split()[0]):
            element = node.getparent()
            while element is not None and heading not in _compact("".join(element.itertext())):
                element = element.getparent()
            while element is not None and _compact("".join(element.itertext())) == heading:
                element = element.getparent()
            if element is not None and _compact("".join(element.itertext())).startswith(heading):
                boxes.append(element)
                break
    return boxes


def _named(tree):
    """The elements whose class or id holds a hint of a box (walked in Python: faster here
    than an XPath query testing each hint)."""
    for element in tree.iter():
        if isinstance(element.tag, str):
            names = element.get("class"), element.get("id")
            if (names[0] or names[1]) and _HINT.search(f"{names[0]} {names[1]}".lower()):
                yield element


def _box_reason(element) -> str | None:
    """What box the element's class or id names, or None. An id made from the element's own
    heading (Sphinx's "buffer-related-functions") names a section, not a box."""
    ident = element.get("id") or ""
    if ident and _is_heading_anchor(element, ident):
        ident = ""
    names = f"{element.get('class') or ''} {ident}".lower().split()
    for reason, pattern in _BOXES:
        if any(pattern.fullmatch(name) for name in names):
            return reason
    return None


def _is_heading_anchor(element, ident: str) -> bool:
    """Whether `ident` spells the words of the element's first heading ("4.2. Manifest-related
    options" in <section id="manifest-related-options">)."""
    heading = next(element.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
    if heading is None:
        return False
    return _NON_WORD.sub("", ident.lower()) in _NON_WORD.sub(
        "", "".join(heading.itertext()).lower()
    )


def _compact(text: str) -> str:
    """The text without its spaces (markup and trafilatura space words differently), in
    composed form as the reader gives the parts."""
    return unicodedata.normalize("NFC", _SPACES.sub("", text))
