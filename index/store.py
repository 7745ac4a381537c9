"""The index folder: versioned, checksummed builds published with one atomic rename.

Layout (see docs/architecture.md, "The index folder"):

    <index>/CURRENT                  name of the published version
    <index>/versions/<version>/      manifest.json, records.sqlite, passages.npy,
                                     caveats.npy, faiss.index, bm25/, and (optional)
                                     sentences.npy + sentence_spans.npy
    <index>/cache/embeddings.sqlite  see index/cache.py
    <index>/build.lock               see index/lock.py

A build writes `versions/<version>.tmp/`, fsyncs it, renames it into place and then
replaces CURRENT, so readers only ever see complete versions.

Test hook: with the environment variable CITED_TEST_PAUSE_AT set to a stage name
("embedded", "written", "renamed", "published"), a build stops itself (SIGSTOP) at that
point after printing `cited: test pause at STAGE` to stderr, so a test can kill it there
with SIGKILL, or resume it with SIGCONT. Unset, it costs one dictionary lookup.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import numpy as np

from index.errors import (
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    ModelMismatchError,
)
from index.lexical import LexicalIndex
from index.records import Caveat, Document, Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# Passages from which faiss.index is HNSW instead of exact (flat). Every publish rebuilds
# faiss.index over all passages: a flat index costs a copy (0.1 s at 21,000 passages) while
# HNSW costs minutes (100 s at 21,000 on two busy cores), which would make a one-article
# rebuild of a 1,000-article corpus slow. Flat search stays a few milliseconds a query up
# to ~100,000 passages (docs/benchmarks.md, "Rebuild").
HNSW_THRESHOLD = 100_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128
KEEP_VERSIONS = 2  # the new version and the one it replaced

CURRENT_NAME = "CURRENT"
VERSIONS_DIR = "versions"
TMP_SUFFIX = ".tmp"
MANIFEST_NAME = "manifest.json"
RECORDS_NAME = "records.sqlite"
PASSAGES_NAME = "passages.npy"
CAVEATS_NAME = "caveats.npy"
FAISS_NAME = "faiss.index"
BM25_DIR = "bm25"
SENTENCES_NAME = "sentences.npy"
SENTENCE_SPANS_NAME = "sentence_spans.npy"

_FULL_REBUILD = "run `cited ingest --full`"


def _package_version() -> str:
    """The installed cited version, stamped into each manifest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cited")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Manifest:
    """What one index version holds, how it was built, and the checksum of each file."""

    format_version: int
    package_version: str
    model_name: str
    dimension: int
    chunk_settings: dict[str, Any]
    built_at: str
    build_seconds: float
    counts: dict[str, int]
    files: dict[str, str]
    faiss_kind: str
    source_files: dict[str, str] = field(default_factory=dict)
    #: what this build changed: {"added": [files], "changed": [files], "removed": [files]}
    changes: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class SentenceVectors:
    """The sentence units of the passages: `spans` rows are (passage id, start, end), the
    span relative to the passage text, sorted by passage id; `vectors` row i embeds span i."""

    spans: np.ndarray
    vectors: np.ndarray


# --- files and folders -------------------------------------------------------------------


def _versions_dir(index_dir: Path) -> Path:
    return Path(index_dir) / VERSIONS_DIR


def _new_version_name(after: str | None = None) -> str:
    """A unique version name, sorting after `after`: UTC time plus a short random suffix."""
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
    if after is not None and name <= after:  # the clock went back: still sort after it
        name = f"{after}+{secrets.token_hex(3)}"
    return name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    """Flush a file or a directory entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _data_files(version_dir: Path) -> Iterator[Path]:
    """Every file of a version except the manifest, in a stable order."""
    for path in sorted(version_dir.rglob("*")):
        if path.is_file() and path.name != MANIFEST_NAME:
            yield path


PAUSE_ENV = "CITED_TEST_PAUSE_AT"


def pause_point(stage: str) -> None:
    """Test hook: stop this process at `stage` when CITED_TEST_PAUSE_AT names it."""
    if os.environ.get(PAUSE_ENV) == stage:
        print(f"cited: test pause at {stage}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)


def current_version(index_dir: Path) -> str | None:
    """The version CURRENT names, or None when nothing has been published."""
    try:
        name = (Path(index_dir) / CURRENT_NAME).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def list_versions(index_dir: Path) -> list[str]:
    """Complete versions in the folder, oldest first."""
    root = _versions_dir(index_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.endswith(TMP_SUFFIX))


def published_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the published version, or None when there is none or it is unreadable."""
    version = current_version(index_dir)
    if version is None:
        return None
    try:
        return _read_manifest(_versions_dir(index_dir) / version)
    except IndexCorruptError as error:
        log.warning("cannot read the published manifest: %s", error)
        return None


