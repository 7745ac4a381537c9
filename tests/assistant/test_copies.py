"""A file saved twice is one source: its passages and caveats are shown once, under the
original's name (real model, real index of the shipped articles plus a copy of one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.answer import Assistant
from index.search import SAME_PASSAGE

PSYCHOLOGIST = "how-to-make-someone-miss-you-according-to-a-psychologist.txt"
COPY = "how-to-make-someone-miss-you-according-to-a-psychologist (1).txt"
QUESTIONS = [
    "What does a psychologist say about making someone miss you?",
    "Why does a little mystery keep someone interested?",
    "How do I trick my ex into believing I've moved on so he panics?",  # caveats lead
    "Does self-care help my relationship?",
]


@pytest.fixture(scope="module")
def with_copy(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, embedder):
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("copies")
    for path in shipped_corpus.iterdir():
        shutil.copy2(path, corpus / path.name)
    shutil.copy2(shipped_corpus / PSYCHOLOGIST, corpus / COPY)
    index_dir = tmp_path_factory.mktemp("copies-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("question", QUESTIONS)
def test_no_passage_or_caveat_is_shown_twice_and_the_copy_never(with_copy, question):
    answer = with_copy.answer(question)
    assert not answer.abstained
    quotes = [_words(q.text) for q in answer.quotes]
    caveats = [_words(c.text) for c in answer.caveats]
    assert quotes and len(quotes) == len(set(quotes))
    assert caveats and len(caveats) == len(set(caveats))
    files = {q.source.file for q in answer.quotes} | {c.source.file for c in answer.caveats}
    assert COPY not in files


def test_the_copys_passages_are_no_hits_beside_the_originals(with_copy):
    loaded = with_copy.index()
    hits = with_copy.searcher(loaded).search(QUESTIONS[0], k=20)
    files = {p.doc_id: p for p in loaded.passages([int(i) for i in hits.ids])}
    assert len(hits) == 20 and not any("(1)" in doc for doc in files)
    vectors = loaded.passage_vectors(hits.ids.tolist())
    likeness = vectors @ vectors.T - 2 * np.eye(len(hits))
    assert likeness.max() < SAME_PASSAGE
