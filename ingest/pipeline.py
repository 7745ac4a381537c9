"""Build or update the index from a corpus folder: lock, changes, read, embed, write, summary.

Each file's sha256 decides whether it is read again; unchanged documents are not read at
all. What was read is embedded through the content-addressed cache (`ingest.vectors`), so
only text never seen before costs model time, and handed to `index.writer.IndexWriter`,
which decides which segments to rewrite and publishes the new version atomically. When
nothing changed nothing is published. A file that cannot be read is reported and skipped,
and remembered by its content hash: the next build reads it again only once it changed
(or with `retry_failed`). `full=True` re-reads every file and re-embeds every text
without consulting the cache.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.cache import EmbeddingCache, cache_path
from index.errors import CorpusError, UnreadableFileError
from index.lock import build_lock
from index.records import BuildFailure, ChunkSettings, StoredDocument
from index.writer import BuildNotes, IndexWriter, Published
from ingest.analyze import analyze, read_file
from ingest.calibrate import calibrate_published
from ingest.changes import corpus_files, file_sha256, walk
from ingest.chunk import CountSpan
from ingest.formats import kinds_phrase
from ingest.formats.pdf import limits_from_env
from ingest.language import ENGLISH, language_of
from ingest.load import LoadedFile, doc_id_for
from ingest.summary import BuildSummary, FileError, write_errors_explained
from ingest.vectors import EmbedderLike, Progress, embed_documents
from ingest.version import reader_version

__all__ = ["BuildSummary", "FileError", "assign_doc_ids", "build_index", "scan_corpus"]

log = logging.getLogger(__name__)

#: A file modified this close (ns) before its stats were taken is hashed again next time:
#: a second write in the same clock tick would not change its modification time.
RACY_NS = 1_000_000_000
#: Files read, then tokenized together (`span_counters`), at a time: the tokenizations
#: of a group are held until it is chunked.
READ_GROUP = 64


@dataclass(frozen=True)
class SourceStats:
    """[size, mtime_ns] of each corpus file, and when they were taken."""

    taken_ns: int
    files: dict[str, list[int]]


@dataclass
class _Plan:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: EmbedderLike,
    *,
    full: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
    settings: ChunkSettings | None = None,
    retry_failed: bool = False,
) -> BuildSummary:
    """Build or update the index in `index_dir` from the files in `corpus_dir`.

    Raises BuildLockedError when another build holds the index, unless `wait`. The
    summary's `seconds` count the build itself: not loading the model, not waiting.
    """
    index_dir = Path(index_dir)
    _check_corpus_dir(corpus_dir)
    if not walk(corpus_dir):  # an empty folder fails before the model loads
        raise CorpusError(_nothing_to_index_message(corpus_dir, []))
    with write_errors_explained(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(index_dir, wait=wait):  # before loading the model: a refusal is quick
        settings = settings or ChunkSettings(max_tokens=_model_window(embedder))
        started = time.perf_counter()
        writer = IndexWriter(
            index_dir, embedder.model_name, embedder.dimension, settings.to_dict(), reader_version()
        )
        build = _Build(Path(corpus_dir), index_dir, embedder, settings, progress, writer)
        summary = build.run(full, retry_failed, started)
        seconds = time.perf_counter() - started
        # Still under the lock: the Library's Rebuild, --watch and the CLI all get the
        # abstention threshold of the version they published (cheap when already kept).
        calibrate_published(index_dir, embedder)
    return dataclasses.replace(summary, seconds=seconds)


@dataclass
class _Build:
    corpus_dir: Path
    index_dir: Path
    embedder: EmbedderLike
    settings: ChunkSettings
    progress: Progress | None
    writer: IndexWriter
    errors: list[FileError] = field(default_factory=list)

    def run(self, full: bool, retry_failed: bool, started: float) -> BuildSummary:
        published = self.writer.open_published()
        last = published.manifest
        hashes, stats = self._hash_files(_scan(self.corpus_dir), None if full else published)
        known = {} if retry_failed else _known_failures(published, hashes)
        self.errors += known.values()
        self.errors += [FileError(f.name, f.skipped) for f in walk(self.corpus_dir) if f.skipped]
        plan = _plan({f: h for f, h in hashes.items() if f not in known}, last)
        touched = plan.added + plan.changed + plan.removed
        previous = None if full else self.writer.reusable(published.loaded, touched)
        to_read = plan.added + plan.changed + ([] if previous else plan.unchanged)
        read = self._read_files(to_read)
        failures = _failures(self.errors, hashes)
        if previous is not None and not _differs(plan, self.errors, failures, published):
            return _unchanged_summary(previous.version, previous.passage_count, plan, self.errors)
        with write_errors_explained(self.index_dir), self._cache(full) as cache:
            read, new_texts = embed_documents(
                read, self.embedder, cache, self._failed, self.progress
            )
            changes = _changes(plan, self.errors)
            kept = [f for f in plan.unchanged if f not in changes["removed"]] if previous else []
            if not read and not kept:
                raise CorpusError(_nothing_to_index_message(self.corpus_dir, self.errors))
            doc_ids = assign_doc_ids(sorted([*(d.file for d in read), *kept]))
            ids_now = {f: ids[0] for f, ids in (previous.doc_files() if previous else {}).items()}
            ids_now.update((d.file, d.document.doc_id) for d in read)
            renamed = {f: doc_id for f, doc_id in doc_ids.items() if ids_now[f] != doc_id}
            notes = BuildNotes(
                changes, {"taken_ns": stats.taken_ns, "files": stats.files}, failures, started
            )
            written = self.writer.update(previous, read, changes["removed"], renamed, notes)
            if full:
                cache.retain_touched()
        embedded = len({p.text for item in read for p in item.passages} & new_texts)
        return BuildSummary(
            added=tuple(changes["added"]),
            changed=tuple(changes["changed"]),
            removed=tuple(changes["removed"]),
            unchanged=tuple(f for f in plan.unchanged if f not in changes["removed"]),
            embedded=embedded,
            reused=written.passages - embedded,
            total=written.passages,
            errors=tuple(self.errors),
            version=written.name,
            not_english=not_english(read),
        )

    def _cache(self, fresh: bool) -> EmbeddingCache:
        path = cache_path(self.index_dir)
        return EmbeddingCache(path, self.embedder.model_name, self.embedder.dimension, fresh)

    def _hash_files(
        self, files: Sequence[tuple[str, Path]], published: Published | None
    ) -> tuple[dict[str, str], SourceStats]:
        """Each file's sha256 and its stats; a file that cannot be read is an error. A file
        whose size and modification time are those the last build recorded (and that was
        not touched in the second before that build looked) keeps its recorded sha256
        unread, as git does."""
        hashes: dict[str, str] = {}
        stats = SourceStats(taken_ns=time.time_ns(), files={})
        last = published.manifest if published else None
        for name, path in files:
            try:
                info = path.stat()
                stats.files[name] = [info.st_size, info.st_mtime_ns]
                known = _recorded_sha256(last, name, stats.files[name])
                hashes[name] = known or file_sha256(path)
            except OSError as error:
                self.errors.append(
                    FileError(name, f"cannot read the file: {error.strerror or error}")
                )
        return hashes, stats

    def _read_files(self, names: Sequence[str]) -> list[StoredDocument]:
        """Load, clean and chunk each file; a file that fails is reported, never fatal."""
        names = sorted(names)
        parsed: list[StoredDocument] = []
        errors_before = len(self.errors)
        for first in range(0, len(names), READ_GROUP):
            group = names[first : first + READ_GROUP]
            loaded = self._loaded(group)
            counters = self.embedder.span_counters([item.document.text for item in loaded])
            for item, count in zip(loaded, counters, strict=True):
                try:
                    parsed.append(self._chunked(item, count))
                except Exception as error:  # a bad file must never stop the build
                    self._failed(item.document.file, error)
            if self.progress:
                self.progress("read", first + len(group), len(names))
        self.errors[errors_before:] = sorted(self.errors[errors_before:], key=lambda e: e.file)
        return parsed

    def _loaded(self, names: Sequence[str]) -> list[LoadedFile]:
        """The files of `names`, read and cleaned; the files that fail are reported."""
        limits = limits_from_env(os.environ)  # once per group of files, never per file
        documents = []
        for name in names:
            try:
                documents.append(read_file(self.corpus_dir / name, self.corpus_dir, limits))
            except Exception as error:  # a bad file must never stop the build
                self._failed(name, error)
        return documents

    def _chunked(self, loaded: LoadedFile, count: CountSpan) -> StoredDocument:
        analysis = analyze(loaded, count, self.settings)
        if not analysis.passages:
            raise UnreadableFileError(
                analysis.document.file, "no article text left after removing boilerplate"
            )
        empty = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return StoredDocument(
            analysis.document, analysis.passages, (), empty, empty, blocks=analysis.blocks
        )

    def _failed(self, name: str, error: Exception) -> None:
        if isinstance(error, UnreadableFileError):
            failure = FileError(name, error.reason)
        else:
            log.debug("unexpected failure reading %s", name, exc_info=True)
            failure = FileError(name, f"could not be read ({type(error).__name__}: {error})")
        log.warning("skipped %s: %s", failure.file, failure.error)
        self.errors.append(failure)


def _model_window(embedder: EmbedderLike) -> int:
    return int(getattr(embedder, "max_tokens", ChunkSettings().max_tokens))


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


def _recorded_sha256(last: object, name: str, stat: list[int]) -> str | None:
    source_stats = getattr(last, "source_stats", {})
    recorded = source_stats.get("files")
    if not isinstance(recorded, dict) or recorded.get(name) != stat:
        return None
    taken = source_stats.get("taken_ns")
    settled = isinstance(taken, int) and stat[1] < taken - RACY_NS
    return getattr(last, "source_files", {}).get(name) if settled else None


def _known_failures(published: Published, hashes: dict[str, str]) -> dict[str, FileError]:
    """The files the last build could not read and that have not changed since, when it
    read with this reading code: a newer one may read them (R's 2,415-page reference
    manual, skipped at 60 s, stayed skipped after cited gave long PDFs more time)."""
    manifest = published.manifest
    if manifest is None or manifest.reader != reader_version():
        return {}
    recorded = manifest.failures
    known = {}
    for entry in recorded:
        failure = BuildFailure.from_dict(entry)
        if hashes.get(failure.file) == failure.sha256:
            known[failure.file] = FileError(failure.file, failure.error)
    if known:
        log.info("not reading %d unchanged files that failed before", len(known))
    return known


def _failures(errors: Sequence[FileError], hashes: dict[str, str]) -> tuple[BuildFailure, ...]:
    """The errors to remember: those of files whose content hash is known."""
    return tuple(BuildFailure(e.file, hashes[e.file], e.error) for e in errors if e.file in hashes)


def _plan(current: dict[str, str], last: object) -> _Plan:
    previous: dict[str, str] = getattr(last, "source_files", None) or {}
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


def _differs(
    plan: _Plan,
    errors: Sequence[FileError],
    failures: Sequence[BuildFailure],
    published: Published,
) -> bool:
    """Whether the new version would differ from the published one: documents, or the
    failed files it remembers."""
    recorded = published.manifest.failures if published.manifest else []
    same_failures = set(failures) == {BuildFailure.from_dict(f) for f in recorded}
    return any(_changes(plan, errors).values()) or not same_failures


def _unchanged_summary(
    version: str, passages: int, plan: _Plan, errors: Sequence[FileError]
) -> BuildSummary:
    """Nothing to publish: the published version already holds exactly these files."""
    log.info("index version %s is up to date", version)
    return BuildSummary(
        unchanged=tuple(plan.unchanged),
        reused=passages,
        total=passages,
        errors=tuple(errors),
        version=version,
        published=False,
    )


def not_english(read: Sequence[StoredDocument]) -> tuple[tuple[str, str], ...]:
    """(file, language) of the read documents not written in English: the build says so,
    since the model reads English (`ingest.language`)."""
    found = ((item.file, language_of(item.document.text)) for item in read)
    return tuple((file, lang) for file, lang in found if lang not in (ENGLISH, None))


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


def _nothing_to_index_message(corpus_dir: Path, errors: Sequence[FileError]) -> str:
    if errors:
        return (
            f"no readable articles in {corpus_dir}: all {len(errors)} files were skipped "
            f"(first: {errors[0].file}: {errors[0].error}); fix them or add "
            f"{kinds_phrase()} articles"
        )
    return f"corpus folder {corpus_dir} is empty; add {kinds_phrase()} articles"