def cleanup_leftovers(index_dir: Path) -> list[str]:
    """Delete what interrupted builds left and versions no longer kept; returns their names.

    That is every `*.tmp` folder or file, every complete version newer than the one
    CURRENT names (a build killed between renaming its folder and replacing CURRENT),
    and all but the KEEP_VERSIONS - 1 newest versions older than it (a build killed
    before it pruned). Call it only while holding the build lock: a server still reading
    a deleted version keeps its open files.
    """
    index_dir = Path(index_dir)
    current = current_version(index_dir)
    older = [name for name in list_versions(index_dir) if current is not None and name < current]
    keep = {current, *older[len(older) - (KEEP_VERSIONS - 1) :]} if current else set()
    leftovers = list(_versions_dir(index_dir).glob(f"*{TMP_SUFFIX}"))
    leftovers.append(index_dir / f"{CURRENT_NAME}{TMP_SUFFIX}")
    leftovers += [_versions_dir(index_dir) / n for n in list_versions(index_dir) if n not in keep]
    removed = []
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink(missing_ok=True)
        else:
            continue
        log.info("removed %s (left by an interrupted build, or no longer kept)", path)
        removed.append(path.name)
    return removed


# --- writing -----------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, sha256 TEXT NOT NULL, page_starts TEXT NOT NULL,
    boilerplate TEXT NOT NULL, ordinal INTEGER NOT NULL);
CREATE TABLE passages (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    section TEXT NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, page INTEGER);
CREATE TABLE caveats (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, "start" INTEGER NOT NULL,
    "end" INTEGER NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, section TEXT NOT NULL,
    page INTEGER);
CREATE INDEX passages_doc ON passages (doc_id, ordinal);
CREATE INDEX caveats_doc ON caveats (doc_id);
"""


def _document_row(ordinal: int, d: Document) -> tuple:
    page_starts = json.dumps(list(d.page_starts))
    boilerplate = json.dumps([list(span) for span in d.boilerplate])
    return (d.doc_id, d.file, d.title, d.text, d.sha256, page_starts, boilerplate, ordinal)


def _passage_row(i: int, p: Passage) -> tuple:
    return (i, p.doc_id, p.ordinal, p.section, p.start, p.end, p.text, p.page)


def _caveat_row(i: int, c: Caveat) -> tuple:
    return (i, c.doc_id, c.start, c.end, c.text, c.kind, c.section, c.page)


def _write_records(
    path: Path,
    documents: Sequence[Document],
    passages: Sequence[Passage],
    caveats: Sequence[Caveat],
) -> None:
    """Write records.sqlite; passage and caveat ids are their row numbers in the .npy files."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(_SCHEMA)
        insert = "INSERT INTO {} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        conn.executemany(
            insert.format("documents"), (_document_row(i, d) for i, d in enumerate(documents))
        )
        conn.executemany(
            insert.format("passages"), (_passage_row(i, p) for i, p in enumerate(passages))
        )
        conn.executemany(
            insert.format("caveats"), (_caveat_row(i, c) for i, c in enumerate(caveats))
        )
        conn.commit()
    finally:
        conn.close()


def _as_matrix(vectors: np.ndarray, rows: int, dimension: int, what: str) -> np.ndarray:
    """`vectors` as a contiguous float32 (rows, dimension) array, or a ValueError saying why."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.size == 0 and rows == 0:
        return matrix.reshape(0, dimension)
    if matrix.shape != (rows, dimension):
        raise ValueError(f"{what}: expected shape ({rows}, {dimension}), got {matrix.shape}")
    return matrix


def faiss_kind_for(count: int) -> str:
    """Which FAISS index a build of `count` passages gets: exact below the threshold."""
    return "hnsw" if count >= HNSW_THRESHOLD else "flat"


def _build_faiss(vectors: np.ndarray, kind: str) -> Any:
    import faiss

    dimension = vectors.shape[1]
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dimension)
    index.add(vectors)
    return index


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its section title, then its text."""
    return f"{passage.section}\n{passage.text}" if passage.section else passage.text


