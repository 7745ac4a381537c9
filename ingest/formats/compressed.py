"""Compressed documents (.gz, .bz2, .xz): unwrapped within a budget, read as their inner format.

`X.md.gz` is Markdown once unwrapped, `X.pdf.gz` a PDF; an inner name that is a document
name without a format suffix (`changelog.gz`, `changelog.Debian.gz`, `README.gz`) is read by
its decompressed content, as the uncompressed file would be (the registry's one rule, in
`ingest.formats.format_for`). The text quotes are cut from is the decompressed text, so
offsets count in it; the file's name, and its content hash, stay those of the real file.

Decompression streams and stops as soon as the output passes the file size budget
(`Limits.max_bytes`): a gzip bomb costs at most that much memory, and a corrupt or cut-off
file is refused in one line, never a library traceback.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from index.errors import UnreadableFileError
from ingest.formats.base import Format, Limits, Reading

#: Decompressed bytes read at a time: big enough to be quick, small enough to stop early.
CHUNK_BYTES = 1024 * 1024
#: What a damaged stream raises in the three stdlib decompressors (OSError covers
#: gzip.BadGzipFile and bz2's "Invalid data stream"; EOFError a stream cut short).
_DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError)


@dataclass(frozen=True)
class Compression:
    """One compression cited unwraps: its suffix, its name in messages, its first bytes."""

    suffix: str
    name: str
    magic: bytes
    open: Callable[[BinaryIO], Any]  # gzip.open, bz2.open, lzma.open: a binary stream

    def sniff(self, head: bytes) -> bool:
        return head.startswith(self.magic)


COMPRESSIONS: tuple[Compression, ...] = (
    Compression(".gz", "gzip", b"\x1f\x8b", gzip.open),
    Compression(".bz2", "bzip2", b"BZh", bz2.open),
    Compression(".xz", "xz", b"\xfd7zXZ\x00", lzma.open),
)
_BY_SUFFIX = {c.suffix: c for c in COMPRESSIONS}

#: Content compressed inside compressed content.
TWICE = "it is compressed twice; decompress it once and add the result"


def compression_for(name: str) -> Compression | None:
    """The compression a file named `name` says it has (by its last suffix), or None."""
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:].lower()) if dot > name.rfind("/") else None


def inner_name(name: str) -> str:
    """The name without its compression suffix: "NEWS.md.gz" -> "NEWS.md"."""
    return name[: name.rfind(".")] if compression_for(name) else name


def decompress(raw: bytes, file: str, compression: Compression, limit: int) -> bytes:
    """All of `raw` decompressed, or UnreadableFileError once past `limit` bytes or damaged."""
    return b"".join(_chunks(raw, file, compression, limit))


def decompressed_head(raw: bytes, file: str, compression: Compression, limit: int, size: int):
    """The first `size` decompressed bytes, after checking the whole stream (damage, limit)
    without keeping more than one chunk of it."""
    head = bytearray()
    for chunk in _chunks(raw, file, compression, limit):
        head += chunk[: max(0, size - len(head))]
    return bytes(head)


def _chunks(raw: bytes, file: str, compression: Compression, limit: int) -> Iterator[bytes]:
    if not compression.sniff(raw):
        raise UnreadableFileError(file, _not_compressed(compression))
    total = 0
    try:
        with compression.open(io.BytesIO(raw)) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                total += len(chunk)
                if total > limit:
                    raise UnreadableFileError(file, _too_big(limit))
                yield chunk
    except EOFError as error:
        raise UnreadableFileError(file, _truncated(compression)) from error
    except _DAMAGED as error:
        raise UnreadableFileError(file, _damaged(compression, error)) from error


def is_compressed(head: bytes) -> bool:
    """Do these bytes start as one of the compressions does?"""
    return any(c.sniff(head) for c in COMPRESSIONS)


def wrap(compression: Compression, inner: Format) -> Format:
    """The format of `X<inner suffix><compression suffix>`: unwrap, then read as `inner`."""

    def read(raw: bytes, file: str, limits: Limits) -> Reading:
        data = decompress(raw, file, compression, limits.max_bytes)
        if is_compressed(data):
            raise UnreadableFileError(file, TWICE)
        return inner.read(data, file, limits)

    return Format(
        name=f"{compression.name}-compressed {inner.name}",
        suffixes=(compression.suffix,),
        read=read,
        sniff=compression.sniff,
        mismatch=_not_compressed(compression),
    )


def _not_compressed(compression: Compression) -> str:
    return (
        f"the name ends {compression.suffix} but the content is not {compression.name} "
        f"data; remove {compression.suffix} from the name if it is not compressed"
    )


def _too_big(limit: int) -> str:
    mb = limit // (1024 * 1024)
    return (
        f"decompresses to more than {mb:,} MB (cited reads articles up to {mb:,} MB); "
        "decompress it and split it into smaller files"
    )


def _truncated(compression: Compression) -> str:
    return (
        f"the {compression.name} data ends early (the file is truncated); "
        "copy or download it again in full"
    )


def _damaged(compression: Compression, error: Exception) -> str:
    detail = str(error).strip() or type(error).__name__
    return (
        f"the {compression.name} data is damaged ({detail}); "
        "copy or download it again, or add the uncompressed file"
    )
