"""What every format reader returns and what it is given: the contract of `ingest/formats/`.

A format module (txt, markdown, html, pdf, ...) turns a file's raw bytes into a `Reading`:
the text quotes are cut from, plus whatever structure the format itself knows (headings
from markup or a PDF outline, page starts, spans that are not the article). Readers raise
`index.errors.UnreadableFileError` with a one-line reason; no library exception escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from index.records import Block


@dataclass(frozen=True)
class MarkedSpan:
    """A half-open span of `Reading.text` that is not the article, and why (for `inspect`)."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Reading:
    """One file as its format reads it.

    `blocks` is None when the format knows no structure (plain text): ingest then finds
    headings and paragraphs in the text itself. `notes` are facts `cited inspect` reports
    about how the file was read ("read with pypdfium2: pypdf ran words together").
    """

    text: str
    title: str | None = None
    page_starts: tuple[int, ...] = ()
    blocks: tuple[Block, ...] | None = None
    boilerplate: tuple[MarkedSpan, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    """The budget one file may spend being read; past it the file is skipped by name.

    Built once from settings (environment and flags) at the edge and passed down, so no
    reader looks at `os.environ`.
    """

    max_bytes: int = 200 * 1024 * 1024
    seconds: float = 60.0
    memory_mb: int = 1024

    def seconds_for(self, pages: int) -> float:
        """The time budget of a document of `pages` pages: `seconds` up to PAGES_PER_BUDGET
        pages, in proportion beyond (R's 2,415-page reference manual gets 290 s)."""
        return self.seconds * max(1.0, pages / PAGES_PER_BUDGET)


#: Pages a file may have before its time budget grows with them: a long manual is slow to
#: read because it is long, a hostile file because of what one page holds.
PAGES_PER_BUDGET = 500.0


@dataclass(frozen=True)
class Format:
    """One supported kind of file: how to recognise it and how to read it.

    `name` is the phrase used in messages ("PDF", "HTML page"); `sniff` says whether the
    first bytes of a file look like this format (upload checks, mislabelled files);
    `mismatch` is the refusal when they do not and no other format claims them.
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[bytes, str, Limits], Reading]
    sniff: Callable[[bytes], bool]
    mismatch: str = ""