def _write_data(
    tmp: Path,
    documents: Sequence[Document],
    passages: Sequence[Passage],
    caveats: Sequence[Caveat],
    passage_vectors: np.ndarray,
    caveat_vectors: np.ndarray,
    faiss_kind: str,
) -> None:
    """Write every data file of a version into `tmp` (the manifest comes after)."""
    import faiss

    _write_records(tmp / RECORDS_NAME, documents, passages, caveats)
    np.save(tmp / PASSAGES_NAME, passage_vectors, allow_pickle=False)
    np.save(tmp / CAVEATS_NAME, caveat_vectors, allow_pickle=False)
    faiss.write_index(_build_faiss(passage_vectors, faiss_kind), str(tmp / FAISS_NAME))
    LexicalIndex.build([lexical_text(p) for p in passages]).save(tmp / BM25_DIR)


def _checked_sentences(
    sentences: SentenceVectors, passage_count: int, dimension: int
) -> SentenceVectors:
    """`sentences` as contiguous arrays, or a ValueError saying what does not fit."""
    spans = np.ascontiguousarray(sentences.spans, dtype=np.int64).reshape(-1, 3)
    vectors = _as_matrix(sentences.vectors, spans.shape[0], dimension, "sentence vectors")
    owners = spans[:, 0]
    if owners.size and (owners.min() < 0 or owners.max() >= passage_count):
        raise ValueError(f"sentence spans name passages outside 0..{passage_count - 1}")
    if np.any(np.diff(owners) < 0):
        raise ValueError("sentence spans must be sorted by passage id")
    return SentenceVectors(spans, vectors)


def _write_sentences(tmp: Path, sentences: SentenceVectors) -> None:
    np.save(tmp / SENTENCES_NAME, sentences.vectors, allow_pickle=False)
    np.save(tmp / SENTENCE_SPANS_NAME, sentences.spans, allow_pickle=False)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())


def _point_current(index_dir: Path, version: str) -> None:
    """Replace CURRENT with `version`, atomically and durably."""
    tmp = index_dir / f"{CURRENT_NAME}{TMP_SUFFIX}"
    with tmp.open("w", encoding="utf-8") as f:
        f.write(version + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT_NAME)
    _fsync(index_dir)


