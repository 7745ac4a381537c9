"""THE format registry: which files cited reads, how each is recognised, and how it is read.

One module per format (txt, markdown, rst, html, pdf) exposes `FORMAT`; adding a format is a
new module listed in `_MODULES` (plus its tests). Everything else asks here: the suffixes
ingest accepts, the phrase for messages, and whether an upload's bytes are what its name says.
A document name with no format suffix (`README`, `copyright`, `README.Debian`: see `names`)
is read by its content (`BY_CONTENT`). Any of them may also come compressed (`NEWS.md.gz`,
`changelog.gz`): `compressed` unwraps those, and `format_for` names a format that unwraps,
then reads as the inner name would be read, by the same rule.
"""

from __future__ import annotations

import functools
import importlib

from index.errors import UnreadableFileError
from ingest.formats import compressed
from ingest.formats.base import Format, Limits, MarkedSpan, Reading
from ingest.formats.compressed import COMPRESSIONS, compression_for, inner_name
from ingest.formats.names import is_backup, reads_by_content
from ingest.formats.txt import NOT_TEXT

__all__ = [
    "COMPRESSED_SUFFIXES",
    "FORMATS",
    "SUFFIXES",
    "Format",
    "Limits",
    "MarkedSpan",
    "Reading",
]

#: Bytes from the start of a file that sniffing looks at.
SNIFF_BYTES = 65536
_MODULES = ("txt", "markdown", "rst", "html", "pdf")
#: Text formats accept any text, so they are never named as "what the content really is".
_TEXT_MODULES = ("txt", "markdown", "rst")


def _load(name: str) -> Format:
    return importlib.import_module(f"ingest.formats.{name}").FORMAT


FORMATS: tuple[Format, ...] = tuple(_load(name) for name in _MODULES)
_TEXT_FORMATS = tuple(_load(name) for name in _TEXT_MODULES)
#: Every suffix a corpus file may have, in the order messages list them.
SUFFIXES: tuple[str, ...] = tuple(s for f in FORMATS for s in f.suffixes)
_BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}
#: The compression suffixes any of those may carry on top (".md.gz", "changelog.gz").
COMPRESSED_SUFFIXES: tuple[str, ...] = tuple(c.suffix for c in COMPRESSIONS)


def format_for(name: str) -> Format | None:
    """The format of a file named `name`, or None if cited cannot read it.

    The suffix decides ("a.md": Markdown); a document name without one ("README",
    "copyright", "README.Debian") is read by its content (`BY_CONTENT`). A compressed name
    gets a format that unwraps it, then reads it as its inner name says by the same rule
    ("NEWS.md.gz": Markdown, "changelog.Debian.gz": by content, "data.json.gz": None)."""
    packing = compression_for(name)
    inner = _plain_format(inner_name(name))
    if packing is None or inner is None:
        return inner
    return _wrapped(packing, inner)


def _plain_format(name: str) -> Format | None:
    fmt = _BY_SUFFIX.get(_last_suffix(name))
    return fmt if fmt is not None or not reads_by_content(name) else BY_CONTENT


def type_suffix(name: str) -> str:
    """The suffixes that decide how `name` is read: ".md" for "a.b.md", ".md.gz" for
    "NEWS.md.gz", ".gz" for "changelog.Debian.gz" and "" for "README" (read by content),
    ".json" for "data.json" (a type cited does not read)."""
    packing = compression_for(name)
    inner = inner_name(name)
    own = _last_suffix(inner)
    if own not in _BY_SUFFIX and reads_by_content(inner):
        own = ""
    return own + (packing.suffix if packing else "")


def _last_suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > name.rfind("/") else ""


def unsupported_reason(name: str) -> str:
    """Why a file named `name` that no format reads is refused, with what to add instead."""
    if is_backup(name):
        return "an editor backup, not an article; cited reads the file it backs up"
    suffix = type_suffix(name)
    known = _KNOWN_TYPES.get(_last_suffix(inner_name(name)))
    return f"unsupported file type {suffix or '(none)'!r}; " + (known or f"use {suffix_list()}")


#: A tar archive, by its name or its content.
TAR = (
    "it is a tar archive of several files; unpack it and add the documents themselves "
    "to the corpus folder"
)
#: Types whose refusal can say more than "unsupported" (/usr/share/doc ships these).
_KNOWN_TYPES = {
    ".tar": TAR,
    ".ps": "it is a PostScript file (convert it with ps2pdf and add the PDF)",
}


def suffix_list() -> str:
    """ ".txt, .md, .html, .htm, .pdf, each also as .gz, .bz2 or .xz": every accepted suffix."""
    packed = ", ".join(COMPRESSED_SUFFIXES[:-1]) + f" or {COMPRESSED_SUFFIXES[-1]}"
    return f"{', '.join(SUFFIXES)}, each also compressed as {packed}"


