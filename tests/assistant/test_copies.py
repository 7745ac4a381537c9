"""A file saved twice is one source: its passages and caveats are shown once, under the
original's name (real model, real index of the shipped articles plus a copy of one). A
manual as PDF beside its HTML is one text: a passage the other edition already shows is
not quoted again, though the two are cut into passages at other places (R's FAQ)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.answer import Assistant
from index.search import SAME_PASSAGE, SAME_TEXT, word_runs

DATA = Path(__file__).parents[1] / "data"
#: R's FAQ as r-doc-html and r-doc-pdf ship it (tests/data/html/README.md, pdf/README.md).
EDITIONS = (DATA / "html/r-faq.html", DATA / "pdf/r-faq-pages-1-10.pdf")
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


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory, embedder):
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("editions")
    for path in EDITIONS:
        shutil.copy2(path, corpus / path.name)
    index_dir = tmp_path_factory.mktemp("editions-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


@pytest.mark.parametrize(
    "question",
    [
        "What are the differences between R and S?",  # "R is a system for..." twice before
        "Is R free software?",  # the GPL notice twice before
        "Which platforms does R run on?",
    ],
)
def test_a_manual_in_two_editions_is_quoted_once(editions, question):
    answer = editions.answer(question)
    assert not answer.abstained and len(answer.quotes) >= 3
    shown: set[tuple[str, ...]] = set()
    for quote in answer.quotes:
        runs = word_runs(quote.text)
        assert len(runs & shown) < SAME_TEXT * len(runs), quote.text[:80]
        shown |= runs
    assert len(editions.index().infos()) == len(EDITIONS)


def test_word_runs_read_a_pdfs_line_end_hyphens_and_ligatures_as_the_html_does():
    pdf = "a collection of sites which carry identi-\ncal material, consisting of the ﬁles"
    html = "A collection of sites which carry identical material, consisting of the files"
    assert word_runs(pdf) == word_runs(html) and len(word_runs(html)) == 8