def publish(
    index_dir: Path,
    documents: Sequence[Document],
    passages: Sequence[Passage],
    caveats: Sequence[Caveat],
    passage_vectors: np.ndarray,
    caveat_vectors: np.ndarray,
    model_name: str,
    dimension: int,
    chunk_settings: dict[str, Any],
    build_seconds: float,
    source_files: dict[str, str],
    changes: dict[str, Sequence[str]] | None = None,
    sentences: SentenceVectors | None = None,
) -> Path:
    """Write a complete new version, make CURRENT name it, prune old ones; returns its folder.

    `changes` ({"added", "changed", "removed"}: file lists) is recorded in the manifest so
    the UI can say what the last rebuild did; `sentences`, when given, are the passages'
    sentence units and their vectors.
    """
    if not passages:
        raise CorpusError(
            f"nothing to index for {index_dir}: the corpus gave no passages; "
            "add readable .txt, .md, .html or .pdf articles to the corpus folder"
        )
    index_dir = Path(index_dir)
    passage_vectors = _as_matrix(passage_vectors, len(passages), dimension, "passage_vectors")
    caveat_vectors = _as_matrix(caveat_vectors, len(caveats), dimension, "caveat_vectors")
    if sentences is not None:
        sentences = _checked_sentences(sentences, len(passages), dimension)
    version = _new_version_name(after=current_version(index_dir))
    root = _versions_dir(index_dir)
    tmp = root / f"{version}{TMP_SUFFIX}"
    tmp.mkdir(parents=True)
    try:
        kind = faiss_kind_for(len(passages))
        _write_data(tmp, documents, passages, caveats, passage_vectors, caveat_vectors, kind)
        if sentences is not None:
            _write_sentences(tmp, sentences)
        pause_point("written")
        checksums = _sync_and_hash(tmp)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            package_version=_package_version(),
            model_name=model_name,
            dimension=int(dimension),
            chunk_settings=dict(chunk_settings),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(float(build_seconds), 3),
            counts={"documents": len(documents), "passages": len(passages)}
            | {"caveats": len(caveats)}
            | ({"sentences": int(sentences.spans.shape[0])} if sentences is not None else {}),
            files=checksums,
            faiss_kind=kind,
            source_files=dict(source_files),
            changes={k: list((changes or {}).get(k, ())) for k in ("added", "changed", "removed")},
        )
        _write_json(tmp / MANIFEST_NAME, manifest.to_dict())
        _fsync(tmp)
        final = root / version
        os.rename(tmp, final)
        _fsync(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pause_point("renamed")
    _point_current(index_dir, version)
    log.info("published index version %s (%d passages, %s)", version, len(passages), kind)
    pause_point("published")
    cleanup_leftovers(index_dir)
    return final


def _sync_and_hash(version_dir: Path) -> dict[str, str]:
    """fsync every data file and folder under `version_dir`; returns name -> sha256."""
    checksums = {}
    for path in _data_files(version_dir):
        _fsync(path)
        checksums[path.relative_to(version_dir).as_posix()] = _sha256(path)
    for folder in sorted(p for p in version_dir.rglob("*") if p.is_dir()):
        _fsync(folder)
    return checksums


# --- reading -----------------------------------------------------------------------------


def _read_manifest(version_dir: Path) -> Manifest:
    path = version_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IndexCorruptError(f"cannot read {path} ({e}); {_FULL_REBUILD}") from e
    found = data.get("format_version") if isinstance(data, dict) else None
    if found != FORMAT_VERSION:
        raise IndexCorruptError(
            f"{path} has index format {found!r} but this cited reads format {FORMAT_VERSION}; "
            f"{_FULL_REBUILD}"
        )
    try:
        manifest = Manifest.from_dict(data)
    except TypeError as e:
        raise IndexCorruptError(f"{path} is incomplete ({e}); {_FULL_REBUILD}") from e
    shapes = ((manifest.files, dict), (manifest.model_name, str), (manifest.dimension, int))
    if not all(isinstance(value, kind) for value, kind in shapes):
        raise IndexCorruptError(f"{path} is damaged (a field has the wrong type); {_FULL_REBUILD}")
    return manifest


def _check_model(
    manifest: Manifest, index_dir: Path, expected_model: str | None, expected_dim: int | None
) -> None:
    model_ok = expected_model is None or expected_model == manifest.model_name
    dim_ok = expected_dim is None or int(expected_dim) == manifest.dimension
    if model_ok and dim_ok:
        return
    loaded_model = expected_model or manifest.model_name
    loaded_dim = expected_dim or manifest.dimension
    raise ModelMismatchError(
        f"the index in {index_dir} was built with model {manifest.model_name!r} "
        f"(dimension {manifest.dimension}) but the loaded model is {loaded_model!r} "
        f"(dimension {loaded_dim}); "
        f"rebuild with `cited ingest --full` or pass --model a folder holding "
        f"{manifest.model_name!r}"
    )


def _verify_files(version_dir: Path, manifest: Manifest) -> None:
    """Raise IndexCorruptError naming the first file that is missing, unlisted or fails its
    checksum: every file of the version must be covered by the manifest."""
    listed = set(manifest.files)
    on_disk = {p.relative_to(version_dir).as_posix() for p in _data_files(version_dir)}
    required = {RECORDS_NAME, PASSAGES_NAME, CAVEATS_NAME, FAISS_NAME}
    unchecked = sorted((on_disk | required) - listed)
    if unchecked:
        raise IndexCorruptError(
            f"{version_dir / MANIFEST_NAME} lists no checksum for {unchecked[0]} "
            f"(damaged?); {_FULL_REBUILD}"
        )
    for name, expected in sorted(manifest.files.items()):
        path = version_dir / name
        if not path.is_file():
            raise IndexCorruptError(f"{name} is missing from {version_dir}; {_FULL_REBUILD}")
        if _sha256(path) != expected:
            raise IndexCorruptError(
                f"{name} in {version_dir} does not match its checksum (damaged?); {_FULL_REBUILD}"
            )


def _read_faiss(path: Path) -> Any:
    """Read a FAISS index, memory-mapped when this faiss build can."""
    import faiss

    flag = getattr(faiss, "IO_FLAG_MMAP_IFC", None) or getattr(faiss, "IO_FLAG_MMAP", 0)
    try:
        index = faiss.read_index(str(path), flag | getattr(faiss, "IO_FLAG_READ_ONLY", 0))
    except RuntimeError:
        index = faiss.read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def _resolve_version(index_dir: Path) -> tuple[str, Path]:
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}; run `cited ingest`")
    version_dir = _versions_dir(index_dir) / version
    if not version_dir.is_dir():
        raise IndexCorruptError(
            f"{index_dir / CURRENT_NAME} names version {version} but {version_dir} "
            f"is missing; {_FULL_REBUILD}"
        )
    return version, version_dir


