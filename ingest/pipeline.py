"""Build or update the index from a corpus folder, re-reading only what changed.

Each file's sha256 decides whether it is parsed again. The passages, caveat sentences and
sentence units of new and changed documents go through the embedding cache, keyed by
(model, text), so only text never seen before costs model time: an edited paragraph costs
the passage(s) that contain it. Unchanged documents are not read at all: the segments that
hold only unchanged documents are reused as they are, and a segment with a changed
document is written again from its stored records and vectors plus the new reading
(`index.store.plan_segments`). When nothing changed nothing is published. `full=True`
re-reads every file and re-embeds every text without consulting the cache. The new version
is published atomically by `index.store.publish_segments`; a bad file is reported and
skipped.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.cache import EmbeddingCache, cache_path, embed_with_cache
from index.errors import CitedError, CorpusError, IndexWriteError, UnreadableFileError
from index.loaded import LoadedIndex
from index.lock import build_lock
from index.records import Block, Caveat, ChunkSettings, Document, Passage
from index.segment import SegmentInfo, StoredDocument
from index.store import (
    SEGMENT_PASSAGES,
    Manifest,
    cleanup_leftovers,
    current_version,
    in_file_order,
    pause_point,
    plan_segments,
    publish_segments,
    published_manifest,
    split_segments,
)
from ingest.analyze import analyze, read_file
from ingest.caveats import RuledSentences, apply_rules, find_caveats, texts_to_embed
from ingest.changes import corpus_files, file_sha256, walk
from ingest.chunk import CountSpan
from ingest.formats import kinds_phrase
from ingest.formats.pdf import limits_from_env
from ingest.load import LoadedFile, doc_id_for
from ingest.sentences import embed_sentences

log = logging.getLogger(__name__)

#: progress(stage, done, total): "read" and "caveats" count files; "embed" and
#: "embed sentences" count texts.
Progress = Callable[[str, int, int], None]


class EmbedderLike(Protocol):
    model_name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def span_counters(self, texts: Sequence[str]) -> list[CountSpan]: ...


@dataclass(frozen=True)
class FileError:
    """A corpus file that was skipped, and why."""

    file: str
    error: str


@dataclass(frozen=True)
class BuildSummary:
    """What a build did; `to_dict` is the `cited ingest --json` object."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    embedded: int = 0
    reused: int = 0
    total: int = 0
    errors: tuple[FileError, ...] = ()
    seconds: float = 0.0
    version: str | None = None
    published: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": {
                "added": len(self.added),
                "changed": len(self.changed),
                "removed": len(self.removed),
                "unchanged": len(self.unchanged),
            },
            "passages": {"embedded": self.embedded, "reused": self.reused, "total": self.total},
            "errors": [{"file": e.file, "error": e.error} for e in self.errors],
            "seconds": round(self.seconds, 3),
            "version": self.version,
        }


@dataclass(frozen=True)
class _Parsed:
    """One document read in this build; the embedding stages fill in the rest."""

    document: Document
    passages: tuple[Passage, ...]
    caveats: tuple[Caveat, ...] = ()
    blocks: tuple[Block, ...] = ()
    passage_vectors: np.ndarray | None = None
    caveat_vectors: np.ndarray | None = None
    sentence_spans: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None

    def stored(self) -> StoredDocument:
        assert self.passage_vectors is not None and self.caveat_vectors is not None
        return StoredDocument(
            self.document,
            self.passages,
            self.caveats,
            self.passage_vectors,
            self.caveat_vectors,
            self.sentence_spans,
            self.sentence_vectors,
        )


@dataclass(frozen=True)
class SourceStats:
    """[size, mtime_ns] of each corpus file, and when they were taken."""

    taken_ns: int
    files: dict[str, list[int]]


#: A file modified this close (ns) before its stats were taken is hashed again next time:
#: a second write in the same clock tick would not change its modification time.
RACY_NS = 1_000_000_000


@dataclass
class _Plan:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def scan_corpus(corpus_dir: Path) -> list[Path]:
    """Every visible regular file below `corpus_dir`, sorted by relative path; unsupported
    ones included so that they are reported rather than silently ignored."""
    return [path for _, path in _scan(corpus_dir)]


