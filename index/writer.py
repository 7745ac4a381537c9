"""Writing a new index version: `IndexWriter.update` turns a change into a published version.

Ingest hands over the documents it read (`StoredDocument`s with their vectors), the files
that are gone and the kept files whose doc_id changes; the writer decides the rest: which
segments of the previous version stay as they are (hard links), which are written again
from their stored documents plus the fresh ones (`index.plan`), the manifest's file list,
and the atomic publish (`index.versions`).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.errors import CitedError, CorpusError
from index.files import (
    TMP_SUFFIX,
    file_sha256,
    file_stat,
    folders,
    fsync_path,
    link_tree,
    relative_files,
    write_durably,
)
from index.loaded import LoadedIndex
from index.manifest import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    Manifest,
    manifest_bytes,
    package_version,
    read_manifest,
)
from index.plan import faiss_kind_for, in_file_order, merged_or_split, plan_segments, split_segments
from index.records import BuildFailure, StoredDocument
from index.segment import SEGMENTS_DIR, SegmentInfo
from index.segment_write import write_segment
from index.versions import (
    cleanup_leftovers,
    current_version,
    flip,
    new_version_name,
    pause_point,
    prune_old_versions,
    publish_folder,
    resolve_version,
    versions_dir,
)

log = logging.getLogger(__name__)

#: A segment of the new version: reused as it is, or documents to write afresh.
Part = SegmentInfo | list[StoredDocument]


@dataclass(frozen=True)
class BuildNotes:
    """What the manifest records about the build besides its documents."""

    #: {"added", "changed", "removed"}: file lists, so the UI can say what the rebuild did
    changes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: {"taken_ns": when, "files": {file: [size, mtime_ns]}} of the corpus files
    source_stats: Mapping[str, Any] = field(default_factory=dict)
    failures: Sequence[BuildFailure] = ()
    #: time.perf_counter() when the build started, for the manifest's build_seconds
    started: float | None = None


@dataclass(frozen=True)
class WrittenVersion:
    """A version `IndexWriter.update` published: its name and how many passages it holds."""

    name: str
    passages: int


@dataclass(frozen=True)
class Published:
    """What a build starts from: the published manifest (read once) and the version opened
    lazily for copying documents out of it; either is None when there is none or it
    cannot be used."""

    manifest: Manifest | None = None
    loaded: LoadedIndex | None = None


class IndexWriter:
    """Publishes new versions of one index folder built with one model and chunking.

    The caller holds the build lock (`index.lock.build_lock`)."""

    def __init__(
        self,
        index_dir: Path,
        model_name: str,
        dimension: int,
        chunk_settings: dict[str, Any],
        reader: str = "",
    ) -> None:
        self.index_dir = Path(index_dir)
        self.model_name = model_name
        self.dimension = int(dimension)
        self.chunk_settings = dict(chunk_settings)
        self.reader = reader  # the reading code's version, recorded in the manifest
        self._cleaned = False  # cleanup_leftovers runs once per writer, before it reads

    def _clean_once(self) -> None:
        if not self._cleaned:
            cleanup_leftovers(self.index_dir)
            self._cleaned = True

    def open_published(self) -> Published:
        """Clean up after interrupted builds (repairing a damaged CURRENT), then read the
        published manifest once and open its version, files checked by size and time."""
        self._clean_once()
        if current_version(self.index_dir) is None:
            return Published()
        try:
            _, version_dir = resolve_version(self.index_dir)
            manifest = read_manifest(version_dir)
        except CitedError as error:
            log.warning("rebuilding from nothing: cannot read the published manifest (%s)", error)
            return Published()
        try:
            loaded = LoadedIndex.open(version_dir, manifest, verify="stats", lazy=True)
        except CitedError as error:
            log.warning("rebuilding from nothing: the previous index cannot be reused (%s)", error)
            return Published(manifest)
        return Published(manifest, loaded)

    def reusable(self, previous: LoadedIndex | None, touched: Sequence[str]) -> LoadedIndex | None:
        """`previous` if a rebuild can start from it: built the same way, its segments in
        file order, and the segments it will copy documents out of (those holding
        `touched` files) passing their checksums; None means every file is read again."""
        if previous is None:
            return None
        manifest = previous.manifest
        same = (manifest.model_name, manifest.chunk_settings, manifest.reader) == (
            self.model_name,
            self.chunk_settings,
            self.reader,
        )
        if not same or not in_file_order(manifest.segment_infos()):
            log.info(
                "rebuilding from nothing: the model, the chunk settings or the reading code"
                " changed since the last build"
            )
            return None
        try:
            for number in previous.segments_of(touched):
                previous.verify_segment(number)
        except CitedError as error:
            log.warning("rebuilding from nothing: the previous index cannot be reused (%s)", error)
            return None
        return previous

    def update(
        self,
        previous: LoadedIndex | None,
        fresh_documents: Sequence[StoredDocument],
        removed: Sequence[str] = (),
        renamed: Mapping[str, str] | None = None,
        notes: BuildNotes | None = None,
    ) -> WrittenVersion:
        """Publish the version that holds `previous`'s documents, minus the `removed` files,
        with `fresh_documents` added or replacing theirs, and every file of `renamed` under
        its new doc_id; returns the new version's name and passage count.

        With `previous` None every document is in `fresh_documents`, and they are written
        in the order given (a build gives them in file order, which later rebuilds need to
        reuse segments, see `index.plan.in_file_order`)."""
        pause_point("embedded")
        self._clean_once()
        notes = notes or BuildNotes()
        renamed = dict(renamed or {})
        parts = self._parts(previous, list(fresh_documents), set(removed), renamed)
        sources = _source_files(previous, parts, set(removed))
        return self._publish(parts, previous, sources, notes)

    def _parts(
        self,
        previous: LoadedIndex | None,
        fresh: list[StoredDocument],
        removed: set[str],
        renamed: dict[str, str],
    ) -> list[Part]:
        """The segments of the new version, reused or to write, in file order."""
        by_file = {d.file: _with_doc_id(d, renamed.get(d.file)) for d in fresh}
        if previous is None:  # in the order given: a build gives file order
            return list(split_segments(list(by_file.values())))
        stored = previous.doc_files()
        kept = [f for f in stored if f not in by_file and f not in removed]
        touched = set(by_file) | removed | set(renamed)
        parts: list[Part] = []
        for entry in plan_segments(previous.manifest.segment_infos(), [*by_file, *kept], touched):
            if isinstance(entry, SegmentInfo):
                parts.append(entry)
                continue
            docs = _gather(previous, by_file, entry, self.dimension)
            parts += merged_or_split([_with_doc_id(d, renamed.get(d.file)) for d in docs])
        return parts

    def _publish(
        self,
        parts: Sequence[Part],
        previous: LoadedIndex | None,
        source_files: dict[str, str],
        notes: BuildNotes,
    ) -> WrittenVersion:
        """Write `parts` as a new version folder, flip CURRENT to it, prune old versions."""
        parts = [p for p in parts if isinstance(p, SegmentInfo) or len(p)]
        total = sum(p.passages if isinstance(p, SegmentInfo) else _passages(p) for p in parts)
        if total == 0:
            raise CorpusError(
                f"nothing to index for {self.index_dir}: the corpus gave no passages; "
                "add readable articles to the corpus folder"
            )
        version = new_version_name(after=current_version(self.index_dir))
        tmp = versions_dir(self.index_dir) / f"{version}{TMP_SUFFIX}"
        (tmp / SEGMENTS_DIR).mkdir(parents=True)
        try:
            manifest = self._write_version(tmp, parts, previous, total, source_files, notes)
            final = publish_folder(self.index_dir, tmp, version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pause_point("renamed")
        flip(self.index_dir, version)
        log.info(
            "published index version %s (%d passages, %s)", version, total, manifest.faiss_kind
        )
        pause_point("published")
        prune_old_versions(self.index_dir, version)
        return WrittenVersion(final.name, total)

    def _write_version(
        self,
        tmp: Path,
        parts: Sequence[Part],
        previous: LoadedIndex | None,
        total: int,
        source_files: dict[str, str],
        notes: BuildNotes,
    ) -> Manifest:
        infos, files, stats = _write_parts(
            tmp, parts, previous, self.dimension, faiss_kind_for(total)
        )
        pause_point("written")
        new_files, new_stats = _sync_and_hash(tmp, skip=set(files))
        files.update(new_files)
        stats.update(new_stats)
        started = notes.started if notes.started is not None else time.perf_counter()
        source_stats = dict(notes.source_stats)
        if "files" in source_stats:
            source_stats["files"] = {
                f: s for f, s in source_stats["files"].items() if f in source_files
            }
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            package_version=package_version(),
            model_name=self.model_name,
            dimension=self.dimension,
            chunk_settings=self.chunk_settings,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
            counts=_counts(infos),
            files=files,
            faiss_kind="+".join(sorted({i.faiss_kind for i in infos})),
            source_files=source_files,
            changes={k: list(notes.changes.get(k, ())) for k in ("added", "changed", "removed")},
            source_stats=source_stats,
            segments=[i.to_dict() for i in infos],
            stats=stats,
            failures=[f.to_dict() for f in sorted(notes.failures, key=lambda f: f.file)],
            reader=self.reader,
        )
        write_durably(tmp / MANIFEST_NAME, manifest_bytes(manifest.to_dict()))
        return manifest


def _gather(
    previous: LoadedIndex, fresh: dict[str, StoredDocument], files: Sequence[str], dimension: int
) -> list[StoredDocument]:
    """The documents of `files`, in file order: fresh ones, or copied out of `previous`,
    whose segments are checked in full before anything is copied from them."""
    stored = previous.doc_files()
    by_segment: dict[int, set[str]] = {}
    for file in files:
        if file not in fresh:
            by_segment.setdefault(stored[file][1], set()).add(file)
    copied: dict[str, StoredDocument] = {}
    for number, wanted in sorted(by_segment.items()):
        previous.verify_segment(number)  # already done unless a doc_id was renamed
        segment = previous.segments[number]
        copied.update((d.file, d) for d in segment.stored_documents(wanted, dimension))
    return [fresh.get(f) or copied[f] for f in sorted(files)]


def _with_doc_id(item: StoredDocument, doc_id: str | None) -> StoredDocument:
    """`item` under a new doc_id (a kept file whose slug now collides), or as it is."""
    if doc_id is None or item.document.doc_id == doc_id:
        return item
    return dataclasses.replace(
        item,
        document=dataclasses.replace(item.document, doc_id=doc_id),
        passages=tuple(dataclasses.replace(p, doc_id=doc_id) for p in item.passages),
        caveats=tuple(dataclasses.replace(c, doc_id=doc_id) for c in item.caveats),
    )


def _source_files(
    previous: LoadedIndex | None, parts: Sequence[Part], removed: set[str]
) -> dict[str, str]:
    """file -> sha256 of every document of the new version: written documents' own, the
    reused segments' from the previous manifest."""
    result = {d.file: d.document.sha256 for p in parts if not isinstance(p, SegmentInfo) for d in p}
    if previous is not None:
        recorded = previous.manifest.source_files
        for file in previous.doc_files():
            if file not in result and file not in removed and file in recorded:
                result[file] = recorded[file]
    return dict(sorted(result.items()))


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


