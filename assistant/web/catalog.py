"""The catalog: what the index holds and what the corpus folder holds, as plain dicts.

`cited docs --json`, the Library rows (with status and the last build's errors) and the Read
view's article (text, blocks with ¶ numbers and pages, caveats). A document's blocks and the
files the last build skipped are read from the index, as that build stored them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.answer import source_of
from index.errors import CitedError
from index.loaded import LoadedIndex
from index.records import Block, Caveat, Document, Passage
from ingest import changes
from ingest.analyze import paragraph_numbers
from ingest.health import read_health
from ingest.load import title_from_name


class LibraryError(CitedError):
    """An upload, delete or read the library refuses, with the reason and what to do."""


# --- listing -----------------------------------------------------------------------------


def list_documents(index_dir: Path, loaded: LoadedIndex | None = None) -> list[dict[str, Any]]:
    """Every indexed document with its passage count and the caveats found in it."""
    loaded = loaded or LoadedIndex.load(index_dir, verify=False)
    caveats_by_doc: dict[str, list[Caveat]] = {}
    for _, caveat in loaded.caveats(None):
        caveats_by_doc.setdefault(caveat.doc_id, []).append(caveat)
    return [
        _document_dict(doc, loaded.passages_of(doc.doc_id), caveats_by_doc.get(doc.doc_id, []))
        for doc in loaded.documents()
    ]


def _document_dict(doc: Document, passages: list[Passage], caveats: list[Caveat]) -> dict[str, Any]:
    health = read_health(doc, passages)  # how well the file was read, as `cited inspect` says
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "file": doc.file,
        "passages": len(passages),
        "indexed_share": health.indexed_share,
        "warnings": list(health.warnings),
        "caveats": [{"text": c.text, "source": caveat_source(c, doc)} for c in caveats],
    }


def caveat_source(caveat: Caveat, doc: Document) -> dict[str, Any]:
    """The Answer JSON `source` object for a caveat."""
    return asdict(source_of(caveat, doc))


def indexed_times(
    loaded: LoadedIndex, known: Mapping[str, tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """file -> (sha256, when its current content was indexed).

    `known` is what the caller saw before; content it already knew keeps its time, and
    anything new is dated by the build that holds it (the manifest's `built_at`).
    """
    built_at = loaded.manifest.built_at
    times = {}
    for doc in loaded.documents():
        seen = known.get(doc.file)
        times[doc.file] = seen if seen and seen[0] == doc.sha256 else (doc.sha256, built_at)
    return times


def library_rows(
    corpus_dir: Path,
    loaded: LoadedIndex,
    errors: Mapping[str, str],
    times: Mapping[str, tuple[str, str]],
) -> list[dict[str, Any]]:
    """The `documents` endpoint: every indexed article and every corpus file not indexed.

    Each row is a `cited docs --json` item plus "indexed_at", "error" (the reason the last
    build skipped the file, else None) and "status": "indexed", "changed" (the file differs
    from what was indexed), "removed" (the file is gone), "new" (not indexed yet) or
    "error".
    """
    on_disk = {name: path for name, path in corpus_files(corpus_dir)}
    indexed_hashes = loaded.manifest.source_files
    rows = []
    for item in list_documents(loaded.path, loaded):
        name = item["file"]
        path = on_disk.pop(name, None)
        status = "indexed"
        if path is None:
            status = "removed"
        elif indexed_hashes.get(name) not in (None, file_sha256(path)):
            status = "changed"
        when = times.get(name)
        rows.append(
            item
            | {"indexed_at": when[1] if when else None, "error": errors.get(name), "status": status}
        )
    for name in sorted(on_disk):
        rows.append(
            {
                "doc_id": None,
                "title": title_from_name(name),
                "file": name,
                "passages": 0,
                "caveats": [],
                "indexed_at": None,
                "error": errors.get(name),
                "status": "error" if name in errors else "new",
            }
        )
    return rows


def corpus_files(corpus_dir: Path) -> Iterable[tuple[str, Path]]:
    """(name relative to the corpus, path) of every file a build reads (`ingest.changes`)."""
    return changes.corpus_files(corpus_dir)


file_sha256 = changes.cached_sha256


def build_errors(loaded: LoadedIndex) -> dict[str, str]:
    """file -> why the build that made `loaded` skipped it, as its manifest records it."""
    return {failure.file: failure.error for failure in loaded.failures}


def index_facts(loaded: LoadedIndex) -> dict[str, Any]:
    """What the Library shows about the index: model, sizes, when and how fast it was built."""
    manifest = loaded.manifest.to_dict()
    counts = manifest.get("counts", {})
    facts = {
        "model": manifest["model_name"],
        "dimension": manifest["dimension"],
        "documents": counts.get("documents", 0),
        "passages": counts.get("passages", loaded.passage_count),
        "caveats": counts.get("caveats", 0),
        "built_at": manifest["built_at"],
        "build_seconds": manifest["build_seconds"],
        "version": loaded.version,
    }
    if isinstance(manifest.get("changes"), dict):
        facts["changes"] = manifest["changes"]
    return facts


# --- reading -----------------------------------------------------------------------------


def read_document(loaded: LoadedIndex, doc_id: str) -> dict[str, Any]:
    """The `read` endpoint: a document's text, its blocks with sections, and its caveats.

    Every span is a character range into "text"; "paragraph" is the ¶ number quote
    cards show (None for headings).
    """
    doc = loaded.document(doc_id) if isinstance(doc_id, str) else None
    if doc is None:
        raise LibraryError(
            f"no article with id {doc_id!r} in the index; choose one from the Library "
            "(or `cited docs`)"
        )
    numbered = paragraph_numbers(stored_blocks(loaded, doc))
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "file": doc.file,
        "text": doc.text,
        "passages": len(loaded.passages_of(doc.doc_id)),
        "blocks": [
            {
                "kind": block.kind,
                "start": block.start,
                "end": block.end,
                "section": block.section,
                "paragraph": number,
                "page": doc.page_at(block.start),
            }
            for block, number in numbered
        ],
        "caveats": [
            {"start": c.start, "end": c.end, "text": c.text, "kind": c.kind, "section": c.section}
            for _, c in loaded.caveats([doc.doc_id])
        ],
    }


def stored_blocks(loaded: LoadedIndex, doc: Document) -> list[Block]:
    """The blocks of `doc` as the build that made `loaded` read them (stored in the index,
    so Read's ¶ numbers are those of the build that made the quotes)."""
    return loaded.blocks(doc.doc_id)


def paragraph_at(numbered: Sequence[tuple[Block, int | None]], offset: int) -> int | None:
    """The ¶ number of the block holding `offset` (or the next numbered block after it)."""
    for block, number in numbered:
        if number is not None and offset < block.end:
            return number
    return None