def _scan(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(relative posix path, path) of every file `scan_corpus` lists, in its order."""
    _check_corpus_dir(corpus_dir)
    return corpus_files(corpus_dir)


def _check_corpus_dir(corpus_dir: Path) -> None:
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus folder {corpus_dir} does not exist; create it and add articles, "
            "or pass --corpus DIR"
        )


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: EmbedderLike,
    *,
    full: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
    settings: ChunkSettings | None = None,
) -> BuildSummary:
    """Build or update the index in `index_dir` from the files in `corpus_dir`.

    Raises BuildLockedError when another build holds the index, unless `wait`. The
    summary's `seconds` count the build itself: not loading the model, not waiting.
    """
    index_dir = Path(index_dir)
    _check_corpus_dir(corpus_dir)
    if not walk(corpus_dir):  # an empty folder fails before the model loads
        raise CorpusError(_nothing_to_index_message(corpus_dir, []))
    index_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(index_dir, wait=wait):  # before loading the model: a refusal is quick
        settings = settings or ChunkSettings(max_tokens=_model_window(embedder))
        started = time.perf_counter()
        cleanup_leftovers(index_dir)
        summary = _build_locked(Path(corpus_dir), index_dir, embedder, full, progress, settings)
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


def _build_locked(
    corpus_dir: Path,
    index_dir: Path,
    embedder: EmbedderLike,
    full: bool,
    progress: Progress | None,
    settings: ChunkSettings,
) -> BuildSummary:
    started = time.perf_counter()
    files = _scan(corpus_dir)
    last = published_manifest(index_dir)
    previous = None if full else _reusable_previous(index_dir, embedder, settings)
    hashes, stats, errors = _hash_files(files, None if full else last)
    errors += [FileError(f.name, f.skipped) for f in walk(corpus_dir) if f.skipped]
    plan = _plan(hashes, last.source_files if last else {})
    previous = _checked(previous, plan.added + plan.changed + plan.removed)
    to_read = plan.added + plan.changed + ([] if previous else plan.unchanged)
    read, read_errors = _read_files(corpus_dir, to_read, embedder, settings, progress)
    errors += read_errors
    if previous is not None and not any(_changes(plan, errors).values()):
        return _unchanged_summary(previous, plan, errors)
    with _write_errors_explained(index_dir), _open_cache(index_dir, embedder, fresh=full) as cache:
        read, new_texts = _embed_passages(read, embedder, cache, progress)
        read, caveat_errors = _find_caveats(read, embedder, cache, progress)
        errors += caveat_errors
        read = _embed_sentence_units(read, embedder, cache, progress)
        changes = _changes(plan, errors)
        kept = [f for f in plan.unchanged if f not in changes["removed"]] if previous else []
        parts = _segments(previous, read, kept, changes, embedder.dimension)
        if not parts:
            raise CorpusError(_nothing_to_index_message(corpus_dir, errors))
        version, total = _publish(
            index_dir, parts, embedder, settings, changes, last, stats, started
        )
        if full:
            cache.retain_touched()
    embedded = len({p.text for item in read for p in item.passages} & new_texts)
    return BuildSummary(
        added=tuple(changes["added"]),
        changed=tuple(changes["changed"]),
        removed=tuple(changes["removed"]),
        unchanged=tuple(f for f in plan.unchanged if f not in changes["removed"]),
        embedded=embedded,
        reused=total - embedded,
        total=total,
        errors=tuple(errors),
        version=version,
    )


def _model_window(embedder: EmbedderLike) -> int:
    return int(getattr(embedder, "max_tokens", ChunkSettings().max_tokens))


def _reusable_previous(
    index_dir: Path, embedder: EmbedderLike, settings: ChunkSettings
) -> LoadedIndex | None:
    """The published index, if it was built the same way and its files are as they were
    written (sizes and times; a segment that is copied from is checked in full, see
    `_stored_from`); otherwise start afresh."""
    if current_version(index_dir) is None:
        return None
    try:
        previous = LoadedIndex.load(index_dir, verify="stats", lazy=True)
    except CitedError as error:
        log.warning("rebuilding from nothing: the previous index cannot be reused (%s)", error)
        return None
    manifest = previous.manifest
    same_model = manifest.model_name == embedder.model_name
    same_chunks = manifest.chunk_settings == settings.to_dict()
    if same_model and same_chunks and in_file_order(manifest.segment_infos()):
        return previous
    log.info("rebuilding from nothing: model or chunk settings changed since the last build")
    return None


def _checked(previous: LoadedIndex | None, touched: Sequence[str]) -> LoadedIndex | None:
    """`previous`, once the segments this build will copy documents from pass their
    checksums; None (start afresh) when one does not."""
    if previous is None:
        return None
    try:
        for number in previous.segments_of(touched):
            previous.verify_segment(number)
    except CitedError as error:
        log.warning("rebuilding from nothing: the previous index cannot be reused (%s)", error)
        return None
    return previous


def _open_cache(index_dir: Path, embedder: EmbedderLike, fresh: bool) -> EmbeddingCache:
    return EmbeddingCache(cache_path(index_dir), embedder.model_name, embedder.dimension, fresh)


def _hash_files(
    files: Sequence[tuple[str, Path]], last: Manifest | None
) -> tuple[dict[str, str], SourceStats, list[FileError]]:
    """Each file's sha256, its stats, and the files that could not be read. A file whose
    size and modification time are those the last build recorded (and that was not touched
    in the second before that build looked) keeps its recorded sha256 unread, as git does."""
    hashes: dict[str, str] = {}
    stats = SourceStats(taken_ns=time.time_ns(), files={})
    errors: list[FileError] = []
    for name, path in files:
        try:
            info = path.stat()
            stats.files[name] = [info.st_size, info.st_mtime_ns]
            known = _recorded_sha256(last, name, stats.files[name])
            hashes[name] = known or file_sha256(path)
        except OSError as error:
            errors.append(FileError(name, f"cannot read the file: {error.strerror or error}"))
    return hashes, stats, errors


def _recorded_sha256(last: Manifest | None, name: str, stat: list[int]) -> str | None:
    recorded = last.source_stats.get("files") if last else None
    if not isinstance(recorded, dict) or recorded.get(name) != stat:
        return None
    taken = last.source_stats.get("taken_ns") if last else None
    settled = isinstance(taken, int) and stat[1] < taken - RACY_NS
    return last.source_files.get(name) if settled and last else None


def _plan(current: dict[str, str], previous: dict[str, str]) -> _Plan:
    plan = _Plan()
    for name, digest in current.items():
        if name not in previous:
            plan.added.append(name)
        elif previous[name] != digest:
            plan.changed.append(name)
        else:
            plan.unchanged.append(name)
    plan.removed = sorted(set(previous) - set(current))
    return plan


def _changes(plan: _Plan, errors: Sequence[FileError]) -> dict[str, list[str]]:
    """What the new version changes; an indexed file that no longer reads drops out."""
    failed = {e.file for e in errors}
    dropped = [f for f in plan.changed + plan.unchanged if f in failed]
    return {
        "added": [f for f in plan.added if f not in failed],
        "changed": [f for f in plan.changed if f not in failed],
        "removed": sorted(plan.removed + dropped),
    }


def _unchanged_summary(
    previous: LoadedIndex, plan: _Plan, errors: Sequence[FileError]
) -> BuildSummary:
    """Nothing to publish: the published version already holds exactly these files."""
    log.info("index version %s is up to date", previous.version)
    return BuildSummary(
        unchanged=tuple(plan.unchanged),
        reused=previous.passage_count,
        total=previous.passage_count,
        errors=tuple(errors),
        version=previous.version,
        published=False,
    )


#: Files read, then tokenized together (`span_counters`), at a time: the tokenizations
#: of a group are held until it is chunked.
READ_GROUP = 64


def _read_files(
    corpus_dir: Path,
    names: Sequence[str],
    embedder: EmbedderLike,
    settings: ChunkSettings,
    progress: Progress | None,
) -> tuple[list[_Parsed], list[FileError]]:
    """Load, clean and chunk each file; a file that fails is reported, never fatal."""
    names = sorted(names)
    parsed: list[_Parsed] = []
    errors: list[FileError] = []
    for first in range(0, len(names), READ_GROUP):
        group = names[first : first + READ_GROUP]
        loaded = _loaded(corpus_dir, group, errors)
        counters = embedder.span_counters([item.document.text for item in loaded])
        for item, count in zip(loaded, counters, strict=True):
            try:
                parsed.append(_chunked(item, count, settings))
            except Exception as error:  # a bad file must never stop the build
                errors.append(_file_error(item.document.file, error))
        if progress:
            progress("read", first + len(group), len(names))
    return parsed, sorted(errors, key=lambda e: e.file)


def _loaded(corpus_dir: Path, names: Sequence[str], errors: list[FileError]) -> list[LoadedFile]:
    """The documents of `names`, cleaned; the files that fail are added to `errors`."""
    documents = []
    limits = limits_from_env(os.environ)  # once per group of files, never per PDF
    for name in names:
        try:
            documents.append(read_file(corpus_dir / name, corpus_dir, limits))
        except Exception as error:  # a bad file must never stop the build
            errors.append(_file_error(name, error))
    return documents


def _file_error(name: str, error: Exception) -> FileError:
    if isinstance(error, UnreadableFileError):
        failure = FileError(name, error.reason)
    else:
        log.debug("unexpected failure reading %s", name, exc_info=True)
        failure = FileError(name, f"could not be read ({type(error).__name__}: {error})")
    log.warning("skipped %s: %s", failure.file, failure.error)
    return failure


def _chunked(loaded: LoadedFile, count: CountSpan, settings: ChunkSettings) -> _Parsed:
    analysis = analyze(loaded, count, settings)
    if not analysis.passages:
        raise UnreadableFileError(
            analysis.document.file, "no article text left after removing boilerplate"
        )
    return _Parsed(analysis.document, analysis.passages, (), blocks=analysis.blocks)


def _embed_passages(
    read: Sequence[_Parsed],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    progress: Progress | None,
) -> tuple[list[_Parsed], set[str]]:
    """The documents with their passage vectors, and the passage texts the cache lacked."""
    texts = [p.text for item in read for p in item.passages]
    _, missing = cache.lookup(texts)
    vectors, _, _ = embed_with_cache(embedder, cache, texts, progress=progress)
    result, row = [], 0
    for item in read:
        count = len(item.passages)
        result.append(dataclasses.replace(item, passage_vectors=vectors[row : row + count]))
        row += count
    return result, {texts[i] for i in missing}


def _find_caveats(
    read: Sequence[_Parsed],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    progress: Progress | None,
) -> tuple[list[_Parsed], list[FileError]]:
    """The documents with their caveats and caveat vectors; sentences go through the cache.
    What every document will embed is embedded first, as one batch, and kept at hand: each
    document then asks again for its sentences and the same prototypes."""
    known: dict[str, np.ndarray] = {}

    def embed(texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, embed_with_cache(embedder, cache, missing)[0], strict=True))
        rows = [known[t] for t in texts]
        return np.stack(rows) if rows else np.zeros((0, embedder.dimension), np.float32)

    ruled, errors = _ruled(read)
    embed([text for item, rules in ruled for text in texts_to_embed(item.document, rules)])
    result: list[_Parsed] = []
    for done, (item, rules) in enumerate(ruled, start=1):
        try:
            caveats = tuple(find_caveats(item.document, embed, rules))
        except Exception as error:  # a bad file must never stop the build
            errors.append(_file_error(item.document.file, error))
            continue
        vectors = embed([c.text for c in caveats]).reshape(-1, embedder.dimension)
        result.append(dataclasses.replace(item, caveats=caveats, caveat_vectors=vectors))
        if progress:
            progress("caveats", done, len(ruled))
    return result, errors


def _ruled(read: Sequence[_Parsed]) -> tuple[list[tuple[_Parsed, RuledSentences]], list[FileError]]:
    """Each document with the caveat rules' judgement of its sentences."""
    ruled, errors = [], []
    for item in read:
        try:
            ruled.append((item, apply_rules(item.document, item.blocks)))
        except Exception as error:  # a bad file must never stop the build
            errors.append(_file_error(item.document.file, error))
    return ruled, errors


def _embed_sentence_units(
    read: Sequence[_Parsed],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    progress: Progress | None,
) -> list[_Parsed]:
    """The documents read in this build with their sentence units and vectors."""
    passages = [p for item in read for p in item.passages]
    sentences = embed_sentences(embedder, cache, passages, embedder.dimension, progress)
    owners = sentences.spans[:, 0]
    result, first = [], 0
    for item in read:
        last = first + len(item.passages)
        lo, hi = np.searchsorted(owners, [first, last], side="left")
        spans = sentences.spans[lo:hi].copy()
        spans[:, 0] -= first
        vectors = sentences.vectors[lo:hi]
        result.append(dataclasses.replace(item, sentence_spans=spans, sentence_vectors=vectors))
        first = last
    return result


Part = SegmentInfo | list[StoredDocument]


def _segments(
    previous: LoadedIndex | None,
    read: Sequence[_Parsed],
    kept: Sequence[str],
    changes: dict[str, list[str]],
    dimension: int,
) -> list[Part]:
    """The segments of the new version: reused ones, and new ones holding what was read
    plus the kept documents that share a segment with a change. `kept` are the unchanged
    files taken from `previous`."""
    fresh = {item.document.file: item.stored() for item in read}
    doc_ids = assign_doc_ids(sorted([*fresh, *kept]))
    if previous is None:
        docs = [_renamed(fresh[f], doc_ids[f]) for f in sorted(fresh)]
        return list(split_segments(docs))
    stored_ids = previous.doc_files()
    renamed = {f for f in kept if stored_ids[f][0] != doc_ids[f]}
    touched = set(fresh) | set(changes["removed"]) | renamed
    parts: list[Part] = []
    for entry in plan_segments(previous.manifest.segment_infos(), [*fresh, *kept], touched):
        if isinstance(entry, SegmentInfo):
            parts.append(entry)
            continue
        docs = _gather(previous, fresh, entry, stored_ids, dimension)
        docs = [_renamed(d, doc_ids[d.file]) for d in docs]
        too_big = sum(len(d.passages) for d in docs) > 2 * SEGMENT_PASSAGES
        parts += split_segments(docs) if too_big else [docs]
    return parts


def _gather(
    previous: LoadedIndex,
    fresh: dict[str, StoredDocument],
    files: Sequence[str],
    stored_ids: dict[str, tuple[str, int]],
    dimension: int,
) -> list[StoredDocument]:
    """The documents of `files`, in file order: read in this build or copied from
    `previous`, whose segments are checked in full before anything is copied from them."""
    copied: dict[str, StoredDocument] = {}
    by_segment: dict[int, set[str]] = {}
    for file in files:
        if file not in fresh:
            by_segment.setdefault(stored_ids[file][1], set()).add(file)
    for number, wanted in sorted(by_segment.items()):
        segment = previous.segments[number]
        previous.verify_segment(number)  # already done unless a doc_id was renamed
        copied.update((d.file, d) for d in segment.stored_documents(wanted, dimension))
    return [fresh.get(f) or copied[f] for f in sorted(files)]


def assign_doc_ids(files: Sequence[str]) -> dict[str, str]:
    """Each file's doc_id: its slug, made unique in file order (a.txt and a.md both slug to
    a: the first keeps it, the next becomes a-md)."""
    seen: set[str] = set()
    result = {}
    for file in sorted(files):
        doc_id = doc_id_for(file)
        if doc_id in seen:
            doc_id = _unique_id(doc_id, file, seen)
        seen.add(doc_id)
        result[file] = doc_id
    return result


def _unique_id(doc_id: str, file: str, seen: set[str]) -> str:
    suffix = Path(file).suffix.lstrip(".") or "file"
    candidate, n = f"{doc_id}-{suffix}", 2
    while candidate in seen:
        candidate, n = f"{doc_id}-{suffix}-{n}", n + 1
    return candidate


def _renamed(item: StoredDocument, doc_id: str) -> StoredDocument:
    if item.document.doc_id == doc_id:
        return item
    return dataclasses.replace(
        item,
        document=dataclasses.replace(item.document, doc_id=doc_id),
        passages=tuple(dataclasses.replace(p, doc_id=doc_id) for p in item.passages),
        caveats=tuple(dataclasses.replace(c, doc_id=doc_id) for c in item.caveats),
    )


def _publish(
    index_dir: Path,
    parts: Sequence[Part],
    embedder: EmbedderLike,
    settings: ChunkSettings,
    changes: dict[str, list[str]],
    last: Manifest | None,
    stats: SourceStats,
    started: float,
) -> tuple[str, int]:
    """Publish the segments; returns the new version's name and its passage count."""
    pause_point("embedded")
    source_files = {}
    total = 0
    for part in parts:
        if isinstance(part, SegmentInfo):
            total += part.passages
            continue
        total += sum(len(d.passages) for d in part)
        source_files.update((d.file, d.document.sha256) for d in part)
    source_files = _source_files(last, parts, source_files)
    folder = publish_segments(
        index_dir,
        parts,
        model_name=embedder.model_name,
        dimension=embedder.dimension,
        chunk_settings=settings.to_dict(),
        build_seconds=time.perf_counter() - started,
        source_files=source_files,
        source_stats={
            "taken_ns": stats.taken_ns,
            "files": {f: stats.files[f] for f in source_files if f in stats.files},
        },
        changes=changes,
    )
    return folder.name, total


def _source_files(
    last: Manifest | None, parts: Sequence[Part], written: dict[str, str]
) -> dict[str, str]:
    """file -> sha256 of every document in the new version: the written segments' from
    their documents, the reused segments' from the published manifest `last`."""
    reused = [p for p in parts if isinstance(p, SegmentInfo)]
    if not reused:
        return written
    assert last is not None
    firsts = [p.first_file for p in reused]
    lasts = [p.last_file for p in reused]
    result = dict(written)
    for file, digest in last.source_files.items():
        number = max(0, bisect.bisect_right(firsts, file) - 1)
        if firsts[number] <= file <= lasts[number]:
            result[file] = digest
    return dict(sorted(result.items()))


#: How a full disk or a read-only folder shows up in the libraries that write the index.
_WRITE_FAILURES = (
    "no space left on device",
    "database or disk is full",
    "disk quota exceeded",
    "file too large",
    "read-only file system",
    "readonly database",
    "permission denied",
    "disk i/o error",
    "write error",
)


@contextlib.contextmanager
def _write_errors_explained(index_dir: Path) -> Iterator[None]:
    """Turn a failed write of the cache or of the new version (the disk is full, the folder
    is read-only) into IndexWriteError; publish has already removed its half-written folder."""
    try:
        yield
    except (OSError, sqlite3.Error, RuntimeError) as error:
        cause = _write_failure(error, index_dir)
        if cause is None:
            raise
        raise IndexWriteError(
            f"cannot write the new index in {index_dir}: {cause}; the previous index is "
            "unchanged and still answers; free some space (or fix the folder's permissions) "
            "and run `cited ingest` again"
        ) from error


def _write_failure(error: Exception, index_dir: Path) -> str | None:
    """Why writing failed, in a few words, or None when `error` is not about writing."""
    text = str(error).lower()
    known = next((reason for reason in _WRITE_FAILURES if reason in text), None)
    if known or not isinstance(error, OSError):
        return known
    if error.strerror:
        return error.strerror.lower()
    with contextlib.suppress(OSError):  # numpy reports a short write without an errno
        if shutil.disk_usage(index_dir).free < 1024 * 1024:
            return "no space left on device"
    return text or type(error).__name__


def _nothing_to_index_message(corpus_dir: Path, errors: Sequence[FileError]) -> str:
    if errors:
        return (
            f"no readable articles in {corpus_dir}: all {len(errors)} files were skipped "
            f"(first: {errors[0].file}: {errors[0].error}); fix them or add "
            f"{kinds_phrase()} articles"
        )
    return f"corpus folder {corpus_dir} is empty; add {kinds_phrase()} articles"
