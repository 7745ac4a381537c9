"""Telling which texts are not English (`ingest.language`), on real pages and real questions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from ingest.health import read_health
from ingest.inspect import TokenCounter, inspect_file
from ingest.language import ENGLISH, language_of, other_languages
from ingest.load import load_file

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
GERMAN = DATA / "german_questions.jsonl"
WEB_PAGES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "webpages" / "pages"
#: Real pages of the web-page benchmark, by what they are written in.
PAGES = {
    "00506d22fd734210.html": "German",  # a solar power plant in Dubai
    "e8537621bdefd71b.html": "German",  # a dog club's history
    "b32518a40d61b376.html": "Chinese",  # Xinhua, Wuhan
    "7a08943aa4649447.html": "Japanese",  # NHK News Web Easy
    "77ed76321f6f43ad.html": ENGLISH,
}
needs_pages = pytest.mark.skipif(
    not WEB_PAGES.is_dir(), reason="../shared/benchmarks/webpages not present"
)


def test_the_shipped_articles_and_python_docs_are_english() -> None:
    files = [*CORPUS.iterdir(), *(DATA / "python-docs").glob("*.html")]
    for path in files:
        assert language_of(load_file(path, path.parent).document.text) == ENGLISH, path.name


@needs_pages
@pytest.mark.parametrize(("name", "language"), PAGES.items())
def test_a_real_page_is_told_by_its_words_or_script(name: str, language: str) -> None:
    path = WEB_PAGES / name
    assert language_of(load_file(path, path.parent).document.text) == language


def test_every_real_question_of_the_eval_sets_reads_as_english() -> None:
    """A question in English is never taken for another language: jusText's Finnish list
    holds "miss" and "my", its Marathi one "spending" and "partners"."""
    misread = [
        q
        for q in _real_questions(p for p in DATA.glob("*.jsonl") if p != GERMAN)
        if language_of(q) not in (ENGLISH, None)
    ]
    assert misread == []


def test_every_real_german_question_reads_as_german() -> None:
    """Questions of a dozen words, each written by a reader of one page."""
    questions = list(_real_questions([GERMAN]))
    assert len(questions) == 60
    assert [q for q in questions if language_of(q) != "German"] == []


def _real_questions(paths: Iterable[Path]) -> Iterator[str]:
    """The questions of these eval sets, nonsense probes ("lorem ipsum") aside."""
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item.get("kind") != "out_of_domain" and "q" in item:
                yield item["q"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wie entkalke ich meinen Wasserkocher?", "German"),
        ("Comment faire une pâte à crêpes ?", "French"),
        ("Как испечь торт?", "Cyrillic script"),
        ("케이크 만드는 법", "Korean"),
        ("What is the capital of France?", ENGLISH),
        ("asdf qwer zxcv", None),
        ("def main(): return foo(bar, baz)", None),
        ("3.14 2.72 1.41 1.73", None),
    ],
)
def test_short_texts(text: str, language: str | None) -> None:
    assert language_of(text) == language


def test_other_languages_names_each_once_in_order() -> None:
    texts = ["Der Hund schläft, und die Katze ist nicht da.", "The dog is asleep.", "如何做蛋糕？"]
    assert other_languages([*texts, texts[0]]) == ("German", "Chinese")


@needs_pages
def test_inspect_warns_of_a_page_in_german_and_not_of_an_english_one() -> None:
    counter = TokenCounter()
    german = inspect_file(WEB_PAGES / "00506d22fd734210.html", counter)
    english = inspect_file(WEB_PAGES / "77ed76321f6f43ad.html", counter)
    assert any(
        w.startswith("written in German: cited's model reads English") for w in german.warnings
    )
    assert not any("written in" in w for w in english.warnings)


@needs_pages
def test_text_without_spaces_is_not_words_run_together() -> None:
    path = WEB_PAGES / "7a08943aa4649447.html"
    loaded = load_file(path, path.parent)
    warnings = read_health(loaded.document, []).warnings
    assert not any(w.startswith("words run together") for w in warnings)
    assert any(w.startswith("written in Japanese") for w in warnings)