_PASSAGE_COLS = 'id, doc_id, ordinal, section, "start", "end", text, page'
_CAVEAT_COLS = 'id, doc_id, "start", "end", text, kind, section, page'
_DOCUMENT_COLS = "doc_id, file, title, text, sha256, page_starts, boilerplate"


def _passage(row: tuple) -> Passage:
    return Passage(*row[1:])


def _caveat(row: tuple) -> tuple[int, Caveat]:
    _id, doc_id, start, end, text, kind, section, page = row
    return int(_id), Caveat(doc_id, start, end, text, kind, section, page)


def _document(row: tuple) -> Document:
    doc_id, file, title, text, sha256, page_starts, boilerplate = row
    spans = tuple(tuple(s) for s in json.loads(boilerplate))
    return Document(doc_id, file, title, text, sha256, tuple(json.loads(page_starts)), spans)


@dataclass(frozen=True)
class _LoadedSentences:
    """Sentence arrays of a version; rows first[p]:first[p + 1] belong to passage p."""

    spans: np.ndarray
    vectors: np.ndarray
    first: np.ndarray


def _read_sentences(path: Path, passage_count: int) -> _LoadedSentences | None:
    """The sentence arrays of a version, or None for a version built without them."""
    if not (path / SENTENCES_NAME).is_file():
        return None
    vectors = np.load(path / SENTENCES_NAME, mmap_mode="r")
    spans = np.load(path / SENTENCE_SPANS_NAME, allow_pickle=False)
    first = np.searchsorted(spans[:, 0], np.arange(passage_count + 1), side="left")
    return _LoadedSentences(spans, vectors, first.astype(np.int64))


