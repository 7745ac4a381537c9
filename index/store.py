"""The index folder: versioned, checksummed builds published with one atomic rename.

Layout (see docs/architecture.md, "The index folder"):

    <index>/CURRENT                  name of the published version
    <index>/versions/<version>/      manifest.json and segments/<segment>/ (index/segment.py:
                                     records.sqlite, passages.npy, caveats.npy, faiss.index,
                                     bm25/, and optionally sentences.npy + sentence_spans.npy)
    <index>/cache/embeddings.sqlite  see index/cache.py
    <index>/build.lock               see index/lock.py

A build writes `versions/<version>.tmp/`, fsyncs it, renames it into place and then
replaces CURRENT, so readers only ever see complete versions. A version is split into
segments of about SEGMENT_PASSAGES passages, each a run of whole documents in file order;
a rebuild writes only the segments whose documents changed and hard-links the others from
the version before, so its cost follows the change, not the corpus.

Test hook: with the environment variable CITED_TEST_PAUSE_AT set to a stage name
("embedded", "written", "renamed", "published"), a build stops itself (SIGSTOP) at that
point after printing `cited: test pause at STAGE` to stderr, so a test can kill it there
with SIGKILL, or resume it with SIGCONT. Unset, it costs one dictionary lookup.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
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
from index.records import Caveat, Document, Passage
from index.segment import (
    REQUIRED_FILES,
    SegmentInfo,
    StoredDocument,
    known_fields,
    write_segment,
)

log = logging.getLogger(__name__)

# 4: the manifest carries the sha256 of its own bytes (MANIFEST_CHECKSUM_KEY)
FORMAT_VERSION = 4
# Passages in the whole index from which new segments get an HNSW index instead of an exact
# (flat) one. Segments are built separately, so a graph costs about a second per segment
# when it is written; exact search reads every vector, which stays a few milliseconds a
# query only up to ~100,000 passages (docs/benchmarks.md, "Scale").
HNSW_THRESHOLD = 100_000
# Passages per segment a build aims for: small enough that rewriting one after an edit is
# quick (its HNSW graph and BM25), large enough that a query visits few of them; 2,048
# rewrites in about 1 s and searches in about 0.2 ms (docs/benchmarks.md, "Rebuild").
SEGMENT_PASSAGES = 2_048
KEEP_VERSIONS = 2  # the new version and the one it replaced

CURRENT_NAME = "CURRENT"
VERSIONS_DIR = "versions"
SEGMENTS_DIR = "segments"
TMP_SUFFIX = ".tmp"
MANIFEST_NAME = "manifest.json"
#: the manifest's last key: the sha256 of the file's bytes with this key left out
MANIFEST_CHECKSUM_KEY = "manifest_sha256"
_MANIFEST_CHECKSUM = re.compile(rb',"manifest_sha256":"([0-9a-f]{64})"\}\Z')

FULL_REBUILD = "run `cited ingest --full`"


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
    #: {"taken_ns": when, "files": {file: [size, mtime_ns]}}: a file with the same stats is
    #: not hashed again by the next build
    source_stats: dict[str, Any] = field(default_factory=dict)
    #: the segments, in file order (SegmentInfo.to_dict)
    segments: list[dict[str, Any]] = field(default_factory=list)
    #: [size, mtime_ns] of every file when it was written: a rebuild checks these instead of
    #: re-hashing segments it reuses; loading checks the sha256 in `files`
    stats: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # shallow: the fields are already JSON types, and asdict's deep copy of a
        # 10,000-file manifest took longer than writing it
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**known_fields(cls, data))

    def segment_infos(self) -> list[SegmentInfo]:
        return [SegmentInfo.from_dict(s) for s in self.segments]


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
    for name in sorted(_relative_files(version_dir)):
        if name != MANIFEST_NAME:
            yield version_dir / name


def _relative_files(folder: Path) -> Iterator[str]:
    """Posix paths, relative to `folder`, of the files below it (os.walk: a version
    holds ~1,000 files at 10,000 articles and pathlib's rglob is several times slower)."""
    for root, _, names in os.walk(folder):
        prefix = Path(root).relative_to(folder).as_posix()
        for name in names:
            yield name if prefix == "." else f"{prefix}/{name}"


def _folders(folder: Path) -> Iterator[Path]:
    for root, _, _ in os.walk(folder):
        yield Path(root)


PAUSE_ENV = "CITED_TEST_PAUSE_AT"


def pause_point(stage: str) -> None:
    """Test hook: stop this process at `stage` when CITED_TEST_PAUSE_AT names it."""
    if os.environ.get(PAUSE_ENV) == stage:
        print(f"cited: test pause at {stage}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)


def segment_dirs(version_dir: Path) -> list[Path]:
    """The segment folders of a version, in order (for tools and tests)."""
    manifest = read_manifest(Path(version_dir))
    return [Path(version_dir) / SEGMENTS_DIR / s.name for s in manifest.segment_infos()]


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
        return read_manifest(_versions_dir(index_dir) / version)
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


# --- planning segments -------------------------------------------------------------------


def split_segments(
    docs: Sequence[StoredDocument], target: int | None = None
) -> list[list[StoredDocument]]:
    """`docs` (in file order) cut into runs of about `target` (SEGMENT_PASSAGES) passages,
    whole documents."""
    target = target or SEGMENT_PASSAGES
    runs: list[list[StoredDocument]] = [[]]
    size = 0
    for d in docs:
        if runs[-1] and size + len(d.passages) > target:
            runs.append([])
            size = 0
        runs[-1].append(d)
        size += len(d.passages)
    return [run for run in runs if run]


def in_file_order(segments: Sequence[SegmentInfo]) -> bool:
    """Whether each segment's files all sort before the next segment's (as builds write
    them), which `plan_segments` needs."""
    bounds = [(s.first_file, s.last_file) for s in segments]
    return all(a <= b for a, b in bounds) and all(
        bounds[i][1] < bounds[i + 1][0] for i in range(len(bounds) - 1)
    )


def segment_of(firsts: Sequence[str], file: str) -> int:
    """Which of the segments starting at `firsts` (sorted) covers `file`."""
    return max(0, bisect.bisect_right(list(firsts), file) - 1)


def plan_segments(
    previous: Sequence[SegmentInfo], files: Sequence[str], touched: set[str]
) -> list[SegmentInfo | list[str]]:
    """The segments of the next version, in file order.

    `files` are the documents the next version holds; `touched` the files whose records
    change (added, changed, removed, renamed). Each previous segment is either reused as it
    is (its SegmentInfo) or, when a file it covers is touched, replaced by the list of files
    it now covers, to be written again. A new file joins the segment whose range it falls in.
    """
    if not previous:
        return [sorted(files)] if files else []
    firsts = [s.first_file for s in previous]
    covered: list[list[str]] = [[] for _ in previous]
    for file in sorted(files):
        covered[segment_of(firsts, file)].append(file)
    dirty = {segment_of(firsts, f) for f in touched}
    plan: list[SegmentInfo | list[str]] = []
    for number, info in enumerate(previous):
        if number not in dirty:
            plan.append(info)
        elif covered[number]:
            plan.append(covered[number])
    return plan


# --- writing -----------------------------------------------------------------------------


def stored_documents(
    documents: Sequence[Document],
    passages: Sequence[Passage],
    caveats: Sequence[Caveat],
    passage_vectors: np.ndarray,
    caveat_vectors: np.ndarray,
    sentences: SentenceVectors | None,
) -> list[StoredDocument]:
    """Flat records and arrays (ids = positions) grouped into StoredDocuments."""
    passage_rows = _rows_by_doc([p.doc_id for p in passages])
    caveat_rows = _rows_by_doc([c.doc_id for c in caveats])
    spans = None if sentences is None else np.asarray(sentences.spans, dtype=np.int64)
    result = []
    for d in documents:
        rows = passage_rows.get(d.doc_id, [])
        kept = caveat_rows.get(d.doc_id, [])
        doc_spans = doc_vectors = None
        if spans is not None and sentences is not None:
            mine = np.isin(spans[:, 0], rows)
            doc_spans = spans[mine].copy()
            doc_spans[:, 0] = np.searchsorted(np.asarray(rows), doc_spans[:, 0])
            doc_vectors = np.asarray(sentences.vectors)[mine]
        result.append(
            StoredDocument(
                document=d,
                passages=tuple(passages[i] for i in rows),
                caveats=tuple(caveats[i] for i in kept),
                passage_vectors=np.asarray(passage_vectors)[rows],
                caveat_vectors=np.asarray(caveat_vectors)[kept],
                sentence_spans=doc_spans,
                sentence_vectors=doc_vectors,
            )
        )
    return result


def _rows_by_doc(doc_ids: Sequence[str]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for i, doc_id in enumerate(doc_ids):
        rows.setdefault(doc_id, []).append(i)
    return rows


def _check_flat(
    documents: Sequence[Document],
    passages: Sequence[Passage],
    caveats: Sequence[Caveat],
    passage_vectors: np.ndarray,
    caveat_vectors: np.ndarray,
    dimension: int,
    sentences: SentenceVectors | None,
) -> None:
    """Raise ValueError when flat arrays do not fit the records they go with."""
    checks = (
        ("passage_vectors", passage_vectors, len(passages)),
        ("caveat_vectors", caveat_vectors, len(caveats)),
    )
    for what, array, rows in checks:
        shape = np.shape(array)
        if not (rows == 0 and np.size(array) == 0) and shape != (rows, dimension):
            raise ValueError(f"{what}: expected shape ({rows}, {dimension}), got {shape}")
    known = {d.doc_id for d in documents}
    strays = sorted({p.doc_id for p in passages} - known)
    if strays:
        raise ValueError(f"passages of unknown document {strays[0]!r}")
    order = {d.doc_id: i for i, d in enumerate(documents)}
    if any(order[a.doc_id] > order[b.doc_id] for a, b in itertools.pairwise(passages)):
        raise ValueError("passages must come grouped by document, in the documents' order")
    if sentences is None:
        return
    spans = np.asarray(sentences.spans).reshape(-1, 3)
    if np.shape(sentences.vectors) != (spans.shape[0], dimension):
        raise ValueError("sentence vectors: one row per span expected")
    owners = spans[:, 0]
    if owners.size and (owners.min() < 0 or owners.max() >= len(passages)):
        raise ValueError(f"sentence spans name passages outside 0..{len(passages) - 1}")
    if np.any(np.diff(owners) < 0):
        raise ValueError("sentence spans must be sorted by passage id")


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
    """Publish a complete new version of these records (every segment written afresh).

    Ids are positions: passage i has row i of `passage_vectors`, and the documents keep the
    order given (a build gives them in file order, which later rebuilds rely on to reuse
    segments, see `in_file_order`). See `publish_segments`."""
    if not passages:
        _nothing_to_index(index_dir)
    _check_flat(documents, passages, caveats, passage_vectors, caveat_vectors, dimension, sentences)
    docs = stored_documents(
        documents, passages, caveats, passage_vectors, caveat_vectors, sentences
    )
    return publish_segments(
        index_dir,
        split_segments(docs),
        model_name=model_name,
        dimension=dimension,
        chunk_settings=chunk_settings,
        build_seconds=build_seconds,
        source_files=source_files,
        changes=changes,
    )


def _nothing_to_index(index_dir: Path) -> None:
    raise CorpusError(
        f"nothing to index for {index_dir}: the corpus gave no passages; "
        "add readable articles to the corpus folder"
    )


def publish_segments(
    index_dir: Path,
    parts: Sequence[SegmentInfo | Sequence[StoredDocument]],
    *,
    model_name: str,
    dimension: int,
    chunk_settings: dict[str, Any],
    build_seconds: float,
    source_files: dict[str, str],
    changes: dict[str, Sequence[str]] | None = None,
    source_stats: dict[str, Any] | None = None,
) -> Path:
    """Write a new version from `parts` in file order, make CURRENT name it, prune old ones;
    returns its folder.

    A SegmentInfo is a segment of the published version, hard-linked as it is; a list of
    StoredDocuments is written as a new segment. `changes` ({"added", "changed",
    "removed"}: file lists) is recorded so the UI can say what the rebuild did.
    """
    index_dir = Path(index_dir)
    parts = [p for p in parts if isinstance(p, SegmentInfo) or len(p)]
    total = sum(p.passages if isinstance(p, SegmentInfo) else _passages(p) for p in parts)
    if total == 0:
        _nothing_to_index(index_dir)
    previous = _published_for_reuse(index_dir, parts)
    version = _new_version_name(after=current_version(index_dir))
    root = _versions_dir(index_dir)
    tmp = root / f"{version}{TMP_SUFFIX}"
    (tmp / SEGMENTS_DIR).mkdir(parents=True)
    try:
        kind = faiss_kind_for(total)
        infos, files, stats = _write_parts(tmp, parts, previous, dimension, kind)
        pause_point("written")
        new_files, new_stats = _sync_and_hash(tmp, skip=set(files))
        files.update(new_files)
        stats.update(new_stats)
        kinds = sorted({i.faiss_kind for i in infos})
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            package_version=_package_version(),
            model_name=model_name,
            dimension=int(dimension),
            chunk_settings=dict(chunk_settings),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(float(build_seconds), 3),
            counts=_counts(infos),
            files=files,
            faiss_kind="+".join(kinds),
            source_files=dict(source_files),
            changes={k: list((changes or {}).get(k, ())) for k in ("added", "changed", "removed")},
            source_stats=dict(source_stats or {}),
            segments=[i.to_dict() for i in infos],
            stats=stats,
        )
        _write_bytes(tmp / MANIFEST_NAME, manifest_bytes(manifest.to_dict()))
        _fsync(tmp)
        final = root / version
        os.rename(tmp, final)
        _fsync(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pause_point("renamed")
    _point_current(index_dir, version)
    log.info("published index version %s (%d passages, %s)", version, total, manifest.faiss_kind)
    pause_point("published")
    cleanup_leftovers(index_dir)
    return final


def _passages(docs: Sequence[StoredDocument]) -> int:
    return sum(len(d.passages) for d in docs)


def _counts(infos: Sequence[SegmentInfo]) -> dict[str, int]:
    counts = {
        "documents": sum(i.documents for i in infos),
        "passages": sum(i.passages for i in infos),
        "caveats": sum(i.caveats for i in infos),
    }
    if infos and all(i.sentences is not None for i in infos):
        counts["sentences"] = sum(i.sentences or 0 for i in infos)
    return counts


def _published_for_reuse(
    index_dir: Path, parts: Sequence[SegmentInfo | Sequence[StoredDocument]]
) -> tuple[Path, Manifest] | None:
    """The published version's folder and manifest, when `parts` reuse its segments."""
    if not any(isinstance(p, SegmentInfo) for p in parts):
        return None
    _, version_dir = resolve_version(index_dir)
    return version_dir, read_manifest(version_dir)


def _write_parts(
    tmp: Path,
    parts: Sequence[SegmentInfo | Sequence[StoredDocument]],
    previous: tuple[Path, Manifest] | None,
    dimension: int,
    kind: str,
) -> tuple[list[SegmentInfo], dict[str, str], dict[str, list[int]]]:
    """Link or write each part into `tmp`; returns the segments and the checksums and stats
    carried over from the previous manifest for the linked files."""
    infos: list[SegmentInfo] = []
    files: dict[str, str] = {}
    stats: dict[str, list[int]] = {}
    for part in parts:
        if isinstance(part, SegmentInfo):
            assert previous is not None
            _link_segment(previous[0], tmp, part.name)
            prefix = f"{SEGMENTS_DIR}/{part.name}/"
            for name, digest in previous[1].files.items():
                if name.startswith(prefix):
                    files[name] = digest
                    stats[name] = previous[1].stats[name]
            infos.append(part)
        else:
            name = f"seg-{secrets.token_hex(5)}"
            infos.append(write_segment(tmp / SEGMENTS_DIR, name, part, dimension, kind))
    return infos, files, stats


def _link_segment(source_version: Path, target_version: Path, name: str) -> None:
    """Hard-link segment `name` of one version into another (copies where links fail)."""
    source = source_version / SEGMENTS_DIR / name
    target = target_version / SEGMENTS_DIR / name
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:  # a filesystem without hard links
            shutil.copy2(path, destination)


def faiss_kind_for(count: int) -> str:
    """Which FAISS index new segments get in an index of `count` passages."""
    return "hnsw" if count >= HNSW_THRESHOLD else "flat"


def manifest_bytes(data: dict[str, Any]) -> bytes:
    """The manifest file for `data`: one line of JSON whose last key holds the sha256 of
    the same line without that key, so that any damaged byte is caught on load, including
    one in a field no checksum of a data file covers (a segment's count, a key's name)."""
    # one line: only without indent does json use its C encoder (a 10,000-file manifest
    # took 0.3 s indented); `python -m json.tool` shows it indented
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")
    digest = hashlib.sha256(body).hexdigest()
    return body[:-1] + f',"{MANIFEST_CHECKSUM_KEY}":"{digest}"}}'.encode("ascii")


def _manifest_intact(raw: bytes) -> bool:
    """Whether `raw` ends with the checksum `manifest_bytes` wrote, and matches it."""
    found = _MANIFEST_CHECKSUM.search(raw)
    if found is None:
        return False
    body = raw[: found.start()] + b"}"
    return hashlib.sha256(body).hexdigest() == found[1].decode("ascii")


def _write_bytes(path: Path, data: bytes) -> None:
    with path.open("wb") as f:
        f.write(data)
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


def _file_stat(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def _sync_and_hash(
    version_dir: Path, skip: set[str]
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """fsync every new data file and every folder under `version_dir` (the `skip` files are
    links to files already on disk: only their folders' entries are new); returns the new
    files' sha256 and stats."""
    checksums, stats = {}, {}
    for name in sorted(_relative_files(version_dir)):
        if name in skip or name == MANIFEST_NAME:
            continue
        path = version_dir / name
        _fsync(path)
        checksums[name] = _sha256(path)
        stats[name] = _file_stat(path)
    for folder in _folders(version_dir):
        _fsync(folder)
    return checksums, stats


# --- reading -----------------------------------------------------------------------------


def read_manifest(version_dir: Path) -> Manifest:
    path = version_dir / MANIFEST_NAME
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as e:
        raise IndexCorruptError(f"cannot read {path} ({e}); {FULL_REBUILD}") from e
    found = data.get("format_version") if isinstance(data, dict) else None
    if found != FORMAT_VERSION:
        raise IndexCorruptError(
            f"{path} has index format {found!r} but this cited reads format {FORMAT_VERSION}; "
            f"{FULL_REBUILD}"
        )
    if not _manifest_intact(raw):
        raise IndexCorruptError(
            f"{path} does not match its own checksum (damaged?); {FULL_REBUILD}"
        )
    try:
        manifest = Manifest.from_dict(data)
        manifest.segment_infos()
    except (TypeError, AttributeError) as e:
        raise IndexCorruptError(f"{path} is incomplete ({e}); {FULL_REBUILD}") from e
    shapes = (
        (manifest.files, dict),
        (manifest.stats, dict),
        (manifest.source_stats, dict),
        (manifest.model_name, str),
        (manifest.dimension, int),
    )
    if not all(isinstance(value, kind) for value, kind in shapes):
        raise IndexCorruptError(f"{path} is damaged (a field has the wrong type); {FULL_REBUILD}")
    return manifest


def check_model(
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


#: sha256 already checked in this process, by (device, inode, size, mtime): a version that
#: reuses segments by hard link is verified only for the files it wrote.
_VERIFIED: dict[tuple[int, int, int, int], str] = {}
_VERIFIED_LOCK = threading.Lock()


def matches_checksum(path: Path, expected: str) -> bool:
    info = path.stat()
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    with _VERIFIED_LOCK:
        if _VERIFIED.get(key) == expected:
            return True
    if _sha256(path) != expected:
        return False
    with _VERIFIED_LOCK:
        _VERIFIED[key] = expected
    return True


def _required_files(manifest: Manifest) -> set[str]:
    return {
        f"{SEGMENTS_DIR}/{info.name}/{name}"
        for info in manifest.segment_infos()
        for name in REQUIRED_FILES
    }


def verify_files(version_dir: Path, manifest: Manifest, checksums: bool = True) -> None:
    """Raise IndexCorruptError naming the first file that is missing, unlisted or fails its
    check: every file of the version must be covered by the manifest. With `checksums`
    each file's sha256 is checked; without, only its size and modification time."""
    listed = set(manifest.files)
    on_disk = {p.relative_to(version_dir).as_posix() for p in _data_files(version_dir)}
    unchecked = sorted((on_disk | _required_files(manifest)) - listed)
    if unchecked:
        raise IndexCorruptError(
            f"{version_dir / MANIFEST_NAME} lists no checksum for {unchecked[0]} "
            f"(damaged?); {FULL_REBUILD}"
        )
    for name, expected in sorted(manifest.files.items()):
        path = version_dir / name
        if not path.is_file():
            raise IndexCorruptError(f"{name} is missing from {version_dir}; {FULL_REBUILD}")
        intact = (
            matches_checksum(path, expected)
            if checksums
            else _file_stat(path) == manifest.stats.get(name)
        )
        if not intact:
            what = "its checksum" if checksums else "the size and time it was written with"
            raise IndexCorruptError(
                f"{name} in {version_dir} does not match {what} (damaged?); {FULL_REBUILD}"
            )


def resolve_version(index_dir: Path) -> tuple[str, Path]:
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}; run `cited ingest`")
    version_dir = _versions_dir(index_dir) / version
    if not version_dir.is_dir():
        raise IndexCorruptError(
            f"{index_dir / CURRENT_NAME} names version {version} but {version_dir} "
            f"is missing; {FULL_REBUILD}"
        )
    return version, version_dir
