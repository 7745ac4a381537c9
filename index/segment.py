"""Segments: the unit an index version is written in and read from.

A segment holds a run of whole documents, consecutive in file order, with everything the
index keeps of them: records.sqlite, passage and caveat vectors, sentence units, a FAISS
index and a BM25 index. Ids inside a segment are local (row numbers from 0); a version
numbers passages, caveats and sentences across its segments in order (see
`index.loaded.LoadedIndex`). Segments never change once written, so a version reuses the
unchanged segments of the one before it as hard links and a rebuild writes only the
segments whose documents changed. This module reads a segment; `index.segment_write`
writes one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Self

import numpy as np

from index.errors import IndexCorruptError
from index.lexical import LexicalIndex
from index.records import Block, Caveat, Document, Passage, StoredDocument
from index.rowfile import RowFile

SEGMENTS_DIR = "segments"  # inside a version folder
RECORDS_NAME = "records.sqlite"
PASSAGES_NAME = "passages.npy"
CAVEATS_NAME = "caveats.npy"
FAISS_NAME = "faiss.index"
BM25_DIR = "bm25"
SENTENCES_NAME = "sentences.npy"
SENTENCE_SPANS_NAME = "sentence_spans.npy"
#: The files every segment has (sentences are optional).
REQUIRED_FILES = (RECORDS_NAME, PASSAGES_NAME, CAVEATS_NAME, FAISS_NAME)

HNSW_M = 32
# A graph covers one segment (about 2,048 passages): efConstruction 100 builds it twice as
# fast as 200 with the same recall at that size (docs/benchmarks.md, "Scale").
HNSW_EF_CONSTRUCTION = 100
# 64 candidates per graph: recall@5 0.989 against exact search at 100,000 passages in 50
# segments, in 12 ms a query where 128 gave 0.996 in 18 ms (docs/benchmarks.md, "Scale").
HNSW_EF_SEARCH = 64


@dataclass(frozen=True)
class SegmentInfo:
    """A written segment as the manifest lists it: its folder name, the files it covers and
    its counts (`sentences` is None for a segment without sentence units)."""

    name: str
    first_file: str
    last_file: str
    documents: int
    passages: int
    caveats: int
    sentences: int | None
    faiss_kind: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**known_fields(cls, data))


def known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The entries of `data` that are fields of dataclass `cls` (newer keys are ignored)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


# --- reading -----------------------------------------------------------------------------

_PASSAGE_COLS = 'id, doc_id, ordinal, section, "start", "end", text, page, headings'
_CAVEAT_COLS = 'id, doc_id, "start", "end", text, kind, section, page'
_DOCUMENT_COLS = "doc_id, file, title, text, sha256, page_starts, boilerplate"


def _passage(row: tuple) -> Passage:
    _id, doc_id, ordinal, section, start, end, text, page, headings = row
    return Passage(doc_id, ordinal, section, start, end, text, page, _headings(headings))


def _block(row: tuple) -> Block:
    start, end, kind, section, level, headings = row
    return Block(start, end, kind, section, level, _headings(headings))


def headings_column(headings: Sequence[str]) -> str:
    """A heading path as records.sqlite stores it: a JSON list."""
    return json.dumps(list(headings), ensure_ascii=False)


def _headings(column: str) -> tuple[str, ...]:
    return tuple(json.loads(column))


def _caveat(row: tuple) -> tuple[int, Caveat]:
    _id, doc_id, start, end, text, kind, section, page = row
    return int(_id), Caveat(doc_id, start, end, text, kind, section, page)


def _document(row: tuple) -> Document:
    doc_id, file, title, text, sha256, page_starts, boilerplate = row
    spans = tuple(tuple(s) for s in json.loads(boilerplate))
    return Document(doc_id, file, title, text, sha256, tuple(json.loads(page_starts)), spans)


def read_faiss(path: Path) -> Any:
    """Read a FAISS index, memory-mapped when this faiss build can."""
    import faiss

    flag = int(getattr(faiss, "IO_FLAG_MMAP_IFC", 0) or getattr(faiss, "IO_FLAG_MMAP", 0))
    try:
        index = faiss.read_index(str(path), flag | getattr(faiss, "IO_FLAG_READ_ONLY", 0))
    except RuntimeError:
        index = faiss.read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def _load_spans(path: Path) -> np.ndarray:
    spans = np.load(path, allow_pickle=False)
    if spans.ndim != 2 or spans.shape[1] != 3 or spans.dtype.kind != "i":
        raise ValueError(f"expected (n, 3) integer spans, got {spans.dtype} {spans.shape}")
    return spans


def _opened(path: Path, load: Callable[[Path], Any]) -> Any:
    """`load(path)`, any failure of the library that reads it (a damaged byte in a file no
    checksum was asked for: `cited docs` loads without them) turned into one
    IndexCorruptError naming the file."""
    try:
        return load(path)
    except IndexCorruptError:
        raise
    except Exception as e:
        raise IndexCorruptError(
            f"cannot read {path} ({type(e).__name__}: {e}); run `cited ingest --full`"
        ) from e


class Segment:
    """One segment opened for reading; every id here is local to the segment.

    Vectors are read row by row with pread (`RowFile`); FAISS and BM25 are memory-mapped,
    opened at once unless `lazy` (a build that only copies documents out of a segment never
    needs them). Once open, a segment stays readable after its folder is deleted.
    Thread-safe.
    """

    def __init__(self, path: Path, info: SegmentInfo, lazy: bool = False) -> None:
        self.path = path
        self.info = info
        self._lock = threading.Lock()
        self.passage_file = RowFile(path / PASSAGES_NAME)
        self.caveat_file = RowFile(path / CAVEATS_NAME)
        self._faiss: Any = None
        self._lexical: LexicalIndex | None = None
        self._sentences: tuple[np.ndarray, RowFile, np.ndarray] | None = None
        uri = f"{(path / RECORDS_NAME).resolve().as_uri()}?mode=ro&immutable=1"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        if not lazy:
            _ = self.faiss_index, self.lexical, self._sentence_arrays()

    @property
    def passage_count(self) -> int:
        return self.passage_file.shape[0]

    @property
    def caveat_count(self) -> int:
        return self.caveat_file.shape[0]

    @property
    def sentence_count(self) -> int:
        return self.info.sentences or 0

    @property
    def has_sentences(self) -> bool:
        return self.info.sentences is not None

    def _sentence_arrays(self) -> tuple[np.ndarray, RowFile, np.ndarray] | None:
        """(spans, vectors, first): rows first[p]:first[p + 1] are passage p's; read on
        first use. None for a segment without sentences."""
        if not self.has_sentences:
            return None
        with self._lock:
            if self._sentences is None:
                spans = _opened(self.path / SENTENCE_SPANS_NAME, _load_spans)
                vectors = RowFile(self.path / SENTENCES_NAME)
                first = np.searchsorted(
                    spans[:, 0], np.arange(self.passage_count + 1), side="left"
                ).astype(np.int64)
                self._sentences = (spans, vectors, first)
            return self._sentences

    @property
    def sentence_spans(self) -> np.ndarray | None:
        arrays = self._sentence_arrays()
        return None if arrays is None else arrays[0]

    def sentence_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of these sentence rows (local ids)."""
        arrays = self._sentence_arrays()
        if arrays is None:
            raise KeyError(f"segment {self.path.name} stores no sentences")
        return arrays[1].rows(rows)

    @property
    def sentence_first(self) -> np.ndarray:
        arrays = self._sentence_arrays()
        return np.zeros(1, dtype=np.int64) if arrays is None else arrays[2]

    @property
    def faiss_index(self) -> Any:
        with self._lock:
            if self._faiss is None:
                self._faiss = _opened(self.path / FAISS_NAME, read_faiss)
            return self._faiss

    @property
    def lexical(self) -> LexicalIndex:
        with self._lock:
            if self._lexical is None:
                self._lexical = _opened(self.path / BM25_DIR, LexicalIndex.load)
            return self._lexical

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, list(params)).fetchall()
            except sqlite3.DatabaseError as e:  # damaged on disk (after it was verified)
                raise IndexCorruptError(
                    f"cannot read {self.path / RECORDS_NAME} ({e}); run `cited ingest --full`"
                ) from e

    def _records(self, sql: str, params: Sequence[Any], convert: Callable[[tuple], Any]) -> list:
        """Rows of `sql`, each converted; a row that does not convert (damaged JSON, a
        wrong type) is an IndexCorruptError naming records.sqlite."""
        rows = self.query(sql, params)
        return _opened(self.path / RECORDS_NAME, lambda _: [convert(r) for r in rows])

    def passage_rows(self, ids: Sequence[int]) -> dict[int, tuple]:
        """Passage rows by local id."""
        wanted = sorted({int(i) for i in ids})
        rows: dict[int, tuple] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT {_PASSAGE_COLS} FROM passages WHERE id IN ({marks})"
            rows.update((row[0], row) for row in self.query(sql, part))
        return rows

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        return {i: _passage(row) for i, row in self.passage_rows(ids).items()}

    def passages_of(self, doc_id: str) -> list[Passage]:
        sql = f"SELECT {_PASSAGE_COLS} FROM passages WHERE doc_id = ? ORDER BY ordinal"
        return [_passage(row) for row in self.query(sql, [doc_id])]

    def passage_ids_for_docs(self, doc_ids: Sequence[str]) -> np.ndarray:
        marks = ",".join("?" * len(doc_ids))
        rows = self.query(f"SELECT id FROM passages WHERE doc_id IN ({marks}) ORDER BY id", doc_ids)
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def documents(self) -> list[Document]:
        return self._records(f"SELECT {_DOCUMENT_COLS} FROM documents", (), _document)

    def doc_table(self) -> list[tuple[str, str, str, str, tuple[int, ...]]]:
        """(doc_id, file, title, sha256, page_starts) of every document, without their text."""
        sql = "SELECT doc_id, file, title, sha256, page_starts FROM documents"
        return self._records(sql, (), lambda row: (*row[:4], tuple(json.loads(row[4]))))

    def document(self, doc_id: str) -> Document | None:
        sql = f"SELECT {_DOCUMENT_COLS} FROM documents WHERE doc_id = ?"
        rows = self._records(sql, [doc_id], _document)
        return rows[0] if rows else None

    def blocks(self, doc_id: str) -> list[Block]:
        """The structure of one document, in reading order."""
        sql = (
            'SELECT "start", "end", kind, section, level, headings FROM blocks '
            "WHERE doc_id = ? ORDER BY ordinal"
        )
        return [_block(row) for row in self.query(sql, [doc_id])]

    def caveats(self, doc_ids: Sequence[str] | None = None) -> list[tuple[int, Caveat]]:
        if doc_ids is None:
            rows = self.query(f"SELECT {_CAVEAT_COLS} FROM caveats ORDER BY id")
        else:
            marks = ",".join("?" * len(doc_ids))
            sql = f"SELECT {_CAVEAT_COLS} FROM caveats WHERE doc_id IN ({marks}) ORDER BY id"
            rows = self.query(sql, doc_ids) if doc_ids else []
        return [_caveat(row) for row in rows]

    def search(self, query: np.ndarray, k: int, ef_search: int | None = None) -> tuple:
        """Cosines and local ids of the `k` nearest passages (fewer when it holds fewer)."""
        k = min(k, self.passage_count)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        index = self.faiss_index
        params = None
        if hasattr(index, "hnsw"):
            import faiss

            depth = max(ef_search or HNSW_EF_SEARCH, k)
            params = faiss.SearchParametersHNSW(efSearch=depth)  # type: ignore[attr-defined]
        scores, ids = index.search(query.reshape(1, -1), k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep].astype(np.float32), ids[0][keep].astype(np.int64)

    def stored_documents(self, files: set[str], dimension: int) -> list[StoredDocument]:
        """The documents of `files` in this segment with all their records and arrays, in
        file order: what a rebuild copies into a new segment without reading them again."""
        docs = sorted((d for d in self.documents() if d.file in files), key=lambda d: d.file)
        return [self._stored(d, dimension) for d in docs]

    def _stored(self, document: Document, dimension: int) -> StoredDocument:
        rows = self.query(
            f"SELECT {_PASSAGE_COLS} FROM passages WHERE doc_id = ? ORDER BY id",
            [document.doc_id],
        )
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        sql = "SELECT tokens FROM passages WHERE doc_id = ? ORDER BY id"
        tokens = tuple(r[0] for r in self.query(sql, [document.doc_id]))
        caveats = self.caveats([document.doc_id])
        caveat_ids = np.asarray([i for i, _ in caveats], dtype=np.int64)
        spans = vectors = None
        arrays = self._sentence_arrays()
        if arrays is not None:
            all_spans, all_vectors, starts = arrays
            first, last = starts[ids[0]], starts[ids[-1] + 1]
            spans = all_spans[first:last].copy()
            spans[:, 0] -= ids[0]
            vectors = all_vectors.rows(np.arange(first, last))
        return StoredDocument(
            document=document,
            passages=tuple(_passage(r) for r in rows),
            caveats=tuple(c for _, c in caveats),
            passage_vectors=self.passage_file.rows(ids),
            caveat_vectors=self.caveat_file.rows(caveat_ids).reshape(-1, dimension),
            sentence_spans=spans,
            sentence_vectors=vectors,
            passage_tokens=tokens,
            blocks=tuple(self.blocks(document.doc_id)),
        )

    def close(self) -> None:
        """Close the records database. Row files close when the segment is collected, so a
        thread still reading never meets a closed (or reused) descriptor."""
        with self._lock:
            self._conn.close()
