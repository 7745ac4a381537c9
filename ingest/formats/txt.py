"""Plain text: the file's decoded content, unchanged, so every quote can be found in it.

Also the decoding every text format shares: utf-8 (BOM dropped), UTF-16/32 (by byte-order
mark, or by the zero bytes of ASCII text without one), else cp1252 or latin-1; binary data
is refused. A text formatted for a terminal (a manual page's overstrikes and ANSI escapes)
loses that formatting first (`ingest.formats.terminal`); nothing else changes. A manual
page's structure comes from its indentation (`ingest.formats.manpage`).
"""

from __future__ import annotations

import logging
import re

from index.errors import UnreadableFileError
from ingest.clean import EMPTY_BYLINE
from ingest.formats import manpage, terminal
from ingest.formats.base import Format, Limits, Reading
from ingest.structure import heading_text, is_heading_line

log = logging.getLogger(__name__)

MAX_CONTROL_RATIO = 0.05
#: Control characters other than tab, line feed, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
#: Byte-order marks, longest first (a UTF-32-LE mark starts like a UTF-16-LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: Signatures of files that are not text, and what each is (for refusals).
NOT_TEXT = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.epub)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"{\\rtf", "an RTF document"),
    # printable, but a page-drawing program: read as text it is all operators (man-db's
    # manual ships as .ps.gz beside its .txt.gz)
    (b"%!PS", "a PostScript file (convert it with ps2pdf)"),
)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)


def read(raw: bytes, file: str, limits: Limits) -> Reading:
    """Plain text: decoded verbatim (less terminal formatting); the title is the first line
    if it looks like one. A manual page saved as text is read by its layout (`manpage`)."""
    text, notes = decode_terminal_text(raw, file)
    page = manpage.read_layout(text)
    if page is None:
        return Reading(text=text, title=first_line_title(text), notes=notes)
    return Reading(
        text=text,
        title=page.title or first_line_title(text),
        blocks=page.blocks,
        boilerplate=page.furniture,
        notes=(*notes, manpage.NOTE),
    )


def decode_terminal_text(raw: bytes, file: str) -> tuple[str, tuple[str, ...]]:
    """`decode`, with overstrikes and ANSI escapes removed before the binary check (a
    manual in bold is 30 % backspaces), and the note saying so when there were any."""
    text, removed = terminal.strip_formatting(_decoded(raw, file))
    _check_controls(text, file)
    return text, (terminal.note(removed),) if removed else ()


def decode(raw: bytes, file: str) -> str:
    """The text of `raw`, or UnreadableFileError("binary data, not text").

    A utf-8 file with a few stray bytes (copied from a legacy page) stays utf-8, each stray
    byte shown as U+FFFD, rather than turning every accent into mojibake."""
    text = _decoded(raw, file)
    _check_controls(text, file)
    return text


def _decoded(raw: bytes, file: str) -> str:
    wide = _wide_encoding(raw)
    if wide:
        try:
            raw = raw.decode(wide).encode("utf-8")
        except UnicodeDecodeError as e:
            raise UnreadableFileError(file, "binary data, not text") from e
    if b"\x00" in raw:
        raise UnreadableFileError(file, "binary data, not text")
    return _decode_with_fallback(raw, file)


def _check_controls(text: str, file: str) -> None:
    if _CONTROL.subn("", text)[1] > MAX_CONTROL_RATIO * len(text):
        raise UnreadableFileError(file, "binary data, not text")


def is_text(head: bytes) -> bool:
    """Do these first bytes look like text (no NUL bytes unless UTF-16/32)?"""
    return bool(head.strip()) and (b"\x00" not in head or _wide_encoding(head) is not None)


def looks_like_html_page(head: bytes) -> bool:
    """Does the file start as an HTML document does?"""
    return bool(_HTML_START.match(head[:512]))


def first_line_title(text: str) -> str | None:
    """The first non-blank line that is not an empty byline, if it is shaped like a title."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or EMPTY_BYLINE.fullmatch(stripped):
            continue
        return heading_text(stripped) if is_heading_line(stripped) else None
    return None


def _wide_encoding(raw: bytes) -> str | None:
    """ "utf-16"/"utf-32" (with the byte order) when `raw` is text in one of them."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[: 4096 - 4096 % 4]
    if len(head) < 8:
        return None
    # ASCII-range text without a mark: every 2nd (or 3 of 4) bytes are zero.
    for name, width, zero_at in (
        ("utf-32-le", 4, (1, 2, 3)),
        ("utf-32-be", 4, (0, 1, 2)),
        ("utf-16-le", 2, (1,)),
        ("utf-16-be", 2, (0,)),
    ):
        units = len(head) // width
        zeros = sum(head[i + z] == 0 for i in range(0, units * width, width) for z in zero_at)
        if zeros >= 0.9 * units * len(zero_at) and head.count(0) <= zeros + units // 10:
            return name
    return None


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


def sniff_plain(head: bytes) -> bool:
    """Text that is not an HTML page and does not start like a known binary format."""
    if any(head.startswith(magic) for magic, _ in NOT_TEXT):
        return False
    return is_text(head) and not looks_like_html_page(head)


FORMAT = Format(
    name="text file",
    suffixes=(".txt",),
    read=read,
    sniff=sniff_plain,
    mismatch="the content is binary data, not text",
)
