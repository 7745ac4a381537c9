"""Writing one segment: its records.sqlite, passage and caveat vectors, sentence units,
FAISS index and BM25 index, from whole documents in file order.

`index.segment` reads what this writes (the names of its files and `SegmentInfo` live
there); the version writer `index.writer` decides which segments to write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.lexical import LexicalIndex
from index.records import Block, Caveat, Document, Passage, StoredDocument
from index.segment import (
    BM25_DIR,
    CAVEATS_NAME,
    FAISS_NAME,
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    PASSAGES_NAME,
    RECORDS_NAME,
    SENTENCE_SPANS_NAME,
    SENTENCES_NAME,
    SegmentInfo,
    headings_column,
)

#: Between the headings of a path in what BM25 reads (one line, as a section was).
PLACE_SEPARATOR = " "

_SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, sha256 TEXT NOT NULL, page_starts TEXT NOT NULL,
    boilerplate TEXT NOT NULL, ordinal INTEGER NOT NULL);
CREATE TABLE passages (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    section TEXT NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, page INTEGER, tokens TEXT NOT NULL, headings TEXT NOT NULL);
CREATE TABLE caveats (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, "start" INTEGER NOT NULL,
    "end" INTEGER NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, section TEXT NOT NULL,
    page INTEGER);
CREATE TABLE blocks (doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, "start" INTEGER NOT NULL,
    "end" INTEGER NOT NULL, kind TEXT NOT NULL, section TEXT NOT NULL, level INTEGER NOT NULL,
    headings TEXT NOT NULL, PRIMARY KEY (doc_id, ordinal));
CREATE INDEX passages_doc ON passages (doc_id, ordinal);
CREATE INDEX caveats_doc ON caveats (doc_id);
"""


def _document_row(ordinal: int, d: Document) -> tuple:
    page_starts = json.dumps(list(d.page_starts))
    boilerplate = json.dumps([list(span) for span in d.boilerplate])
    return (d.doc_id, d.file, d.title, d.text, d.sha256, page_starts, boilerplate, ordinal)


def _passage_row(i: int, p: Passage, tokens: str) -> tuple:
    headings = headings_column(p.headings)
    return (i, p.doc_id, p.ordinal, p.section, p.start, p.end, p.text, p.page, tokens, headings)


def _block_row(doc_id: str, i: int, b: Block) -> tuple:
    return (doc_id, i, b.start, b.end, b.kind, b.section, b.level, headings_column(b.headings))


def _caveat_row(i: int, c: Caveat) -> tuple:
    return (i, c.doc_id, c.start, c.end, c.text, c.kind, c.section, c.page)


def _write_records(path: Path, docs: Sequence[StoredDocument], tokens: Sequence[str]) -> None:
    """records.sqlite; passage and caveat ids are their row numbers in the .npy files."""
    passages = (p for d in docs for p in d.passages)
    caveats = (c for d in docs for c in d.caveats)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(_SCHEMA)
        insert = "INSERT INTO {} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        rows = (_document_row(i, d.document) for i, d in enumerate(docs))
        conn.executemany(insert.format("documents"), rows)
        conn.executemany(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_passage_row(i, p, t) for i, (p, t) in enumerate(zip(passages, tokens, strict=True))),
        )
        conn.executemany(
            insert.format("caveats"), (_caveat_row(i, c) for i, c in enumerate(caveats))
        )
        blocks = (_block_row(d.document.doc_id, i, b) for d in docs for i, b in enumerate(d.blocks))
        conn.executemany("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", blocks)
        conn.commit()
    finally:
        conn.close()


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: the headings it stands under (its section when it
    has no path: the title before the first heading), then its text. A passage under
    "Install › On Mac" or "Hash-checking Mode › Interaction with caching" is found by the
    words of its place, which its text seldom repeats (docs/quality.md, Headings)."""
    place = PLACE_SEPARATOR.join(passage.headings) or passage.section
    return f"{place}\n{passage.text}" if place else passage.text


def build_faiss(vectors: np.ndarray, kind: str) -> Any:
    """An exact ("flat") or HNSW inner-product index over `vectors`."""
    import faiss

    dimension = vectors.shape[1]
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dimension)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _stack(parts: Sequence[np.ndarray], dimension: int) -> np.ndarray:
    arrays = [np.asarray(p, dtype=np.float32).reshape(-1, dimension) for p in parts]
    if not arrays:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(arrays))


def _sentence_arrays(
    docs: Sequence[StoredDocument], dimension: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Segment-wide sentence spans (local passage id, start, end) and vectors, or None when
    any document lacks sentence units (a segment stores them for all or none)."""
    if not docs or any(d.sentence_spans is None or d.sentence_vectors is None for d in docs):
        return None
    spans, base = [], 0
    for d in docs:
        part = np.asarray(d.sentence_spans, dtype=np.int64).reshape(-1, 3).copy()
        part[:, 0] += base
        spans.append(part)
        base += len(d.passages)
    vectors = _stack([d.sentence_vectors for d in docs], dimension)  # type: ignore[misc]
    return np.concatenate(spans), vectors


