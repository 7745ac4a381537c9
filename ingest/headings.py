"""Heading paths: the headings a block stands under, outermost first, from their levels.

A sub-section named "Examples", "Options" or "On Linux" says little without its parents,
so every block carries the path of headings above it ("Install", "On Linux"), not only the
nearest one. A format that knows heading levels (HTML h1–h6, Markdown's #s and setext
underlines, reStructuredText's adornments, a PDF outline's depth, numbering as "2.3.1")
gives them; a heading of unknown level (plain text recognised by its shape) stands alone,
as sections always did, and is never a parent. The document's title is never in a path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Section numbering at the start of a heading: "2.3.1 Options", "A.2 Files", "4. Usage".
#: (A letter numbers only an appendix's sections: "A.2", never "A Guide".)
#: A chapter's word before its number makes no level of its own: "Chapter 8. The Debian
#: package…" is level 1. (Generated texts often put a no-break space after the number.)
_NUMBERING = re.compile(
    r"(?:(?i:chapter)[ \t\u00a0]+)?(?P<number>(?:[A-Z](?=\.\d)|\d{1,3})(?:\.\d{1,3})*)\.?"
    r"(?=[ \t\u00a0]+\S)"
)


class HeadingTrail:
    """The headings open at the current point of a document, walked in reading order."""

    def __init__(self) -> None:
        self._open: list[tuple[int, str]] = []

    @property
    def path(self) -> tuple[str, ...]:
        """The names of the open headings, outermost first."""
        return tuple(name for _, name in self._open)

    def enter(self, name: str, level: int = 0) -> tuple[str, ...]:
        """Open heading `name` at `level` (1 outermost, 0 unknown) and return its path:
        it closes every open heading at its level or deeper, and every one of unknown level."""
        if level <= 0:
            self._open = [(0, name)]
        else:
            while self._open and (self._open[-1][0] >= level or self._open[-1][0] == 0):
                self._open.pop()
            self._open.append((level, name))
        return self.path

    def restart(self) -> tuple[str, ...]:
        """At the document's title: no heading is open."""
        self._open = []
        return ()


def numbering_level(heading: str) -> int:
    """The depth its numbering gives a heading ("2.3.1 Options" 3, "4. Usage" 1, "A.2
    Files" 2), 0 when it is not numbered."""
    match = _NUMBERING.match(heading.strip())
    if match is None:
        return 0
    return match.group("number").count(".") + 1


#: How a heading path is written: "Install › On Linux".
PATH_SEPARATOR = " › "
#: A shown path longer than this keeps its outermost heading and as many of the innermost
#: as fit, "…" between; a parent heading (a FAQ's whole question) is cut to PARENT_CHARS.
MAX_PATH_CHARS = 80
PARENT_CHARS = 40


def shown_path(headings: Sequence[str], limit: int = MAX_PATH_CHARS) -> str:
    """A heading path as a citation shows it, trimmed when long: the innermost heading
    always whole, long parents cut at a word, middle ones left out as "…"."""
    names = [*(_shortened(h) for h in headings[:-1]), *headings[-1:]]
    if len(PATH_SEPARATOR.join(names)) <= limit or len(names) <= 2:
        return PATH_SEPARATOR.join(names)
    kept = names[-1:]
    for name in reversed(names[1:-1]):
        if len(PATH_SEPARATOR.join([names[0], "…", name, *kept])) > limit:
            break
        kept.insert(0, name)
    middle = ["…"] if len(kept) < len(names) - 1 else []
    return PATH_SEPARATOR.join([names[0], *middle, *kept])


def _shortened(heading: str) -> str:
    """A parent heading cut to PARENT_CHARS at a word boundary, with "…"."""
    if len(heading) <= PARENT_CHARS:
        return heading
    cut = heading[:PARENT_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return cut + "…"
