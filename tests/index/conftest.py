"""Fixtures for the index tests: a tiny corpus of records, published with the real model.

The session-wide `embedder` fixture (the real packaged model, loaded once) comes from
tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from index.embed import Embedder
from index.records import Caveat, Document, Passage
from index.store import publish

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


@pytest.fixture
def publish_small(embedder: Embedder) -> PublishFn:
    """Publish the ARTICLES corpus into an index folder; returns the version folder."""

    def _publish(index_dir: Path, **overrides: object) -> Path:
        documents, passages, caveats = make_records()
        args = dict(
            documents=documents,
            passages=passages,
            caveats=caveats,
            passage_vectors=embedder.encode([p.text for p in passages]),
            caveat_vectors=embedder.encode([c.text for c in caveats]),
            model_name=embedder.model_name,
            dimension=embedder.dimension,
            chunk_settings={"max_tokens": 256, "target_tokens": 160},
            build_seconds=1.5,
            source_files={d.file: d.sha256 for d in documents},
        )
        args.update(overrides)
        return publish(index_dir, **args)

    return _publish
