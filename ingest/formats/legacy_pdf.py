"""PDF as cited read it before `ingest/formats/pdf.py`: page texts joined by blank lines.

A thin registration of the sandboxed pypdf reader (`ingest/sandbox.py`); the registry
uses `ingest.formats.pdf` instead whenever that module exists.
"""

from __future__ import annotations

from index.errors import UnreadableFileError
from ingest.formats.base import Format, Limits, Reading
from ingest.formats.txt import first_line_title
from ingest.sandbox import pdf_pages

PDF_MAGIC = b"%PDF-"


def read(raw: bytes, file: str, limits: Limits) -> Reading:
    """Page texts joined by blank lines, with the offset where each page starts."""
    if PDF_MAGIC not in raw[:1024]:
        raise UnreadableFileError(file, f"not a PDF: {_looks_like(raw)}")
    if b"%%EOF" not in raw[-2048:]:
        raise UnreadableFileError(
            file, "truncated PDF: it does not end with %%EOF; download or export it again"
        )
    pages = pdf_pages(raw, file)
    if not any(page.strip() for page in pages):
        raise UnreadableFileError(file, "no extractable text (scanned PDF?)")
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 2
    text = "\n\n".join(pages)
    return Reading(text=text, title=first_line_title(text), page_starts=tuple(starts))


def _looks_like(raw: bytes) -> str:
    """What a file that claims to be a PDF seems to be instead, for the error message."""
    head = raw[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "it is an HTML page (rename it to .html?)"
    if b"\x00" in head:
        return "its content is binary data of another kind"
    return "it does not start with %PDF-"


def _sniff(head: bytes) -> bool:
    return PDF_MAGIC in head[:1024]


FORMAT = Format(name="PDF", suffixes=(".pdf",), read=read, sniff=_sniff)