def _write_parts(
    tmp: Path,
    parts: Sequence[Part],
    previous: LoadedIndex | None,
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
            assert previous is not None, "a reused segment needs the version it comes from"
            link_tree(previous.path / SEGMENTS_DIR / part.name, tmp / SEGMENTS_DIR / part.name)
            prefix = f"{SEGMENTS_DIR}/{part.name}/"
            for name, digest in previous.manifest.files.items():
                if name.startswith(prefix):
                    files[name] = digest
                    stats[name] = previous.manifest.stats[name]
            infos.append(part)
        else:
            name = f"seg-{secrets.token_hex(5)}"
            infos.append(write_segment(tmp / SEGMENTS_DIR, name, part, dimension, kind))
    return infos, files, stats


def _sync_and_hash(
    version_dir: Path, skip: set[str]
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """fsync every new data file and every folder under `version_dir` (the `skip` files are
    links to files already on disk: only their folders' entries are new); returns the new
    files' sha256 and stats."""
    checksums, stats = {}, {}
    for name in sorted(relative_files(version_dir)):
        if name in skip or name == MANIFEST_NAME:
            continue
        path = version_dir / name
        fsync_path(path)
        checksums[name] = file_sha256(path)
        stats[name] = file_stat(path)
    for folder in folders(version_dir):
        fsync_path(folder)
    return checksums, stats
