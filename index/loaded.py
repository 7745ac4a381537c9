"""Reading a published version: `LoadedIndex` numbers the passages, caveats and sentences of
its segments in order and answers every read under those global ids; `IndexHandle` follows
CURRENT for a long-running server. Versions are `index.versions`, manifests
`index.manifest`, writing `index.writer`; one segment's files are `index.segment`; the
numbering and the dense search across segments are `index.segmented`.
"""

from __future__ import annotations

import bisect
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np

from index.errors import IndexCorruptError
from index.lexical import SegmentedLexical
from index.manifest import (
    FULL_REBUILD,
    Manifest,
    check_model,
    read_manifest,
    verify_files,
    verify_prefix,
)
from index.plan import segment_of
from index.records import Block, BuildFailure, Caveat, Document, Passage
from index.segment import SEGMENTS_DIR, Segment
from index.segmented import Numbering, SegmentedFaiss
from index.versions import current_version, resolve_version

log = logging.getLogger(__name__)

#: Global ids as a caller holds them: a list or an array.
Ids = Sequence[int] | np.ndarray
#: Passages a version keeps in memory once read (about 2 kB each): an answer reads the same
#: few dozen candidates in search, abstention, diversity and its quotes.
RECENT_PASSAGES = 4096


@dataclass(frozen=True)
class DocumentInfo:
    """What the answer path needs of a document without reading its text."""

    doc_id: str
    file: str
    title: str
    sha256: str
    page_starts: tuple[int, ...]
    segment: int

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding `offset`, or None for documents without pages."""
        return bisect.bisect_right(self.page_starts, offset) if self.page_starts else None


class LoadedIndex:
    """One published version, opened for reading: its segments under global ids.

    Passage, caveat and sentence ids number the rows of segment 0, then segment 1, and so
    on. Reads are thread-safe.
    """

    def __init__(self, path: Path, manifest: Manifest, lazy: bool = False) -> None:
        self.path = path
        self.version = path.name
        self.manifest = manifest
        infos = manifest.segment_infos()
        self.segments = [Segment(path / SEGMENTS_DIR / i.name, i, lazy) for i in infos]
        self._passages = Numbering([s.passage_count for s in self.segments])
        self._caveats = Numbering([s.caveat_count for s in self.segments])
        self._sentences = Numbering([s.sentence_count for s in self.segments])
        self.faiss_index = SegmentedFaiss(self.segments, self._passages)
        self._lexical: SegmentedLexical | None = None
        self._first_sentence: np.ndarray | None = None
        self._has_sentences = bool(self.segments) and all(s.has_sentences for s in self.segments)
        self._lock = threading.Lock()
        self._recent: OrderedDict[int, Passage] = OrderedDict()  # a version never changes
        self._sentence_offsets = self._sentences.offsets.tolist()
        if not lazy:
            _ = self.lexical
        self._infos = {
            doc_id: DocumentInfo(doc_id, file, title, sha256, pages, number)
            for number, segment in enumerate(self.segments)
            for doc_id, file, title, sha256, pages in segment.doc_table()
        }
        self._files = {i.file: (i.doc_id, i.segment) for i in self._infos.values()}
        self._doc_segment = {i.doc_id: i.segment for i in self._infos.values()}

    @classmethod
    def load(
        cls,
        index_dir: Path,
        expected_model: str | None = None,
        expected_dimension: int | None = None,
        verify: bool | str = True,
        lazy: bool = False,
    ) -> Self:
        """Open the version CURRENT names, checking format, model and files: `verify` True
        (sha256 of every file not yet checked by this process), "stats" (sizes and times, as
        a rebuild does) or False. `lazy` leaves FAISS and BM25 closed until first used."""
        index_dir = Path(index_dir)
        version, version_dir = resolve_version(index_dir)
        manifest = read_manifest(version_dir)
        check_model(manifest, index_dir, expected_model, expected_dimension)
        loaded = cls.open(version_dir, manifest, verify, lazy)
        log.info("loaded index version %s from %s", version, index_dir)
        return loaded

    @classmethod
    def open(
        cls, version_dir: Path, manifest: Manifest, verify: bool | str = True, lazy: bool = False
    ) -> Self:
        """Open one version whose manifest was read already (see `load` for the flags)."""
        if verify:
            verify_files(version_dir, manifest, checksums=verify is True)
        try:
            return cls(version_dir, manifest, lazy)
        except (OSError, ValueError, RuntimeError, KeyError, sqlite3.Error) as e:
            raise IndexCorruptError(f"cannot open {version_dir} ({e}); {FULL_REBUILD}") from e

    def doc_files(self) -> dict[str, tuple[str, int]]:
        """file -> (doc_id, segment number) of every document."""
        return dict(self._files)

    def info(self, doc_id: str) -> DocumentInfo | None:
        """Title, file, sha256 and page starts of one document, from memory (no text read)."""
        return self._infos.get(doc_id)

    def infos(self) -> list[DocumentInfo]:
        """Every document's DocumentInfo, ordered by file."""
        return sorted(self._infos.values(), key=lambda i: (i.file, i.doc_id))

    def blocks(self, doc_id: str) -> list[Block]:
        """The structure of one document as the build read it (empty when unknown)."""
        number = self._doc_segment.get(doc_id)
        return [] if number is None else self.segments[number].blocks(doc_id)

    @property
    def failures(self) -> list[BuildFailure]:
        """The corpus files the build that made this version could not read."""
        return [BuildFailure.from_dict(f) for f in self.manifest.failures]

    def segments_of(self, files: Sequence[str]) -> list[int]:
        """Numbers of the segments whose file ranges hold any of `files`."""
        firsts = [s.info.first_file for s in self.segments]
        return sorted({segment_of(firsts, f) for f in files}) if firsts else []

    def verify_segment(self, number: int) -> None:
        """Check the sha256 of every file of one segment (IndexCorruptError if one fails)."""
        verify_prefix(
            self.path, self.manifest, f"{SEGMENTS_DIR}/{self.segments[number].info.name}/"
        )

    @property
    def passage_count(self) -> int:
        """Number of passages over all segments."""
        return self._passages.total

    @property
    def dimension(self) -> int:
        return self.manifest.dimension

    @property
    def vectors(self) -> np.ndarray:
        """Every passage vector in id order, read into memory (for checks and benchmarks: a
        question reads only the rows it needs)."""
        parts = [s.passage_file.all() for s in self.segments]
        return np.concatenate(parts) if parts else np.zeros((0, self.dimension), np.float32)

    @property
    def lexical(self) -> SegmentedLexical:
        """BM25 over every passage, with statistics of the whole index (opened on first use)."""
        with self._lock:
            if self._lexical is None:
                self._lexical = SegmentedLexical([s.lexical for s in self.segments])
            return self._lexical

    def passages(self, ids: Ids) -> list[Passage]:
        """The passages with these ids, in the order given (the RECENT_PASSAGES last read
        from memory)."""
        wanted = np.asarray(ids, dtype=np.int64).reshape(-1).tolist()
        with self._lock:
            found = {i: p for i in wanted if (p := self._recent.get(i)) is not None}
            for i in found:
                self._recent.move_to_end(i)
        missing = [i for i in dict.fromkeys(wanted) if i not in found]
        if missing:
            read = self._read_passages(np.asarray(missing, dtype=np.int64))
            found.update(read)
            with self._lock:
                self._recent.update(read)
                while len(self._recent) > RECENT_PASSAGES:
                    self._recent.popitem(last=False)
        return [found[i] for i in wanted]

    def _read_passages(self, ids: np.ndarray) -> dict[int, Passage]:
        """The passages with these (distinct) ids, read from their segments' records."""
        found: dict[int, Passage] = {}
        try:
            parts = list(self._passages.split(ids))
        except KeyError as e:
            raise KeyError(f"no passage with {e.args[0]} in index version {self.version}") from e
        for number, positions, local in parts:
            rows = self.segments[number].passages(local.tolist())
            for position, local_id in zip(positions.tolist(), local.tolist(), strict=True):
                found[int(ids[position])] = rows[local_id]
        return found

    def passage_vectors(self, ids: Ids) -> np.ndarray:
        """The stored unit vectors of these passages, (len(ids), dimension) float32."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        out = np.empty((ids.size, self.dimension), dtype=np.float32)
        for number, positions, local in self._passages.split(ids):
            out[positions] = self.segments[number].passage_file.rows(local)
        return out

    def passages_of(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in reading order."""
        number = self._doc_segment.get(doc_id)
        if number is None:
            return []
        return self.segments[number].passages_of(doc_id)

    def passage_ids_for_docs(self, doc_ids: Sequence[str]) -> np.ndarray:
        """Sorted passage ids belonging to any of `doc_ids`."""
        by_segment: dict[int, list[str]] = {}
        for doc_id in dict.fromkeys(doc_ids):
            if doc_id in self._doc_segment:
                by_segment.setdefault(self._doc_segment[doc_id], []).append(doc_id)
        parts = [
            self.segments[n].passage_ids_for_docs(docs) + self._passages.offsets[n]
            for n, docs in sorted(by_segment.items())
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def documents(self) -> list[Document]:
        """Every indexed document, ordered by file."""
        docs = [d for s in self.segments for d in s.documents()]
        return sorted(docs, key=lambda d: (d.file, d.doc_id))

    def document(self, doc_id: str) -> Document | None:
        """One document by id, or None when it is not in this index."""
        number = self._doc_segment.get(doc_id)
        if number is None:
            return None
        return self.segments[number].document(doc_id)

    def caveats(self, doc_ids: Sequence[str] | None = None) -> list[tuple[int, Caveat]]:
        """(caveat id, caveat) pairs, of all documents or only of `doc_ids`, by id."""
        result = []
        for number, segment in enumerate(self.segments):
            wanted = None
            if doc_ids is not None:
                wanted = [d for d in dict.fromkeys(doc_ids) if self._doc_segment.get(d) == number]
                if not wanted:
                    continue
            rows = segment.caveats(wanted)
            base = int(self._caveats.offsets[number])
            result += [(base + i, c) for i, c in rows]
        return result

    def caveat_vectors(self, ids: Ids) -> np.ndarray:
        """The stored vectors of these caveats, (len(ids), dimension) float32."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        out = np.empty((ids.size, self.dimension), dtype=np.float32)
        for number, positions, local in self._caveats.split(ids):
            out[positions] = self.segments[number].caveat_file.rows(local)
        return out

    @property
    def has_sentences(self) -> bool:
        """Whether this version stores sentence units (indexes built before them do not)."""
        return self._has_sentences

    def sentence_rows(self, passage_ids: Ids) -> tuple[np.ndarray, np.ndarray]:
        """The sentence rows of these passages, and for each row the position in
        `passage_ids` of its passage; empty arrays when the version has no sentences."""
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        empty = np.zeros(0, dtype=np.int64)
        if not self.has_sentences or ids.size == 0:
            return empty, empty
        if ids.min() < 0 or ids.max() >= self.passage_count:
            raise KeyError(f"no passage with id {int(ids.max())} in index version {self.version}")
        first = self._sentence_first()
        counts = first[ids + 1] - first[ids]
        total = int(counts.sum())
        if total == 0:
            return empty, empty
        starts = np.repeat(first[ids] - np.cumsum(counts) + counts, counts)
        return starts + np.arange(total), np.repeat(np.arange(ids.size), counts)

    def _sentence_first(self) -> np.ndarray:
        """Global sentence rows first[p]:first[p + 1] belong to passage p (all segments in
        one array, so a question's rows are found without a pass per segment)."""
        with self._lock:
            if self._first_sentence is None:
                parts = [
                    segment.sentence_first[:-1] + self._sentences.offsets[number]
                    for number, segment in enumerate(self.segments)
                ]
                self._first_sentence = np.concatenate([*parts, [self._sentences.total]])
            return self._first_sentence

    def sentence_vectors(self, rows: Ids) -> np.ndarray:
        """The stored unit vectors of these sentence rows, (len(rows), dimension) float32."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        out = np.empty((rows.size, self.dimension), dtype=np.float32)
        if not self.has_sentences:
            return out[:0]
        for number, positions, local in self._sentences.split(rows):
            out[positions] = self.segments[number].sentence_vectors(local)
        return out

    def sentence_spans(self, rows: Ids) -> list[tuple[int, int]]:
        """The (start, end) of each of these sentence rows, relative to its passage's text."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        if not self.has_sentences:
            raise KeyError(f"index version {self.version} stores no sentences")
        out = np.empty((rows.size, 2), dtype=np.int64)
        for number, positions, local in self._sentences.split(rows):
            spans = self.segments[number].sentence_spans
            assert spans is not None
            out[positions] = spans[local, 1:]
        return [(start, end) for start, end in out.tolist()]

    def sentence_span(self, row: int) -> tuple[int, int]:
        """The (start, end) of one sentence row, relative to its passage's text."""
        if not self.has_sentences:
            raise KeyError(f"index version {self.version} stores no sentences")
        offsets = self._sentence_offsets
        if not 0 <= row < offsets[-1]:
            raise KeyError(f"id {row} is outside 0..{offsets[-1] - 1}")
        # One row: a bisect of the offsets, where Numbering.split costs ten numpy calls.
        number = bisect.bisect_right(offsets, row) - 1
        spans = self.segments[number].sentence_spans
        assert spans is not None
        _, start, end = spans[row - offsets[number]]
        return int(start), int(end)

    def close(self) -> None:
        """Close the records databases; arrays are released when the object is dropped."""
        for segment in self.segments:
            segment.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class IndexHandle:
    """The current index of a folder for a long-running server, reloaded when CURRENT changes.

    A failed reload is logged and the old version keeps serving. Old versions are never
    closed here: a request may still hold one, so they are left to the garbage collector.
    """

    def __init__(
        self,
        index_dir: Path,
        expected_model: str | None = None,
        expected_dimension: int | None = None,
        check_interval: float = 2.0,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.expected_model = expected_model
        self.expected_dimension = expected_dimension
        self.check_interval = check_interval
        self._loaded: LoadedIndex | None = None
        self._checked_at = float("-inf")
        self._failed_version: str | None = None
        self._reloading = False
        self._lock = threading.Lock()

    def _load(self) -> LoadedIndex:
        return LoadedIndex.load(self.index_dir, self.expected_model, self.expected_dimension)

    def reload_now(self) -> LoadedIndex:
        """Load the version CURRENT names now; errors propagate to the caller."""
        with self._lock:
            self._loaded = self._load()
            self._checked_at = time.monotonic()
            self._failed_version = None
            return self._loaded

    def current(self) -> LoadedIndex:
        """The loaded index, first reloading it if CURRENT named a new version.

        Only one thread reloads; the others keep getting the old version meanwhile.
        """
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
                self._checked_at = time.monotonic()
                return self._loaded
            old, target = self._loaded, self._due_version()
            if target is None:
                return old
            self._reloading = True
        try:
            new = self._load()
        except Exception as e:
            log.error("cannot load index version %s, still serving %s: %s", target, old.version, e)
            new = None
        with self._lock:
            self._reloading = False
            if new is None:
                self._failed_version = target
                return old
            self._loaded, self._failed_version = new, None
            return new

    def _due_version(self) -> str | None:
        """The version to reload to, if a check is due and CURRENT names a new, loadable one."""
        if self._reloading or time.monotonic() - self._checked_at < self.check_interval:
            return None
        self._checked_at = time.monotonic()
        version = current_version(self.index_dir)
        loaded = self._loaded.version if self._loaded else None
        if version in (None, loaded, self._failed_version):
            return None
        return version
