"""Diversity: several articles are quoted when several speak, and one article that speaks
alone still fills the answer (real model, real index of the shipped corpus)."""

from __future__ import annotations

from collections import Counter

from assistant.diversity import PER_DOCUMENT, diverse_top

LEAVE = "make-him-miss-you-why-you-have-to-leave-to-get-him-to-stay.txt"
EX = "the-psychology-of-how-to-make-an-ex-miss-you.txt"


def _doc_id(assistant, file: str) -> str:
    return next(d.doc_id for d in assistant.index().documents() if d.file == file)


def _docs(loaded, hits) -> list[str]:
    return [p.doc_id for p in loaded.passages([int(i) for i in hits.ids])]


def test_one_article_holding_the_best_passages_gives_at_most_its_share(assistant) -> None:
    # All five best fused passages are from one article; others also have candidates.
    loaded = assistant.index()
    question = "Are limits walls that keep love out?"
    hits = assistant.searcher(loaded).search(question, k=20)
    assert set(_docs(loaded, hits.take(range(5)))) == {_doc_id(assistant, LEAVE)}
    chosen = diverse_top(hits, loaded, 5)
    counts = Counter(_docs(loaded, chosen))
    assert len(chosen) == 5
    assert max(counts.values()) == PER_DOCUMENT and len(counts) >= 2


def test_an_article_that_speaks_alone_fills_the_answer(assistant) -> None:
    # Once no other article has a passage left, the cap must not cut the answer to 3.
    loaded = assistant.index()
    only = [_doc_id(assistant, EX)]
    hits = assistant.searcher(loaded).search("How does an ex feel after a breakup?", 20, only)
    chosen = diverse_top(hits, loaded, 5)
    assert len(chosen) == 5 > PER_DOCUMENT
    assert set(_docs(loaded, chosen)) == set(only)
    assert len(set(chosen.ids.tolist())) == 5


def test_answers_searched_in_one_article_carry_k_quotes(assistant) -> None:
    answer = assistant.answer(
        "What goes on in an ex's mind after the breakup?", k=5, doc_ids=[_doc_id(assistant, EX)]
    )
    assert not answer.abstained
    assert len(answer.quotes) == 5
    assert {q.source.file for q in answer.quotes} == {EX}
