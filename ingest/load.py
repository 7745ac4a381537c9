"""Read one corpus file into a `Document`: its text, title, id and content hash.

.txt and .md keep their decoded text unchanged, so every quote can be found in the file;
.html keeps only the main text, one block a paragraph; .pdf joins page texts with blank
lines and records where each page starts. Anything unreadable raises
`UnreadableFileError` with the reason; no library exception escapes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from index.errors import UnreadableFileError
from index.records import Document
from ingest.clean import EMPTY_BYLINE
from ingest.formats.base import Limits
from ingest.formats.pdf import read_pdf
from ingest.structure import heading_text, is_heading_line
from ingest.text import slugify

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")

MAX_CONTROL_RATIO = 0.05
DEFAULT_LIMITS = Limits()
MAX_FILE_MB = 200  # larger files are reported, not read into memory
_DROPPED_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (
    *_HEADING_TAGS,
    *("p", "li", "blockquote", "pre", "dt", "dd", "figcaption", "td", "th", "caption"),
    *("div", "section", "article", "main", "table", "ul", "ol", "dl", "body"),
)


def load_document(path: Path, corpus_dir: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read `path` (inside `corpus_dir`) into a Document, or raise UnreadableFileError."""
    file = path.relative_to(corpus_dir).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFileError(
            file,
            f"unsupported file type {suffix or '(none)'!r}; use {', '.join(SUPPORTED_SUFFIXES)}",
        )
    raw = _read_bytes(path, file)
    if not raw.strip():
        raise UnreadableFileError(file, "empty file")
    if suffix == ".pdf":  # the first format of the registry (ingest/formats/)
        return _pdf_document(path, file, raw, limits)
    text, title, page_starts = _READERS[suffix](raw, file)
    if not text.strip():
        raise UnreadableFileError(file, "empty file")
    return Document(
        doc_id=doc_id_for(file),
        file=file,
        title=title or _title_from_name(path),
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        page_starts=page_starts,
    )


def doc_id_for(file: str) -> str:
    """A corpus file's doc_id: "guides/No Contact.md" -> "guides-no-contact"."""
    folder, _, name = file.rpartition("/")
    dot = name.rfind(".")
    stem = name[:dot] if dot > 0 else name  # as Path.with_suffix(""): ".hidden" keeps its dot
    return slugify(f"{folder}-{stem}" if folder else stem)


def _read_bytes(path: Path, file: str) -> bytes:
    """The file's bytes, with OS errors and oversized files turned into UnreadableFileError."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_MB * 1024 * 1024:
            raise UnreadableFileError(
                file,
                f"file is {size / 1024 / 1024:,.0f} MB; cited reads articles up to "
                f"{MAX_FILE_MB} MB",
            )
        return path.read_bytes()
    except OSError as e:
        raise UnreadableFileError(file, f"cannot read file: {e.strerror or e}") from e


def _read_text(raw: bytes, file: str) -> tuple[str, str | None, tuple[int, ...]]:
    """Plain text: decoded verbatim; title is the first line if it looks like one."""
    text = _decode(raw, file)
    return text, _first_line_title(text), ()


def _read_markdown(raw: bytes, file: str) -> tuple[str, str | None, tuple[int, ...]]:
    """Markdown: decoded verbatim; title is the first '# ' heading."""
    text = _decode(raw, file)
    match = re.search(r"^[ \t]*#[ \t]+(.+?)[ \t#]*$", text, re.MULTILINE)
    return text, match.group(1).strip() if match else None, ()


#: Control characters other than tab, line feed, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _decode(raw: bytes, file: str) -> str:
    """utf-8 (a BOM dropped); else cp1252 or latin-1; refuse binary data.

    A utf-8 file with a few stray bytes (copied from a legacy page) stays utf-8, each
    stray byte shown as U+FFFD, rather than turning every accent into mojibake."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = _utf16_to_utf8(raw, file)
    if b"\x00" in raw:
        raise UnreadableFileError(file, "binary data, not text")
    text = _decode_with_fallback(raw, file)
    if _CONTROL.subn("", text)[1] > MAX_CONTROL_RATIO * len(text):
        raise UnreadableFileError(file, "binary data, not text")
    return text


def _decode_with_fallback(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.debug("%s is not valid utf-8", file)
    lenient = raw.decode("utf-8-sig", errors="replace")
    stray = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) > 127) - stray > stray:
        log.warning("%s: %d bytes that are not utf-8 were replaced by U+FFFD", file, stray)
        return lenient
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _utf16_to_utf8(raw: bytes, file: str) -> bytes:
    """Re-encode a UTF-16 file (it has a byte-order mark) so the usual checks apply."""
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as e:
        raise UnreadableFileError(file, "binary data, not text") from e


def _first_line_title(text: str) -> str | None:
    """The first non-blank line that is not an empty byline, if it is shaped like a title."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or EMPTY_BYLINE.fullmatch(stripped):
            continue
        return heading_text(stripped) if is_heading_line(stripped) else None
    return None


def _title_from_name(path: Path) -> str:
    """'the-psychology-of-how-to' -> 'The psychology of how to'."""
    words = re.sub(r"[-_\s]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:]


def _read_html(raw: bytes, file: str) -> tuple[str, str | None, tuple[int, ...]]:
    """HTML: main text only, one line per block, blocks separated by blank lines."""
    try:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(raw, "html.parser")
        title = _html_title(soup)
        for tag in soup(_DROPPED_TAGS):
            tag.decompose()
        for br in soup("br"):
            br.replace_with(" ")
        root = soup.find("main") or soup.find("article") or soup.body or soup
        text = "\n\n".join(_html_blocks(root))
    except Exception as e:  # bs4 raises many kinds on malformed input
        raise UnreadableFileError(file, f"not readable HTML: {e}") from e
    return text, title, ()


def _html_title(soup) -> str | None:
    """The first <h1>'s text, else the <title>."""
    for tag in (soup.find("h1"), soup.find("title")):
        if tag is not None and tag.get_text(strip=True):
            return _squash(tag.get_text())
    return None


def _html_blocks(root) -> list[str]:
    """Text of each innermost block element; list items get a '- ' marker."""
    lines: list[str] = []
    for element in root.find_all(_BLOCK_TAGS):
        if element.find(_BLOCK_TAGS) is not None and element.name not in ("p", *_HEADING_TAGS):
            continue
        line = _squash(element.get_text())
        if line:
            lines.append(f"- {line}" if element.name == "li" else line)
    if not lines:
        lines = [_squash(root.get_text(" "))]
    return [line for line in lines if line]


def _squash(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return re.sub(r"\s+", " ", text).strip()


def _pdf_document(path: Path, file: str, raw: bytes, limits: Limits) -> Document:
    """A PDF read with its own structure (ingest/formats/pdf.py)."""
    reading = read_pdf(raw, file, limits)
    return Document(
        doc_id=doc_id_for(file),
        file=file,
        title=reading.title or _title_from_name(path),
        text=reading.text,
        sha256=hashlib.sha256(raw).hexdigest(),
        page_starts=reading.page_starts,
        boilerplate=tuple((span.start, span.end) for span in reading.boilerplate),
        blocks=reading.blocks or (),
    )


_READERS = {
    ".txt": _read_text,
    ".md": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
}
