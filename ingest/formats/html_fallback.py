"""Every block element of a small page, for pages too short for trafilatura to judge."""

from __future__ import annotations

from ingest.formats.html_chrome import link_share
from ingest.text import squash

_DROPPED_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (
    *_HEADING_TAGS,
    *("p", "li", "blockquote", "pre", "dt", "dd", "figcaption", "td", "th", "caption"),
    *("div", "section", "article", "main", "table", "ul", "ol", "dl", "body"),
)


def fallback_parts(
    raw: bytes, landmark_only: bool = False
) -> tuple[list[tuple[str, str, float, int]], str | None]:
    """(kind, text, share of it inside links, heading level) of each innermost block of the
    page's main
    landmark (<main>, an element with role="main", <article>) or else its <body>; the
    title. With `landmark_only`, a page without a landmark gives no parts."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    title = _title(soup)
    for tag in soup(_DROPPED_TAGS):
        tag.decompose()
    for br in soup("br"):
        br.replace_with(" ")
    landmark = soup.find("main") or soup.find(True, role="main") or soup.find("article")
    if landmark is None and landmark_only:
        return [], title
    root = landmark or soup.body or soup
    parts: list[tuple[str, str, float, int]] = []
    for element in root.find_all(_BLOCK_TAGS):
        if element.find(_BLOCK_TAGS) is not None and element.name not in ("p", *_HEADING_TAGS):
            continue
        line = squash(element.get_text())
        if not line:
            continue
        linked = _link_share(element, line)
        if element.name == "pre":
            parts.append(("code", element.get_text().strip("\n"), 0.0, 0))
        elif element.name == "li":
            parts.append(("item", f"- {line}", linked, 0))
        elif element.name in _HEADING_TAGS:
            parts.append(("heading", line, linked, int(element.name[1])))
        else:
            parts.append(("paragraph", line, linked, 0))
    if not parts and squash(root.get_text(" ")):
        parts = [("paragraph", squash(root.get_text(" ")), 0.0, 0)]
    return parts, title


def _link_share(element, line: str) -> float:
    """The share of `line` (the element's text) inside its links."""
    return link_share(sum(len(squash(a.get_text())) for a in element.find_all("a")), line)


def _title(soup) -> str | None:
    """The first <h1>'s text, else the <title>."""
    for tag in (soup.find("h1"), soup.find("title")):
        if tag is not None and tag.get_text(strip=True):
            return squash(tag.get_text()).rstrip("¶§ ")  # a documentation permalink mark
    return None