def kinds_phrase() -> str:
    """ ".txt, .md, .html or .pdf": one suffix a format, for "add ... articles"."""
    main = [f.suffixes[0] for f in FORMATS]
    return ", ".join(main[:-1]) + f" or {main[-1]}" if len(main) > 1 else main[0]


def content_problem(data: bytes, suffix: str) -> str | None:
    """Why `data` is not a file of type `suffix` (".txt", ".pdf", ".md.gz", ".gz", ...), or
    None if it is. Compressed data is unwrapped (within the size budget) to check it all."""
    if not data.strip():
        return "the file is empty"
    claimed = format_for(f"file{suffix}")
    if claimed is None:
        return f"type {suffix or '(no extension)'} is not supported; add {suffix_list()} files"
    head = data[:SNIFF_BYTES]
    packing = compression_for(suffix)
    if packing is not None and packing.sniff(head):
        return _compressed_problem(data, suffix, packing)
    if claimed.sniff(head):
        return None
    other = next((f for f in FORMATS if f not in _TEXT_FORMATS and f.sniff(head)), None)
    if other is not None and other is not claimed:
        return f"the content is {_a(other.name)}; save it with the {other.suffixes[0]} extension"
    packed = next((c for c in COMPRESSIONS if c.sniff(head)), None)
    if packed is not None:
        return f"the content is {packed.name}-compressed; add {packed.suffix} to its name"
    known = next((what for magic, what in NOT_TEXT if data.startswith(magic)), None)
    if known:
        return f"the content is {known}, not text; add it with the right extension or as text"
    return claimed.mismatch or f"the content is not {_a(claimed.name)}"


def _compressed_problem(data: bytes, suffix: str, packing: compressed.Compression) -> str | None:
    """Why compressed `data` is not a `suffix` file: damaged, too big, or the wrong inside."""
    try:
        head = compressed.decompressed_head(data, "", packing, Limits().max_bytes, SNIFF_BYTES)
    except UnreadableFileError as error:
        return error.reason
    if compressed.is_compressed(head):
        return compressed.TWICE
    inner = inner_name(suffix)
    if inner in _BY_SUFFIX:
        return content_problem(head, inner)
    return None if format_of_content(head) else content_refusal(head)


def content_refusal(head: bytes) -> str:
    """Why content that no reader takes is refused (an archive, an image, binary data)."""
    if head[257:262] == b"ustar":
        return TAR
    packed = next((c for c in COMPRESSIONS if c.sniff(head)), None)
    if packed is not None:
        return f"the content is {packed.name}-compressed; add {packed.suffix} to its name"
    known = next((what for magic, what in NOT_TEXT if head.startswith(magic)), "binary data")
    return f"its content is {known}, not a document cited reads"


def suffix_for_content(head: bytes) -> str | None:
    """The suffix the first bytes of a nameless file show (".pdf", ".html", ".txt", ".gz"),
    or None when no format reads them: formats that recognise their own bytes come first,
    text (which accepts any text) last."""
    packed = next((c for c in COMPRESSIONS if c.sniff(head)), None)
    if packed is not None:
        return packed.suffix
    fmt = format_of_content(head)
    return fmt.suffixes[0] if fmt is not None else None


def format_of_content(head: bytes) -> Format | None:
    """The (uncompressed) format whose bytes these are, or None: formats that recognise
    their own bytes first, text (which accepts any text) last."""
    other = next((f for f in FORMATS if f not in _TEXT_FORMATS and f.sniff(head)), None)
    if other is not None:
        return other
    return next((f for f in _TEXT_FORMATS if f.sniff(head)), None)


def _read_by_content(raw: bytes, file: str, limits: Limits) -> Reading:
    """A document whose name gives no format, read as its first bytes show."""
    head = raw[:SNIFF_BYTES]
    fmt = format_of_content(head)
    if fmt is None:
        raise UnreadableFileError(file, content_refusal(head))
    return fmt.read(raw, file, limits)


#: The format of a document name without a format suffix (README, copyright, README.Debian).
BY_CONTENT = Format(
    name="document",
    suffixes=("",),
    read=_read_by_content,
    sniff=lambda head: format_of_content(head) is not None,
    mismatch="the content is binary data, not a document cited reads",
)


@functools.cache
def _wrapped(packing: compressed.Compression, inner: Format) -> Format:
    """The format of `inner` compressed with `packing`."""
    return compressed.wrap(packing, inner)


def _a(name: str) -> str:
    """The name with its article: "a PDF", "an HTML page", "a text file"."""
    acronym = name[:2].isupper()
    vowel_sound = name[:1] in ("AEFHILMNORSX" if acronym else "aeiouAEIOU")
    return f"{'an' if vowel_sound else 'a'} {name}"
