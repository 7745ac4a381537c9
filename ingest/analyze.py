"""A document's blocks, computed once, and everything derived from them.

`read_file` reads and cleans one file (format reader, then `ingest.clean`); `analyze` cuts
its blocks once (from the format's markup when it has some, else from the text's shape)
and derives the passages from them; caveat candidates (`ingest.caveats.apply_rules`),
sentence units and the ¶ numbers of the Read view take the same blocks, so what Read
shows is what was indexed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.records import Block, ChunkSettings, Document, Passage
from ingest.chunk import DEFAULT_SETTINGS, CountSpan, chunk_document
from ingest.clean import mark_boilerplate
from ingest.formats import Limits
from ingest.load import DEFAULT_LIMITS, LoadedFile, load_file
from ingest.structure import blocks as blocks_from_text
from ingest.structure import without_boilerplate

#: A block of one of these kinds gets a paragraph number (¶n); headings do not.
NUMBERED_KINDS = ("paragraph", "item", "label", "code", "table", "note")


@dataclass(frozen=True)
class Analysis:
    """One document with its blocks and passages, all cut from `document.text`."""

    document: Document
    blocks: tuple[Block, ...]
    passages: tuple[Passage, ...]
    notes: tuple[str, ...] = ()


def read_file(path: Path, corpus_dir: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedFile:
    """Read one file and mark its boilerplate (UnreadableFileError if it cannot be read)."""
    loaded = load_file(path, corpus_dir, limits)
    return replace(loaded, document=mark_boilerplate(loaded.document, code_spans(loaded)))


def code_spans(loaded: LoadedFile) -> list[tuple[int, int]]:
    """Spans of the format's code blocks: their lines repeat by nature, never boilerplate."""
    return [(b.start, b.end) for b in loaded.blocks or () if b.kind == "code"]


def document_blocks(loaded: LoadedFile) -> tuple[Block, ...]:
    """The blocks of a cleaned document: its format's when it gave some, else the text's."""
    document = loaded.document
    if loaded.blocks is None:
        return tuple(blocks_from_text(document))
    return tuple(without_boilerplate(document, loaded.blocks))


def analyze(
    loaded: LoadedFile, count: CountSpan, settings: ChunkSettings = DEFAULT_SETTINGS
) -> Analysis:
    """Blocks once, then passages from them; `count(start, end)` counts tokens of the text."""
    blocks = document_blocks(loaded)
    passages = chunk_document(loaded.document, count, settings, blocks)
    return Analysis(loaded.document, blocks, tuple(passages), loaded.notes)


def paragraph_numbers(blocks: Sequence[Block]) -> list[tuple[Block, int | None]]:
    """Each block with its ¶ number (1, 2, ... over the numbered kinds), None for headings."""
    numbered: list[tuple[Block, int | None]] = []
    number = 0
    for block in blocks:
        if block.kind in NUMBERED_KINDS:
            number += 1
            numbered.append((block, number))
        else:
            numbered.append((block, None))
    return numbered
