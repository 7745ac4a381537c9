"""The library: what the index holds, and the corpus files a user adds or removes.

Plain dicts for `cited docs --json` and the web UI's Library and Read views. Uploads are
checked by size, by extension *and* by content, get a sanitised name, and are linked into
the corpus folder so that an existing file is never overwritten; deletes only ever touch
a regular file inside the corpus folder.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from assistant.answer import source_of
from index.errors import CitedError
from index.loaded import LoadedIndex
from index.records import Caveat, Document, Passage
from ingest import changes, formats
from ingest.health import read_health
from ingest.structure import Block, blocks

#: What an upload may be: the readers ingest has.
UPLOAD_SUFFIXES = formats.SUFFIXES
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_FILES = 20
MAX_NAME_CHARS = 100
#: A block of one of these kinds gets a paragraph number (¶n); headings do not.
NUMBERED_KINDS = ("paragraph", "item", "label")

_UNSAFE_NAME = re.compile(r"[^\w.]+|_+")


class LibraryError(CitedError):
    """An upload or delete the library refuses, with the reason and what to do."""


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
                "title": _title_from_name(name),
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


def _title_from_name(name: str) -> str:
    words = re.sub(r"[-_\s]+", " ", PurePosixPath(name).stem).strip()
    return words[:1].upper() + words[1:]


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
    numbered = paragraph_numbers(doc)
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


def paragraph_numbers(doc: Document) -> list[tuple[Block, int | None]]:
    """Each block of the document with its ¶ number (paragraphs, items, labels count)."""
    numbered: list[tuple[Block, int | None]] = []
    count = 0
    for block in blocks(doc):
        if block.kind in NUMBERED_KINDS:
            count += 1
            numbered.append((block, count))
        else:
            numbered.append((block, None))
    return numbered


def paragraph_at(numbered: Sequence[tuple[Block, int | None]], offset: int) -> int | None:
    """The ¶ number of the block holding `offset` (or the next numbered block after it)."""
    for block, number in numbered:
        if number is not None and offset < block.end:
            return number
    return None


# --- changing the corpus -----------------------------------------------------------------


@dataclass(frozen=True)
class UploadResult:
    """Which uploads were saved (under which names) and which were refused, and why."""

    saved: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "saved": list(self.saved),
            "rejected": [{"file": f, "error": e} for f, e in self.rejected],
        }


def save_uploads(corpus_dir: Path, uploads: Sequence[tuple[str, Path]]) -> UploadResult:
    """Copy uploaded files (original name, temporary path) into the corpus folder.

    Each is checked alone: a bad file is refused with its reason, the others are saved.
    """
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []
    rejected: list[tuple[str, str]] = []
    for position, (original, path) in enumerate(uploads):
        try:
            if position >= MAX_UPLOAD_FILES:
                raise LibraryError(f"more than {MAX_UPLOAD_FILES} files at once; add the rest next")
            name = safe_name(original)
            _link_into(corpus_dir, name, read_upload(path, name))
            saved.append(name)
        except LibraryError as error:
            rejected.append((PurePosixPath(str(original).replace("\\", "/")).name, str(error)))
    return UploadResult(tuple(saved), tuple(rejected))


def safe_name(original: str) -> str:
    """A corpus file name for an upload: no folders, no hidden files, lower-case kebab-case.

    Raises LibraryError when the extension is not one ingest can read.
    """
    base = PurePosixPath(str(original).replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in UPLOAD_SUFFIXES:
        raise LibraryError(
            f"{base or 'the file'}: type {suffix or '(no extension)'} is not supported; "
            f"add {', '.join(UPLOAD_SUFFIXES)} files"
        )
    stem = _UNSAFE_NAME.sub("-", stem.lower()).strip("-.")
    stem = re.sub(r"\.+", ".", stem)[:MAX_NAME_CHARS].strip("-.") or "article"
    return stem + suffix


def read_upload(path: Path, name: str) -> bytes:
    """The bytes of an upload, or LibraryError when its size or content is wrong for `name`."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise LibraryError(
                f"{name}: {size / 1e6:.1f} MB is over the {MAX_UPLOAD_BYTES // 2**20} MB limit "
                "for one article"
            )
        data = Path(path).read_bytes()
    except OSError as error:
        raise LibraryError(f"{name}: the upload cannot be read ({error.strerror})") from None
    problem = content_problem(data, PurePosixPath(name).suffix)
    if problem:
        raise LibraryError(f"{name}: {problem}")
    return data


def content_problem(data: bytes, suffix: str) -> str | None:
    """Why `data` is not a file of type `suffix` (".txt", ".pdf", ...), or None if it is."""
    return formats.content_problem(data, suffix)


def _link_into(corpus_dir: Path, name: str, data: bytes) -> None:
    """Write `data` to corpus_dir/name, refusing (never replacing) an existing file.

    The bytes go to a hidden temporary file first (builds skip hidden files), which is
    then hard-linked to its name: the link fails if the name exists, so two uploads of
    the same name cannot overwrite each other and a reader never sees half a file."""
    target = corpus_dir / name
    if target.exists() or target.is_symlink():
        raise LibraryError(f"{name} is already in the library; delete it first to replace it")
    tmp = corpus_dir / f".upload-{secrets.token_hex(6)}.part"
    try:
        with tmp.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, target)
    except FileExistsError:
        raise LibraryError(
            f"{name} is already in the library; delete it first to replace it"
        ) from None
    except OSError as error:
        raise LibraryError(
            f"{name}: cannot save it in the corpus folder ({error.strerror})"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def delete_article(corpus_dir: Path, file: str) -> str:
    """Delete one file of the corpus folder, named as the Library lists it; returns the name.

    Only a regular, visible file inside the corpus folder can be deleted."""
    if not isinstance(file, str) or not file.strip():
        raise LibraryError("name the file to delete, as the Library lists it")
    relative = PurePosixPath(file.strip())
    parts = relative.parts
    if relative.is_absolute() or not parts or any(p in ("", ".", "..") for p in parts):
        raise LibraryError(f"{file!r} is not a file name inside the corpus folder")
    if any(p.startswith(".") for p in parts):
        raise LibraryError(f"{file!r} is a hidden file; the library only deletes articles")
    root = Path(corpus_dir).resolve()
    path = root.joinpath(*parts)
    if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
        raise LibraryError(f"{relative.as_posix()} is not in the library; nothing was deleted")
    try:
        path.unlink()
    except OSError as error:
        raise LibraryError(f"cannot delete {relative.as_posix()}: {error.strerror}") from None
    return relative.as_posix()
