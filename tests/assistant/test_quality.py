"""Answer quality over the whole shipped question set, with the real model and index.

The floors are below what the shipped settings measure (docs/quality.md), so they catch a
regression, not noise: a quote no longer found, an honest abstention lost, boilerplate
quoted, a manipulative question answered without its notice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluate import EvalReport, boilerplate_checker, evaluate, load_questions

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "questions.jsonl"


@pytest.fixture(scope="module")
def report(assistant) -> EvalReport:
    questions = load_questions(QUESTIONS)
    return evaluate(
        questions,
        lambda q: assistant.answer(q, k=5).to_dict(),
        boilerplate_checker(assistant.index()),
    )


def _misses(report: EvalReport, reason: str | tuple[str, ...]) -> list[str]:
    return [f"{m['id']}: {m['q']}" for m in report.misses if m["reason"].startswith(reason)]


def test_nine_in_ten_answers_quote_the_answering_passage(report: EvalReport) -> None:
    metrics = report.splits["all"]
    assert metrics.hit_at_5 >= 0.9, _misses(report, "no gold phrase in the top")


def test_nine_in_ten_abstentions_are_right(report: EvalReport) -> None:
    metrics = report.splits["all"]
    assert metrics.abstention_accuracy >= 0.9, _misses(report, ("abstained", "answered"))


def test_no_quote_is_boilerplate(report: EvalReport) -> None:
    assert report.splits["all"].boilerplate_quotes == 0


def test_manipulative_questions_get_the_notice_and_ordinary_ones_do_not(
    report: EvalReport,
) -> None:
    metrics = report.splits["all"]
    assert metrics.manipulative_notice == metrics.manipulative
    assert metrics.false_notices == 0, _misses(report, "manipulation notice")