def check_document(d: StoredDocument, dimension: int) -> None:
    """Raise ValueError when the arrays of `d` do not fit its records."""
    shapes = (
        ("passage vectors", d.passage_vectors, len(d.passages)),
        ("caveat vectors", d.caveat_vectors, len(d.caveats)),
    )
    for what, array, rows in shapes:
        if np.asarray(array).size == 0 and rows == 0:
            continue
        if np.shape(array) != (rows, dimension):
            raise ValueError(
                f"{d.file}: {what}: expected shape ({rows}, {dimension}), got {np.shape(array)}"
            )
    if d.sentence_spans is None:
        return
    spans = np.asarray(d.sentence_spans).reshape(-1, 3)
    if np.shape(np.asarray(d.sentence_vectors)) != (spans.shape[0], dimension):
        raise ValueError(f"{d.file}: sentence vectors do not match its {spans.shape[0]} spans")
    owners = spans[:, 0]
    if owners.size and (owners.min() < 0 or owners.max() >= len(d.passages)):
        raise ValueError(f"{d.file}: sentence spans name passages it does not have")
    if np.any(np.diff(owners) < 0):
        raise ValueError(f"{d.file}: sentence spans must be sorted by passage")


def _passage_tokens(docs: Sequence[StoredDocument]) -> list[list[str]]:
    """The BM25 tokens of every passage of `docs`: kept ones as they are, the rest
    tokenized here in one batch."""
    fresh = [lexical_text(p) for d in docs if d.passage_tokens is None for p in d.passages]
    tokenized = iter(LexicalIndex.tokenize(fresh) if fresh else [])
    result: list[list[str]] = []
    for d in docs:
        if d.passage_tokens is None:
            result += [next(tokenized) for _ in d.passages]
        else:
            result += [t.split() for t in d.passage_tokens]
    return result


def write_segment(
    folder: Path, name: str, docs: Sequence[StoredDocument], dimension: int, faiss_kind: str
) -> SegmentInfo:
    """Write `docs` as segment `name` inside `folder`, in the order given (builds give them in
    file order)."""
    for d in docs:
        check_document(d, dimension)
    import faiss

    path = folder / name
    path.mkdir(parents=True)
    passage_vectors = _stack([d.passage_vectors for d in docs], dimension)
    tokens = _passage_tokens(docs)
    _write_records(path / RECORDS_NAME, docs, [" ".join(t) for t in tokens])
    np.save(path / PASSAGES_NAME, passage_vectors, allow_pickle=False)
    np.save(path / CAVEATS_NAME, _stack([d.caveat_vectors for d in docs], dimension))
    faiss.write_index(build_faiss(passage_vectors, faiss_kind), str(path / FAISS_NAME))
    LexicalIndex.from_tokens(tokens).save(path / BM25_DIR)
    sentences = _sentence_arrays(docs, dimension)
    if sentences is not None:
        np.save(path / SENTENCE_SPANS_NAME, sentences[0], allow_pickle=False)
        np.save(path / SENTENCES_NAME, sentences[1], allow_pickle=False)
    return SegmentInfo(
        name=name,
        first_file=min(d.file for d in docs),
        last_file=max(d.file for d in docs),
        documents=len(docs),
        passages=int(passage_vectors.shape[0]),
        caveats=sum(len(d.caveats) for d in docs),
        sentences=None if sentences is None else int(sentences[0].shape[0]),
        faiss_kind=faiss_kind,
    )
