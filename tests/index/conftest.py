"""Fixtures for the index tests: a tiny corpus of records, published with the real model
through IndexWriter, as a build publishes.

The session-wide `embedder` fixture (the real packaged model, loaded once) comes from
tests/conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.embed import Embedder
from index.records import Caveat, Document, Passage, StoredDocument
from index.writer import BuildNotes, IndexWriter
from ingest.sentences import SentenceVectors, sentence_units

ARTICLES = {
    "sleep": (
        "Why sleep matters",
        [
            "Adults need seven to nine hours of sleep every night to stay healthy.",
            "A dark, cool bedroom helps you fall asleep faster.",
        ],
    ),
    "garden": (
        "Growing tomatoes",
        [
            "Tomatoes need at least six hours of direct sunlight each day.",
            "Water the plants deeply at the base, not on the leaves.",
        ],
    ),
    "money": (
        "Saving money",
        [
            "Put a fixed share of every paycheck into a savings account before spending.",
            "Cancel subscriptions you have not used in the last month.",
        ],
    ),
}
CAVEAT_TEXT = "This advice is no guarantee and never replaces a doctor."


Records = tuple[list[Document], list[Passage], list[Caveat]]


def make_records() -> Records:
    """Documents whose passages are the paragraphs of ARTICLES; one caveat in "sleep"."""
    documents, passages, caveats = [], [], []
    for doc_id, (title, paragraphs) in ARTICLES.items():
        text = "\n\n".join([*paragraphs, CAVEAT_TEXT] if doc_id == "sleep" else paragraphs)
        documents.append(Document(doc_id, f"{doc_id}.txt", title, text, "0" * 64))
        for ordinal, paragraph in enumerate(paragraphs):
            start = text.index(paragraph)
            passages.append(
                Passage(doc_id, ordinal, title, start, start + len(paragraph), paragraph)
            )
        if doc_id == "sleep":
            start = text.index(CAVEAT_TEXT)
            caveats.append(
                Caveat(doc_id, start, start + len(CAVEAT_TEXT), CAVEAT_TEXT, "guarantee", title)
            )
    return documents, passages, caveats


@pytest.fixture
def records() -> Records:
    """Fresh documents, passages and caveats of the ARTICLES corpus."""
    return make_records()


PublishFn = Callable[..., Path]

#: chunk settings the small index is stamped with
CHUNKS = {"max_tokens": 256, "target_tokens": 160}


def unit_sentences(passages: list[Passage], embedder: Embedder) -> SentenceVectors:
    """The sentence units of `passages` (row i is passage id i), embedded for real, as a
    build stores them."""
    rows = [(pid, s, e) for pid, p in enumerate(passages) for s, e in sentence_units(p.text)]
    texts = [passages[pid].text[s:e] for pid, s, e in rows]
    return SentenceVectors(np.asarray(rows, dtype=np.int64).reshape(-1, 3), embedder.encode(texts))


def stored_documents(
    documents: list[Document],
    passages: list[Passage],
    caveats: list[Caveat],
    passage_vectors: np.ndarray,
    caveat_vectors: np.ndarray,
    sentences: SentenceVectors | None,
) -> list[StoredDocument]:
    """Flat records and arrays (ids = positions) grouped into the StoredDocuments a build
    hands to IndexWriter."""
    result = []
    for d in documents:
        rows = [i for i, p in enumerate(passages) if p.doc_id == d.doc_id]
        kept = [i for i, c in enumerate(caveats) if c.doc_id == d.doc_id]
        spans = vectors = None
        if sentences is not None:
            mine = np.isin(sentences.spans[:, 0], rows)
            spans = sentences.spans[mine].copy()
            spans[:, 0] = np.searchsorted(np.asarray(rows), spans[:, 0])
            vectors = np.asarray(sentences.vectors)[mine]
        dimension = np.shape(passage_vectors)[-1] if np.ndim(passage_vectors) == 2 else 384
        result.append(
            StoredDocument(
                document=d,
                passages=tuple(passages[i] for i in rows),
                caveats=tuple(caveats[i] for i in kept),
                passage_vectors=np.asarray(passage_vectors).reshape(-1, dimension)[rows],
                caveat_vectors=np.asarray(caveat_vectors).reshape(-1, dimension)[kept],
                sentence_spans=spans,
                sentence_vectors=vectors,
            )
        )
    return result


@pytest.fixture
def publish_small(embedder: Embedder) -> PublishFn:
    """Publish the ARTICLES corpus into an index folder through IndexWriter, with sentence
    units as a build stores them (`sentences=None` leaves them out); returns the version
    folder."""

    def _publish(index_dir: Path, **overrides: object) -> Path:
        documents, passages, caveats = make_records()
        args: dict[str, object] = dict(
            documents=documents,
            passages=passages,
            caveats=caveats,
            passage_vectors=embedder.encode([p.text for p in passages]),
            caveat_vectors=embedder.encode([c.text for c in caveats]),
        )
        args.update({k: v for k, v in overrides.items() if k != "sentences"})
        sentences = overrides.get("sentences", "units")
        if sentences == "units":
            sentences = unit_sentences(args["passages"], embedder)  # type: ignore[arg-type]
        docs = stored_documents(**args, sentences=sentences)  # type: ignore[arg-type]
        writer = IndexWriter(index_dir, embedder.model_name, embedder.dimension, CHUNKS)
        written = writer.update(None, docs, notes=BuildNotes(started=time.perf_counter() - 1.5))
        return Path(index_dir) / "versions" / written.name

    return _publish
