"""The FAQ highlight benchmark, on the first questions of zlib's FAQ as Debian installs it
(tests/data/faq/zlib-FAQ.txt: the first 60 lines of /usr/share/doc/zlib1g-dev/FAQ.gz)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import faq_highlight
from benchmarks.faq_highlight import PageCounts, _landed, measure, report
from benchmarks.train_highlight import _text_as_markdown

ZLIB_FAQ = Path(__file__).resolve().parents[1] / "data" / "faq" / "zlib-FAQ.txt"


@pytest.fixture(scope="module")
def zlib_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("faq-corpus")
    text = ZLIB_FAQ.read_text(encoding="utf-8")
    (corpus / "zlib-FAQ.md").write_text(_text_as_markdown(text), encoding="utf-8")
    index = tmp_path_factory.mktemp("faq-index")
    build_index(corpus, index, embedder)
    return index


def test_each_question_heading_is_asked_and_its_answer_found(zlib_index: Path, embedder) -> None:
    [(name, page)] = measure(zlib_index, embedder).items()
    # "Is zlib Y2K-compliant?", "Where can I get a Windows DLL version?", "...a Visual Basic
    # interface...?", "Where's the zlib documentation...?", "Why don't you use GNU
    # autoconf...?"; "compress() returns Z_BUF_ERROR." asks nothing.
    assert (name, page.questions) == ("zlib-FAQ.md", 5)
    assert page.shown == 5
    assert page.first == 5
    assert page.opens >= 4


def _answer(text: str, highlight: tuple[int, int], section: str, abstained: bool = False) -> dict:
    source = {"doc_id": "faq", "section": section}
    quote = {"text": text, "highlight": list(highlight), "source": source}
    return {"abstained": abstained, "quotes": [quote]}


def test_a_highlight_opens_the_answer_only_past_its_heading() -> None:
    heading = "Why don't you use GNU autoconf or libtool or ...?"
    text = f"{heading}\nBecause we would like to keep zlib as a very small and simple package."
    first = "Because we would like to keep zlib as a very small and simple package."
    assert _landed(_answer(text, (0, len(text)), heading), "faq", heading, first) == (1, 1, 1)
    bare = _answer(text, (0, len(heading)), heading)
    assert _landed(bare, "faq", heading, first) == (1, 1, 0)
    other = _answer(text, (0, len(text)), "Another section?")
    assert _landed(other, "faq", heading, first) == (0, 0, 0)
    abstained = _answer(text, (0, len(text)), heading, abstained=True)
    assert _landed(abstained, "faq", heading, first) == (0, 0, 0)


def test_pages_held_out_of_the_learned_fit_are_summed_apart() -> None:
    counts = {"a.md": PageCounts(3, 2, 1, 1), "b.md": PageCounts(4, 4, 3, 2)}
    data = report(counts, frozenset({"b.md"}))
    assert data["groups"] == {
        "fitted on": {"questions": 3, "shown": 2, "first": 1, "opens": 1},
        "held out": {"questions": 4, "shown": 4, "first": 3, "opens": 2},
    }
    assert "held out" in faq_highlight.format_report(data)
