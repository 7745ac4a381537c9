"""Shared fixtures for the ingest tests: the shipped corpus and the real embedding model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.records import ChunkSettings, Document, Passage
from ingest.chunk import DEFAULT_SETTINGS, chunk_document
from ingest.clean import mark_boilerplate
from ingest.load import load_document

SHIPPED_CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _make_pdf(pages: list[str | None]) -> bytes:
    """A minimal valid PDF, one page per entry, each showing its text in Helvetica.

    A None page has no content stream at all (like a scanned page without a text layer).
    """
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture(scope="session")
def make_pdf() -> Callable[[list[str | None]], bytes]:
    """Builds a small hand-written PDF: one page per text (None: a page without text)."""
    return _make_pdf


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shipped corpus folder (read only)."""
    return SHIPPED_CORPUS


@pytest.fixture(scope="session")
def corpus_docs(corpus_dir: Path) -> dict[str, Document]:
    """The five shipped articles, loaded and cleaned, keyed by a short name."""
    short = {
        "how-to-make-him-miss-you-the-psychology-of-creating-genuine-connection-through-absence": (
            "him"
        ),
        "how-to-make-someone-miss-you-according-to-a-psychologist": "someone",
        "how-to-make-your-husband-miss-you-during-a-separation": "husband",
        "make-him-miss-you-why-you-have-to-leave-to-get-him-to-stay": "leave",
        "the-psychology-of-how-to-make-an-ex-miss-you": "ex",
    }
    paths = sorted(corpus_dir.glob("*.txt"))
    assert sorted(p.stem for p in paths) == sorted(short)
    return {short[p.stem]: mark_boilerplate(load_document(p, corpus_dir)) for p in paths}


@pytest.fixture(scope="session")
def count_tokens(embedder) -> Callable[[str], int]:
    """Token count with the model's own tokenizer (the session's one model)."""
    return embedder.count_tokens


@pytest.fixture(scope="session")
def chunk(embedder) -> Callable[..., list[Passage]]:
    """`chunk_document` counting tokens with the model's own tokenizer."""

    def chunk(doc: Document, settings: ChunkSettings = DEFAULT_SETTINGS) -> list[Passage]:
        return chunk_document(doc, embedder.span_counter(doc.text), settings)

    return chunk


@pytest.fixture(scope="session")
def embed(embedder) -> Callable[[list[str]], np.ndarray]:
    """Unit-length embeddings from the real model."""
    return embedder.encode
