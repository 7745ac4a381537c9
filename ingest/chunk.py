"""Cut a document into passages: verbatim slices that fit the embedding model's window.

Passages group consecutive blocks of one section up to about `target_tokens`, and never
exceed `max_tokens` counted with the model's own tokenizer (less its special tokens).
They never cross a section or a boilerplate span; a label line stays with what follows
it; a list stays whole when it fits; a paragraph too long is cut between sentences.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from index.records import Block, ChunkSettings, Document, Passage
from ingest.spans import SpanIndex
from ingest.structure import blocks as find_blocks
from ingest.text import sentence_spans

log = logging.getLogger(__name__)

Span = tuple[int, int]
#: Tokens in the document's text[start:end] (`index.embed.Embedder.span_counter`).
CountSpan = Callable[[int, int], int]

SPECIAL_TOKENS = 2  # [CLS] and [SEP], added by the model around every passage
_CONTENT_KINDS = ("paragraph", "item", "label", "code", "table", "note")
DEFAULT_SETTINGS = ChunkSettings()


def chunk_document(
    doc: Document,
    count: CountSpan,
    settings: ChunkSettings = DEFAULT_SETTINGS,
    blocks: Sequence[Block] | None = None,
) -> list[Passage]:
    """The document's passages in order; each `text` is exactly `doc.text[start:end]`.
    `count(start, end)` gives the tokens in `doc.text[start:end]`; `blocks` are the
    document's blocks when already known (`ingest.analyze`), else they are found here."""
    budget = settings.max_tokens - SPECIAL_TOKENS
    cut: list[tuple[Span, Block]] = []
    blocks = find_blocks(doc) if blocks is None else blocks
    for run in _runs(blocks, SpanIndex(doc.boilerplate)):
        atoms = _atoms(doc.text, _units(doc.text, run), count, budget)
        for span in _pack(atoms, count, min(settings.target_tokens, budget)):
            cut.append((span, run[0]))
    log.debug("%s: %d passages", doc.file, len(cut))
    return [
        Passage(doc.doc_id, i, b.section, s, e, doc.text[s:e], doc.page_at(s), b.headings)
        for i, ((s, e), b) in enumerate(cut)
    ]


def _runs(blocks: Sequence[Block], boilerplate: SpanIndex) -> list[list[Block]]:
    """Consecutive content blocks of one section with no heading or boilerplate between; a
    footnote (a PDF's "note", set where its page ends) is a run of its own, never glued
    between the paragraphs around it as HTML editions never glue theirs."""
    runs: list[list[Block]] = []
    previous: Block | None = None
    for block in blocks:
        if block.kind not in _CONTENT_KINDS:
            previous = None
            continue
        if (
            previous is None
            or (block.section, block.headings) != (previous.section, previous.headings)
            or boilerplate.overlaps(previous.end, block.start)  # boilerplate between them
            or "note" in (block.kind, previous.kind)  # a footnote is quoted alone
        ):
            runs.append([])
        runs[-1].append(block)
        previous = block
    return runs


def _units(text: str, run: list[Block]) -> list[list[Block]]:
    """Blocks that stay together: a whole list; a line ending in ':' with what follows."""
    units: list[list[Block]] = []
    for block in run:
        previous = units[-1] if units else None
        joins_list = previous and block.kind == "item" and previous[-1].kind == "item"
        introduced = previous and text[previous[-1].start : previous[-1].end].endswith(":")
        if previous is not None and (joins_list or introduced):
            previous.append(block)
        else:
            units.append([block])
    return units


def _atoms(text: str, units: list[list[Block]], count: CountSpan, budget: int) -> list[Span]:
    """Spans that are never cut: whole units when they fit, else blocks or sentences."""
    atoms: list[Span] = []
    for unit in units:
        span = (unit[0].start, unit[-1].end)
        if count(*span) <= budget:
            atoms.append(span)
        else:
            atoms.extend(_split_unit(text, unit, count, budget))
    return atoms


def _split_unit(text: str, unit: list[Block], count: CountSpan, budget: int) -> list[Span]:
    """A unit too long for one passage, as blocks, then sentences, then word runs."""
    pieces: list[Span] = []
    glue = False  # a label glues itself to the piece after it
    for block in unit:
        for piece in _split_block(text, block, count, budget):
            if glue and count(pieces[-1][0], piece[1]) <= budget:
                pieces[-1] = (pieces[-1][0], piece[1])
            else:
                pieces.append(piece)
            glue = False
        glue = text[block.start : block.end].endswith(":")
    return pieces


def _split_block(text: str, block: Block, count: CountSpan, budget: int) -> list[Span]:
    """One block as itself if it fits, else its sentences (long ones cut at spaces)."""
    if count(block.start, block.end) <= budget:
        return [(block.start, block.end)]
    pieces: list[Span] = []
    for s, e in sentence_spans(text[block.start : block.end]):
        start, end = block.start + s, block.start + e
        if count(start, end) <= budget:
            pieces.append((start, end))
        else:
            pieces.extend(_split_words(text, start, end, count, budget))
    return pieces


def _split_words(text: str, start: int, end: int, count: CountSpan, budget: int) -> list[Span]:
    """Cut an over-long sentence at spaces into the longest runs that fit the budget."""
    pieces: list[Span] = []
    piece_start = start
    last_fit = None
    for match in re.finditer(r"\S+", text[start:end]):
        word_end = start + match.end()
        if count(piece_start, word_end) <= budget or last_fit is None:
            last_fit = word_end
            continue
        pieces.append((piece_start, last_fit))
        piece_start, last_fit = start + match.start(), word_end
    if last_fit is not None:
        pieces.append((piece_start, last_fit))
    return pieces


def _pack(atoms: list[Span], count: CountSpan, target: int) -> list[Span]:
    """Greedily join consecutive atoms while the joined text stays within `target`."""
    packed: list[Span] = []
    for start, end in atoms:
        if packed and count(packed[-1][0], end) <= target:
            packed[-1] = (packed[-1][0], end)
        else:
            packed.append((start, end))
    return packed
