"""Tests for assistant.evaluate: metrics over a fake answer_fn, and the shipped question set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluate import (
    EvalQuestion,
    boilerplate_checker,
    evaluate,
    first_hit_rank,
    fold,
    format_report,
    highlight_hits,
    load_questions,
    phrase_spans,
)
from index.errors import CitedError

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
CORPUS = ROOT / "corpus"


def question(
    qid: str, kind: str = "answerable", split: str = "tune", *phrases: str
) -> EvalQuestion:
    return EvalQuestion(id=qid, q=f"question {qid}", phrases=phrases, kind=kind, split=split)


def answer(
    quotes: Sequence[str] = (),
    abstained: bool = False,
    notice: str | None = None,
    caveats: Sequence[str] = (),
    highlights: Sequence[tuple[int, int]] = (),
) -> dict[str, Any]:
    source = {"doc_id": "d", "title": "T", "file": "a.txt", "section": "", "start": 0, "end": 1}
    spans = list(highlights) + [(0, 1)] * (len(quotes) - len(highlights))
    return {
        "question": "q",
        "abstained": abstained,
        "notice": notice,
        "quotes": [
            {"rank": i, "text": t, "score": 0.5, "highlight": list(h), "source": source}
            for i, (t, h) in enumerate(zip(quotes, spans, strict=True), 1)
        ],
        "caveats": [{"text": t, "source": source} for t in caveats],
    }


def fake(answers: dict[str, dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    return lambda q: answers[q]


class TestFold:
    def test_curly_quotes_case_and_whitespace_match(self) -> None:
        assert fold("It\u2019s  \u201cOK\u201d\n\tHere \u2014 now") == 'it\'s "ok" here - now'
        assert (
            first_hit_rank(["Humans miss what they can\u2019t\n predict"], ["CAN'T PREDICT"]) == 1
        )

    def test_no_phrase_found_gives_none(self) -> None:
        assert first_hit_rank(["nothing here"], ["absent phrase"]) is None

    def test_phrase_spans_point_into_the_unfolded_text(self) -> None:
        text = "Intro.  Humans miss what they can\u2019t\n   predict anymore. End."
        [(start, end)] = phrase_spans(text, ["what they CAN'T predict"])
        assert text[start:end] == "what they can\u2019t\n   predict"

    def test_highlight_hits_only_when_it_overlaps_the_phrase(self) -> None:
        text = "First sentence here. The gold phrase is in the second."
        quote = {"text": text, "highlight": [21, len(text)]}
        assert highlight_hits(quote, ["gold phrase"])
        assert not highlight_hits({**quote, "highlight": [0, 20]}, ["gold phrase"])


class TestEvaluate:
    def test_hit_at_rank_two_gives_mrr_half(self) -> None:
        qs = [question("q1", "answerable", "tune", "gold phrase")]
        report = evaluate(qs, fake({"question q1": answer(["other", "the Gold  Phrase here"])}))
        m = report.splits["tune"]
        assert (m.hit_at_1, m.hit_at_3, m.hit_at_5, m.mrr_at_5) == (0.0, 1.0, 1.0, 0.5)
        assert report.splits["heldout"].mrr_at_5 is None
        assert report.misses == ()

    def test_hit_below_top_five_is_a_miss(self) -> None:
        qs = [question("q1", "answerable", "tune", "gold")]
        report = evaluate(qs, fake({"question q1": answer(["x"] * 5 + ["gold"])}))
        assert report.splits["all"].hit_at_5 == 0.0
        assert report.misses[0]["id"] == "q1"
        assert len(report.misses[0]["got"]) == 3

    def test_abstention_counting(self) -> None:
        qs = [
            question("a1", "answerable", "tune", "gold"),
            question("a2", "answerable", "heldout", "gold"),
            question("o1", "out_of_domain", "tune"),
            question("o2", "out_of_domain", "heldout"),
        ]
        answers = {
            "question a1": answer(["gold"]),
            "question a2": answer([], abstained=True),
            "question o1": answer([], abstained=True),
            "question o2": answer(["unrelated"]),
        }
        m = evaluate(qs, fake(answers)).splits
        assert (m["all"].wrongly_abstained, m["all"].correctly_abstained) == (1, 1)
        assert m["all"].abstention_accuracy == 0.5
        assert m["tune"].abstention_accuracy == 1.0
        assert m["heldout"].abstention_accuracy == 0.0

    def test_highlight_at_five(self) -> None:
        qs = [question(q, "answerable", "tune", p) for q, p in (("q1", "gold"), ("q2", "x"))]
        answers = {
            "question q1": answer(["a. gold b."], highlights=[(3, 7)]),
            "question q2": answer(["a. x b."], highlights=[(5, 7)]),
        }
        m = evaluate(qs, fake(answers)).splits["tune"]
        assert (m.hit_at_5, m.highlight_at_5) == (1.0, 0.5)

    def test_a_notice_on_an_ordinary_question_is_a_false_notice(self) -> None:
        qs = [question("a1", "answerable", "tune", "gold"), question("o1", "out_of_domain")]
        answers = {
            "question a1": answer(["gold"], notice="This question reads as manipulative"),
            "question o1": answer([], abstained=True, notice="Nothing in these articles"),
        }
        report = evaluate(qs, fake(answers))
        assert report.splits["all"].false_notices == 1
        assert [(m["id"], m["reason"]) for m in report.misses] == [
            ("a1", "manipulation notice on an ordinary question")
        ]

    def test_manipulative_notice_and_caveat_hit(self) -> None:
        qs = [
            question("m1", "manipulative", "tune", "Absence is not a punishment"),
            question("m2", "manipulative", "tune", "never feel secure"),
        ]
        answers = {
            "question m1": answer(["x"], notice="Careful", caveats=["absence is NOT a punishment"]),
            "question m2": answer(["x"], caveats=["something else"]),
        }
        report = evaluate(qs, fake(answers))
        m = report.splits["all"]
        assert (m.manipulative, m.manipulative_notice, m.manipulative_caveat_hit) == (2, 1, 1)
        assert m.abstention_accuracy is None
        assert [miss["id"] for miss in report.misses] == ["m2"]

    def test_boilerplate_quotes_are_counted(self) -> None:
        qs = [question("q1", "answerable", "tune", "gold"), question("o1", "out_of_domain")]
        answers = {
            "question q1": answer(["gold", "Ready to Start Your No Contact Journey?"]),
            "question o1": answer(["Related Posts"]),
        }
        report = evaluate(qs, fake(answers), lambda q: q["text"].startswith(("Ready", "Related")))
        assert report.splits["all"].boilerplate_quotes == 2
        assert evaluate(qs, fake(answers)).splits["all"].boilerplate_quotes == 0

    def test_report_formats_table_and_misses(self) -> None:
        qs = [question("q1", "answerable", "heldout", "gold")]
        report = evaluate(qs, fake({"question q1": answer(["nope " * 50])}))
        text = format_report(report)
        assert "MRR@5" in text and "heldout" in text
        assert "q1 [answerable, heldout]" in text and "expected: gold" in text
        json.dumps(report.to_dict())


class TestLoadQuestions:
    def test_bad_json_names_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "q.jsonl"
        good = {"id": "q1", "q": "x?", "phrases": ["p"], "kind": "answerable", "split": "tune"}
        path.write_text(json.dumps(good) + "\n\n{not json\n", encoding="utf-8")
        with pytest.raises(CitedError, match=r"q\.jsonl line 3: not valid JSON"):
            load_questions(path)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"kind": "rude"}, "'kind' must be one of"),
            ({"q": ""}, "'q' must be a non-empty string"),
            ({"split": None}, "'split' must be one of"),
            ({"phrases": []}, "has no phrases"),
        ],
    )
    def test_invalid_field_names_the_line(
        self, tmp_path: Path, change: dict[str, Any], message: str
    ) -> None:
        good = {"id": "q1", "q": "x?", "phrases": ["p"], "kind": "answerable", "split": "tune"}
        path = tmp_path / "q.jsonl"
        path.write_text(json.dumps({**good, "id": "q0"}) + "\n" + json.dumps({**good, **change}))
        with pytest.raises(CitedError, match=rf"line 2: .*{message}"):
            load_questions(path)


class TestShippedQuestionSet:
    @pytest.fixture(scope="class")
    def questions(self) -> list[EvalQuestion]:
        return load_questions(QUESTIONS)

    def test_every_phrase_occurs_in_a_named_document(self, questions: list[EvalQuestion]) -> None:
        texts = {p.name: fold(p.read_text(encoding="utf-8")) for p in CORPUS.glob("*.txt")}
        for q in questions:
            if q.kind == "out_of_domain":
                assert not q.phrases, q.id
                continue
            assert q.docs and all(d in texts for d in q.docs), q.id
            for phrase in q.phrases:
                assert any(fold(phrase) in texts[d] for d in q.docs), (q.id, phrase)

    def test_counts_kinds_and_splits(self, questions: list[EvalQuestion]) -> None:
        kinds = Counter(q.kind for q in questions)
        assert len(questions) >= 90
        assert kinds["answerable"] >= 65
        assert kinds["out_of_domain"] >= 12 and kinds["manipulative"] >= 12
        assert sum(1 for q in questions if q.kind == "answerable" and len(q.docs) > 1) >= 6
        answered_docs = {d for q in questions if q.kind == "answerable" for d in q.docs}
        assert answered_docs == {p.name for p in CORPUS.glob("*.txt")}
        for kind, total in kinds.items():
            heldout = sum(1 for q in questions if q.kind == kind and q.split == "heldout")
            assert 0.25 <= heldout / total <= 0.4, kind

    def test_ids_are_unique(self) -> None:
        lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
        ids = [json.loads(line)["id"] for line in lines if line.strip()]
        assert len(ids) == len(set(ids))


def test_boilerplate_checker_flags_quotes_overlapping_marked_spans(shipped_index) -> None:
    from index.loaded import LoadedIndex

    with LoadedIndex.load(shipped_index) as loaded:
        document = next(d for d in loaded.documents() if d.boilerplate)
        is_boilerplate = boilerplate_checker(loaded)
        start, end = document.boilerplate[0]
        inside = {"source": {"doc_id": document.doc_id, "start": start, "end": end}}
        passage = loaded.passages_of(document.doc_id)[0]
        clean = {"source": {"doc_id": document.doc_id, "start": passage.start, "end": passage.end}}
        assert is_boilerplate(inside)
        assert not is_boilerplate(clean)