class LoadedIndex:
    """One published version, opened for reading: records, vectors, FAISS and BM25.

    Reads are thread-safe: SQLite access goes through one lock, arrays are read-only.
    """

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.version = path.name
        self.manifest = manifest
        self._lock = threading.Lock()
        self.vectors: np.ndarray = np.load(path / PASSAGES_NAME, mmap_mode="r")
        self._caveat_vectors: np.ndarray = np.load(path / CAVEATS_NAME, allow_pickle=False)
        self.faiss_index = _read_faiss(path / FAISS_NAME)
        self.lexical = LexicalIndex.load(path / BM25_DIR)
        self._sentences = _read_sentences(path, self.passage_count)
        uri = f"{(path / RECORDS_NAME).resolve().as_uri()}?mode=ro&immutable=1"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)

    @classmethod
    def load(
        cls,
        index_dir: Path,
        expected_model: str | None = None,
        expected_dimension: int | None = None,
        verify: bool = True,
    ) -> Self:
        """Open the version CURRENT names, checking format, model and (with verify) checksums."""
        index_dir = Path(index_dir)
        version, version_dir = _resolve_version(index_dir)
        manifest = _read_manifest(version_dir)
        _check_model(manifest, index_dir, expected_model, expected_dimension)
        if verify:
            _verify_files(version_dir, manifest)
        try:
            loaded = cls(version_dir, manifest)
        except (OSError, ValueError, RuntimeError, sqlite3.Error) as e:
            raise IndexCorruptError(f"cannot open {version_dir} ({e}); {_FULL_REBUILD}") from e
        log.info("loaded index version %s from %s", version, index_dir)
        return loaded

    @property
    def passage_count(self) -> int:
        """Number of passages (rows of passages.npy)."""
        return int(self.vectors.shape[0])

    @property
    def dimension(self) -> int:
        return self.manifest.dimension

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, list(params)).fetchall()
            except sqlite3.DatabaseError as e:  # damaged on disk after it was verified
                raise IndexCorruptError(
                    f"cannot read {self.path / RECORDS_NAME} ({e}); {_FULL_REBUILD}"
                ) from e

    def _by_ids(self, table: str, cols: str, ids: Sequence[int]) -> dict[int, tuple]:
        wanted = sorted({int(i) for i in ids})
        rows: dict[int, tuple] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT {cols} FROM {table} WHERE id IN ({marks})"
            rows.update((row[0], row) for row in self._query(sql, part))
        return rows

    def passages(self, ids: Sequence[int]) -> list[Passage]:
        """The passages with these ids (rows of passages.npy), in the order given."""
        rows = self._by_ids("passages", _PASSAGE_COLS, ids)
        missing = [int(i) for i in ids if int(i) not in rows]
        if missing:
            raise KeyError(f"no passage with id {missing[0]} in index version {self.version}")
        return [_passage(rows[int(i)]) for i in ids]

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored unit vectors of these passages, (len(ids), dimension) float32."""
        return np.asarray(self.vectors[np.asarray(ids, dtype=np.int64)], dtype=np.float32)

    def passages_of(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in reading order."""
        sql = f"SELECT {_PASSAGE_COLS} FROM passages WHERE doc_id = ? ORDER BY ordinal"
        return [_passage(row) for row in self._query(sql, [doc_id])]

    def passage_ids_for_docs(self, doc_ids: Sequence[str]) -> np.ndarray:
        """Sorted passage ids belonging to any of `doc_ids`."""
        doc_ids = list(dict.fromkeys(doc_ids))
        if not doc_ids:
            return np.zeros(0, dtype=np.int64)
        marks = ",".join("?" * len(doc_ids))
        rows = self._query(
            f"SELECT id FROM passages WHERE doc_id IN ({marks}) ORDER BY id", doc_ids
        )
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def documents(self) -> list[Document]:
        """Every indexed document, ordered by file."""
        sql = f"SELECT {_DOCUMENT_COLS} FROM documents ORDER BY file, doc_id"
        return [_document(row) for row in self._query(sql)]

    def document(self, doc_id: str) -> Document | None:
        """One document by id, or None when it is not in this index."""
        rows = self._query(f"SELECT {_DOCUMENT_COLS} FROM documents WHERE doc_id = ?", [doc_id])
        return _document(rows[0]) if rows else None

    def caveats(self, doc_ids: Sequence[str] | None = None) -> list[tuple[int, Caveat]]:
        """(caveat id, caveat) pairs, of all documents or only of `doc_ids`, by id."""
        if doc_ids is None:
            rows = self._query(f"SELECT {_CAVEAT_COLS} FROM caveats ORDER BY id")
        else:
            doc_ids = list(dict.fromkeys(doc_ids))
            marks = ",".join("?" * len(doc_ids))
            sql = f"SELECT {_CAVEAT_COLS} FROM caveats WHERE doc_id IN ({marks}) ORDER BY id"
            rows = self._query(sql, doc_ids) if doc_ids else []
        return [_caveat(row) for row in rows]

    def caveat_vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these caveats, (len(ids), dimension) float32."""
        return self._caveat_vectors[np.asarray(ids, dtype=np.int64)]

    @property
    def has_sentences(self) -> bool:
        """Whether this version stores sentence units (indexes built before them do not)."""
        return self._sentences is not None

    def sentence_rows(self, passage_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The sentence rows of these passages, and for each row the position in
        `passage_ids` of its passage; empty arrays when the version has no sentences."""
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        if self._sentences is None or ids.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        first = self._sentences.first
        counts = first[ids + 1] - first[ids]
        owners = np.repeat(np.arange(ids.size, dtype=np.int64), counts)
        starts = np.repeat(first[ids] - np.cumsum(counts) + counts, counts)
        rows = starts + np.arange(owners.size, dtype=np.int64)
        return rows, owners

    def sentence_vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored unit vectors of these sentence rows, (len(rows), dimension) float32."""
        if self._sentences is None:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = np.asarray(rows, dtype=np.int64)
        return np.asarray(self._sentences.vectors[rows], dtype=np.float32)

    def sentence_span(self, row: int) -> tuple[int, int]:
        """The (start, end) of one sentence row, relative to its passage's text."""
        if self._sentences is None:
            raise KeyError(f"index version {self.version} stores no sentences")
        _, start, end = self._sentences.spans[int(row)]
        return int(start), int(end)

    def close(self) -> None:
        """Close the records database; arrays are released when the object is dropped."""
        with self._lock:
            self._conn.close()

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
        if version in (None, self._loaded.version, self._failed_version):
            return None
        return version
