"""Tools for the reliability tests: hand-written PDFs (good and hostile), running the real
`cited` command, reading a process's memory. Fixtures are in conftest.py."""

from __future__ import annotations

import importlib.util
import io
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "corpus"


def _load_e2e_helpers():
    """tests/e2e/conftest.py's server helpers (free_port, wait_until_up, Server, stop_server)."""
    spec = importlib.util.spec_from_file_location(
        "cited_e2e_helpers", REPO / "tests" / "e2e" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


e2e = _load_e2e_helpers()


# --- running the real command --------------------------------------------------------------

from tests.command import cited  # noqa: E402,F401  (the reliability tests import it from here)

# --- PDFs written by hand -------------------------------------------------------------------

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def pdf_file(objects: Sequence[bytes], prev_points_to_itself: bool = False) -> bytes:
    """A PDF holding `objects` (numbered from 1; object 1 is the catalog) and a valid xref.

    With `prev_points_to_itself` the trailer's /Prev names the same xref table: a loop.
    """
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    prev = b" /Prev %d" % xref if prev_points_to_itself else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        prev,
        xref,
    )
    return bytes(out)


def stream(data: bytes, filters: int = 0) -> bytes:
    """A stream object; `filters` times FlateDecode-compressed (nested compression)."""
    for _ in range(filters):
        data = zlib.compress(data, 6)
    names = b" ".join([b"/FlateDecode"] * filters)
    filter_entry = b" /Filter [%s]" % names if filters else b""
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), filter_entry, data)


def page(contents: bytes, parent: int = 2, resources: bytes = b"/Font << /F1 3 0 R >>") -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << %s >> "
        b"/Contents %s >>" % (parent, resources, contents)
    )


def show(text: str) -> bytes:
    """A content stream that shows `text` in Helvetica."""
    return b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1")


def pages_pdf(
    contents: Sequence[bytes], filters: int = 0, prev_points_to_itself: bool = False
) -> bytes:
    """One page per content stream: catalog, page tree, font, pages, then streams."""
    n = len(contents)
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objects = [CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n), FONT]
    objects += [page(b"%d 0 R" % (4 + n + i)) for i in range(n)]
    objects += [stream(c, filters) for c in contents]
    return pdf_file(objects, prev_points_to_itself)


def text_pdf(*texts: str) -> bytes:
    """An ordinary PDF, one page per text."""
    return pages_pdf([show(t) for t in texts])


def circular_xref_pdf(*texts: str) -> bytes:
    """Readable pages, but the trailer's /Prev points back at its own xref table."""
    return pages_pdf([show(t) for t in texts], prev_points_to_itself=True)


def cyclic_page_tree_pdf() -> bytes:
    """A page tree whose root lists itself among its kids."""
    objects = [CATALOG, b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>", FONT]
    objects += [page(b"5 0 R"), stream(show("never reached"))]
    return pdf_file(objects)


def self_drawing_form_pdf() -> bytes:
    """A form XObject that draws itself: rendering it naively never ends."""
    body = b"BT /F1 12 Tf 72 720 Td (again) Tj ET /X1 Do"
    form = (
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << "
        b"/XObject << /X1 6 0 R >> /Font << /F1 3 0 R >> >> /Length %d >>\nstream\n%s\n"
        b"endstream" % (len(body), body)
    )
    resources = b"/Font << /F1 3 0 R >> /XObject << /X1 6 0 R >>"
    objects = [CATALOG, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", FONT]
    objects += [page(b"5 0 R", resources=resources), stream(b"/X1 Do"), form]
    return pdf_file(objects)


def nested_bomb_pdf() -> bytes:
    """One stream, compressed three times over, that inflates to 80 MB of spaces."""
    inner = zlib.compressobj(9)
    block = b" " * (1 << 24)
    once = b"".join(inner.compress(block) for _ in range(5)) + inner.flush()
    data = zlib.compress(zlib.compress(once, 9), 9)
    body = b"<< /Length %d /Filter [/FlateDecode /FlateDecode /FlateDecode] >>\nstream\n%s\n"
    objects = [CATALOG, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", FONT]
    objects += [page(b"5 0 R"), body % (len(data), data) + b"endstream"]
    return pdf_file(objects)


def repeated_stream_bomb_pdf() -> bytes:
    """A page whose contents list one 64 MB (inflated) stream 200 times: 12.8 GB of text."""
    refs = b" ".join([b"5 0 R"] * 200)
    objects = [CATALOG, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", FONT]
    objects += [page(b"[%s]" % refs), stream(b" " * (64 << 20), filters=2)]
    return pdf_file(objects)


def huge_page_tree_pdf() -> bytes:
    """A page tree of 1000 x 1000 x 1000 pages built from three shared nodes: 19 KB."""
    leaf_kids = b" ".join([b"7 0 R"] * 1000)
    mid_kids = b" ".join([b"6 0 R"] * 1000)
    top_kids = b" ".join([b"5 0 R"] * 1000)
    objects = [
        CATALOG,
        b"<< /Type /Pages /Kids [%s] /Count 1000000000 >>" % top_kids,
        FONT,
        stream(show("one of a billion pages")),
        b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count 1000000 >>" % mid_kids,
        b"<< /Type /Pages /Parent 5 0 R /Kids [%s] /Count 1000 >>" % leaf_kids,
        page(b"4 0 R", parent=6),
    ]
    return pdf_file(objects)


def slow_pdf(pages: int = 200) -> bytes:
    """Pages of 40,000 text operations each: minutes of parsing, a few KB on disk."""
    content = b"BT /F1 12 Tf 1 0 0 1 72 720 Tm (a) Tj ET\n" * 40_000
    return pages_pdf([content] * pages, filters=1)


def memory_hungry_pdf(pages: int = 2) -> bytes:
    """Pages that each show one 60 MB string: within pypdf's limits, gigabytes to extract."""
    content = b"BT /F1 12 Tf 72 720 Td (" + b"a" * 60_000_000 + b") Tj ET"
    return pages_pdf([content] * pages, filters=1)


def encrypted_pdf(text: str, password: str = "secret") -> bytes:
    """An ordinary PDF locked with a user password (RC4, no extra crypto library needed)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(text))))
    writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- a real server ---------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """Resident memory of a process, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")
