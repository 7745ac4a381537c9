"""The records the index stores: documents, passages, caveats, blocks and failed files.

They live in `index/` because the index persists them; `ingest` produces them and
`assistant` reads them. Every record is a frozen dataclass with `to_dict`/`from_dict`,
and every span is a half-open character range into `Document.text`.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, fields
from typing import Any, Self

import numpy as np

Span = tuple[int, int]


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Build `cls` from a dict, turning JSON lists back into the tuples we store."""
    names = {f.name for f in fields(cls)}
    values = {}
    for name, value in data.items():
        if name not in names:
            continue
        if isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        values[name] = value
    return cls(**values)


@dataclass(frozen=True)
class Document:
    """One article as read from the corpus folder.

    `text` is what quotes are cut from: for .txt/.md the decoded file unchanged, for
    .html the extracted main text, for .pdf the pages' text joined by blank lines with
    `page_starts[i]` the offset where page i+1 begins. `boilerplate` holds the spans the
    cleaner marked as never to be indexed or quoted. (The structure a file's format gives
    travels beside it, in `ingest.load.LoadedFile.blocks`, and is stored per document as
    blocks; a Document carries only its text.)
    """

    doc_id: str
    file: str
    title: str
    text: str
    sha256: str
    page_starts: tuple[int, ...] = ()
    boilerplate: tuple[Span, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding `offset`, or None for documents without pages."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)  # an older dict's "blocks" key is left out


@dataclass(frozen=True)
class Passage:
    """A verbatim slice `document.text[start:end]` inside one section.

    `section` is the innermost heading it stands under (the title before the first one);
    `headings` the whole path of headings, outermost first, the title left out ("Install",
    "On Linux"), empty before the first heading."""

    doc_id: str
    ordinal: int
    section: str
    start: int
    end: int
    text: str
    page: int | None = None
    headings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Caveat:
    """A sentence in which a document states its own ethical limits.

    `kind` names the limit: "manipulation", "games", "punishment", "deception",
    "weaponising", "unethical", "guarantee" or "general".
    """

    doc_id: str
    start: int
    end: int
    text: str
    kind: str
    section: str = ""
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Block:
    """A stripped line or paragraph `document.text[start:end]`, its kind and its section.

    kind is "title", "heading", "label", "item", "code", "table" or "paragraph"; section is
    the text of the most recent heading (the document title before the first one). `level`
    is a heading's depth when its format knows it (1 outermost; 0 unknown or not a
    heading); `headings` the path of headings the block stands under, outermost first,
    without the title (a heading's own path ends with it; `ingest.headings`). The
    structure of a document is read once, at ingest; Read and the quote cards show it.
    """

    start: int
    end: int
    kind: str
    section: str
    level: int = 0
    headings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class ChunkSettings:
    """The chunker's settings, stamped into the manifest so a change forces re-chunking."""

    max_tokens: int = 256
    #: Chosen on the tune split of tests/data/questions.jsonl (docs/quality.md).
    target_tokens: int = 224

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredDocument:
    """One document with everything the index keeps of it: what ingest hands to
    `index.writer.IndexWriter`, and what a rebuild copies out of an old segment.

    `sentence_spans` rows are (passage position in `passages`, start, end), the span
    relative to that passage's text; None when sentences are not stored. `blocks` is the
    document's structure as ingest read it. `passage_tokens` are the BM25 tokens of each
    passage, space-joined, when known (a stored document keeps them, so rewriting its
    segment does not tokenize it again)."""

    document: Document
    passages: tuple[Passage, ...]
    caveats: tuple[Caveat, ...]
    passage_vectors: np.ndarray
    caveat_vectors: np.ndarray
    sentence_spans: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None
    passage_tokens: tuple[str, ...] | None = None
    blocks: tuple[Block, ...] = ()

    @property
    def file(self) -> str:
        return self.document.file


@dataclass(frozen=True)
class BuildFailure:
    """A corpus file a build could not read: its content hash and the reason. The next
    build skips it while the file's sha256 stays the same."""

    file: str
    sha256: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)
