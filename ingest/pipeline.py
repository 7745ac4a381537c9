"""Build or update the index from a corpus folder, re-reading only what changed.

Each file's sha256 decides whether it is parsed again; unchanged documents keep their
records from the previous version, and every vector goes through the embedding cache,
so only text never seen before costs model time. The new version is published
atomically by `index.store.publish`; a bad file is reported and skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.cache import EmbeddingCache, embed_with_cache
from index.errors import CitedError, CorpusError, UnreadableFileError
from index.lock import build_lock
from index.records import Caveat, ChunkSettings, Document, Passage
from index.store import LoadedIndex, cleanup_leftovers, current_version, publish
from ingest.caveats import find_caveats
from ingest.chunk import chunk_document
from ingest.clean import mark_boilerplate
from ingest.load import load_document
from ingest.sentences import embed_sentences

log = logging.getLogger(__name__)

#: progress(stage, done, total): "read" counts files, "embed" counts texts.
Progress = Callable[[str, int, int], None]


class EmbedderLike(Protocol):
    model_name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


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
    """One document's records, before vectors are attached."""

    document: Document
    passages: tuple[Passage, ...]
    caveats: tuple[Caveat, ...]


@dataclass
class _Plan:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def scan_corpus(corpus_dir: Path) -> list[Path]:
    """Every visible regular file below `corpus_dir`, sorted; unsupported ones included
    so that they are reported rather than silently ignored."""
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus folder {corpus_dir} does not exist; create it and add articles, "
            "or pass --corpus DIR"
        )
    files = [
        p
        for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(corpus_dir).as_posix())


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: EmbedderLike,
    *,
    full: bool = False,
    progress: Progress | None = None,
    settings: ChunkSettings | None = None,
) -> BuildSummary:
    """Build or update the index in `index_dir` from the files in `corpus_dir`."""
    started = time.perf_counter()
    settings = settings or ChunkSettings(max_tokens=_model_window(embedder))
    files = scan_corpus(corpus_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(index_dir):
        cleanup_leftovers(index_dir)
        previous = None if full else _reusable_previous(index_dir, embedder, settings)
        hashes, errors = _hash_files(files, corpus_dir)
        plan = _plan(hashes, previous.manifest.source_files if previous else {})
        parsed, parse_errors = _parse_changed(
            corpus_dir, plan.added + plan.changed, embedder, settings, progress
        )
        errors += parse_errors
        kept = _reuse_unchanged(previous, plan.unchanged)
        documents = _in_file_order(kept + parsed)
        if not documents:
            raise CorpusError(_nothing_to_index_message(corpus_dir, errors))
        summary = _embed_and_publish(
            index_dir, documents, embedder, settings, progress, hashes, started
        )
    failed = {e.file for e in errors}
    return dataclasses.replace(
        summary,
        added=tuple(f for f in plan.added if f not in failed),
        changed=tuple(f for f in plan.changed if f not in failed),
        removed=tuple(plan.removed) + tuple(f for f in plan.changed if f in failed),
        unchanged=tuple(plan.unchanged),
        errors=tuple(errors),
        seconds=time.perf_counter() - started,
    )


def _model_window(embedder: EmbedderLike) -> int:
    return int(getattr(embedder, "max_tokens", ChunkSettings().max_tokens))


def _reusable_previous(
    index_dir: Path, embedder: EmbedderLike, settings: ChunkSettings
) -> LoadedIndex | None:
    """The published index, if it was built the same way; otherwise start afresh."""
    if current_version(index_dir) is None:
        return None
    try:
        previous = LoadedIndex.load(index_dir)
    except CitedError as error:
        log.warning("rebuilding from nothing: the previous index cannot be reused (%s)", error)
        return None
    manifest = previous.manifest
    same_model = manifest.model_name == embedder.model_name
    same_chunks = manifest.chunk_settings == settings.to_dict()
    if same_model and same_chunks:
        return previous
    log.info("rebuilding from nothing: model or chunk settings changed since the last build")
    return None


def _hash_files(files: Sequence[Path], corpus_dir: Path) -> tuple[dict[str, str], list[FileError]]:
    hashes: dict[str, str] = {}
    errors: list[FileError] = []
    for path in files:
        name = path.relative_to(corpus_dir).as_posix()
        try:
            hashes[name] = file_sha256(path)
        except OSError as error:
            errors.append(FileError(name, f"cannot read the file: {error.strerror or error}"))
    return hashes, errors


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


def _parse_changed(
    corpus_dir: Path,
    names: Sequence[str],
    embedder: EmbedderLike,
    settings: ChunkSettings,
    progress: Progress | None,
) -> tuple[list[_Parsed], list[FileError]]:
    parsed: list[_Parsed] = []
    errors: list[FileError] = []
    for done, name in enumerate(sorted(names), start=1):
        try:
            parsed.append(_parse_one(corpus_dir / name, corpus_dir, embedder, settings))
        except UnreadableFileError as error:
            errors.append(FileError(name, error.reason))
        except Exception as error:  # a bad file must never stop the build
            log.debug("unexpected failure reading %s", name, exc_info=True)
            errors.append(FileError(name, f"could not be read ({type(error).__name__}: {error})"))
        if progress:
            progress("read", done, len(names))
    for error in errors:
        log.warning("skipped %s: %s", error.file, error.error)
    return parsed, errors


def _parse_one(
    path: Path, corpus_dir: Path, embedder: EmbedderLike, settings: ChunkSettings
) -> _Parsed:
    document = mark_boilerplate(load_document(path, corpus_dir))
    passages = chunk_document(document, embedder.count_tokens, settings)
    if not passages:
        raise UnreadableFileError(document.file, "no article text left after removing boilerplate")
    caveats = find_caveats(document, embedder.encode)
    return _Parsed(document, tuple(passages), tuple(caveats))


def _reuse_unchanged(previous: LoadedIndex | None, names: Sequence[str]) -> list[_Parsed]:
    if previous is None or not names:
        return []
    by_file = {doc.file: doc for doc in previous.documents()}
    kept = []
    for name in names:
        document = by_file.get(name)
        if document is None:
            continue
        caveats = tuple(caveat for _, caveat in previous.caveats([document.doc_id]))
        kept.append(_Parsed(document, tuple(previous.passages_of(document.doc_id)), caveats))
    return kept


def _in_file_order(parsed: Sequence[_Parsed]) -> list[_Parsed]:
    """Sort by file and give each document a unique doc_id (a.txt and a.md both slug to a)."""
    ordered = sorted(parsed, key=lambda p: p.document.file)
    seen: set[str] = set()
    result = []
    for item in ordered:
        doc_id = item.document.doc_id
        if doc_id in seen:
            doc_id = _unique_id(doc_id, item.document.file, seen)
            item = _with_doc_id(item, doc_id)
        seen.add(doc_id)
        result.append(item)
    return result


def _unique_id(doc_id: str, file: str, seen: set[str]) -> str:
    suffix = Path(file).suffix.lstrip(".") or "file"
    candidate, n = f"{doc_id}-{suffix}", 2
    while candidate in seen:
        candidate, n = f"{doc_id}-{suffix}-{n}", n + 1
    return candidate


def _with_doc_id(item: _Parsed, doc_id: str) -> _Parsed:
    return _Parsed(
        dataclasses.replace(item.document, doc_id=doc_id),
        tuple(dataclasses.replace(p, doc_id=doc_id) for p in item.passages),
        tuple(dataclasses.replace(c, doc_id=doc_id) for c in item.caveats),
    )


def _embed_and_publish(
    index_dir: Path,
    documents: Sequence[_Parsed],
    embedder: EmbedderLike,
    settings: ChunkSettings,
    progress: Progress | None,
    hashes: dict[str, str],
    started: float,
) -> BuildSummary:
    passages = [p for item in documents for p in item.passages]
    caveats = [c for item in documents for c in item.caveats]
    cache = EmbeddingCache(
        index_dir / "cache" / "embeddings.sqlite", embedder.model_name, embedder.dimension
    )
    try:
        passage_vectors, embedded, reused = embed_with_cache(
            embedder, cache, [p.text for p in passages], progress=progress
        )
        caveat_vectors, _, _ = embed_with_cache(embedder, cache, [c.text for c in caveats])
        sentences = embed_sentences(embedder, cache, passages, embedder.dimension, progress)
    finally:
        cache.close()
    version_dir = publish(
        index_dir,
        documents=[item.document for item in documents],
        passages=passages,
        caveats=caveats,
        passage_vectors=passage_vectors,
        caveat_vectors=caveat_vectors,
        model_name=embedder.model_name,
        dimension=embedder.dimension,
        chunk_settings=settings.to_dict(),
        build_seconds=time.perf_counter() - started,
        source_files={item.document.file: hashes[item.document.file] for item in documents},
        sentences=sentences,
    )
    return BuildSummary(
        embedded=embedded, reused=reused, total=len(passages), version=version_dir.name
    )


def _nothing_to_index_message(corpus_dir: Path, errors: Sequence[FileError]) -> str:
    if errors:
        return (
            f"no readable articles in {corpus_dir}: all {len(errors)} files were skipped "
            f"(first: {errors[0].file}: {errors[0].error}); fix them or add .txt, .md, "
            ".html or .pdf articles"
        )
    return f"corpus folder {corpus_dir} is empty; add .txt, .md, .html or .pdf articles"
