"""Read one corpus file into a `Document`: its text, title, id and content hash.

The reader is chosen by the format registry (`ingest.formats`) from the file's suffix, or,
for a document name without one (README, copyright, README.Debian), from its content;
.txt, .md and .rst keep their decoded text (a text file less its terminal formatting), so
every quote can be found in the file;
.html keeps only the main text, one block a paragraph; .pdf joins page texts with blank
lines and records where each page starts. A compressed file (NEWS.md.gz, changelog.gz) is
read as its inner format: its text is the decompressed text, its name and hash the file's.
Anything unreadable raises `UnreadableFileError` with the reason; no library exception
escapes. Each file gets the budget of `Limits`: past its size or time (or, compressed,
its decompressed size) it is skipped by name.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from index.errors import UnreadableFileError
from index.records import Block, Document
from ingest.formats import (
    SUFFIXES,
    Limits,
    MarkedSpan,
    Reading,
    format_for,
    type_suffix,
    unsupported_reason,
)
from ingest.text import slugify

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = SUFFIXES
DEFAULT_LIMITS = Limits()
MAX_FILE_MB = DEFAULT_LIMITS.max_bytes // (1024 * 1024)  # larger files are not read


@dataclass(frozen=True)
class LoadedFile:
    """A document as read, with what its format knew: blocks, marked spans, notes."""

    document: Document
    blocks: tuple[Block, ...] | None = None
    marked: tuple[MarkedSpan, ...] = ()
    notes: tuple[str, ...] = ()


def load_document(path: Path, corpus_dir: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read `path` (inside `corpus_dir`) into a Document, or raise UnreadableFileError."""
    return load_file(path, corpus_dir, limits).document


def load_file(path: Path, corpus_dir: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedFile:
    """Read `path` with its format's reader, within `limits`; UnreadableFileError if not."""
    file = Path(path).relative_to(corpus_dir).as_posix() if _inside(path, corpus_dir) else str(path)
    fmt = format_for(Path(path).name)
    if fmt is None:
        raise UnreadableFileError(file, unsupported_reason(Path(path).name))
    raw = _read_bytes(Path(path), file, limits)
    if not raw.strip():
        raise UnreadableFileError(file, "empty file")
    started = time.monotonic()
    reading = fmt.read(raw, file, limits)
    _check_time(file, time.monotonic() - started, limits.seconds_for(len(reading.page_starts)))
    if not reading.text.strip():
        raise UnreadableFileError(file, "empty file")
    document = Document(
        doc_id=doc_id_for(file),
        file=file,
        title=reading.title or title_from_name(file),
        text=reading.text,
        sha256=hashlib.sha256(raw).hexdigest(),
        page_starts=reading.page_starts,
        boilerplate=tuple((m.start, m.end) for m in reading.boilerplate),
    )
    return LoadedFile(document, reading.blocks, reading.boilerplate, reading.notes)


def doc_id_for(file: str) -> str:
    """A corpus file's doc_id: "guides/No Contact.md" -> "guides-no-contact" (and
    "NEWS.md.gz" -> "news": a compression suffix is not part of the name)."""
    folder, _, name = file.rpartition("/")
    stem = _stem(name)
    return slugify(f"{folder}-{stem}" if folder else stem)


def title_from_name(file: str) -> str:
    """'notes/the-psychology-of-how-to.txt' -> 'The psychology of how to' (and
    'NEWS.md.gz' -> 'NEWS')."""
    words = re.sub(r"[-_\s]+", " ", _stem(file.rpartition("/")[2])).strip()
    return words[:1].upper() + words[1:]


def _stem(name: str) -> str:
    """The name without the suffixes that say how it is read ("NEWS.md.gz" -> "NEWS",
    "changelog.Debian.gz" -> "changelog.Debian"); ".hidden" keeps its dot."""
    suffix = type_suffix(name)
    return name[: len(name) - len(suffix)] if 0 < len(suffix) < len(name) else name


def _inside(path: Path, corpus_dir: Path) -> bool:
    return Path(path).is_relative_to(corpus_dir)


def _read_bytes(path: Path, file: str, limits: Limits) -> bytes:
    """The file's bytes, with OS errors and oversized files turned into UnreadableFileError."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise UnreadableFileError(
                file,
                f"file is {_size(size)}; cited reads articles up to {_size(limits.max_bytes)}",
            )
        return path.read_bytes()
    except OSError as e:
        raise UnreadableFileError(file, f"cannot read file: {e.strerror or e}") from e


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:,.0f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def _check_time(file: str, seconds: float, budget: float) -> None:
    """A file whose reading ran past its time budget is skipped, so the next build is quick."""
    if seconds > budget:
        raise UnreadableFileError(
            file,
            f"reading took {seconds:.1f} s, over the {budget:g} s this file may take; "
            "split the file or raise the limit",
        )


__all__ = ["LoadedFile", "Reading", "doc_id_for", "load_document", "load_file"]
