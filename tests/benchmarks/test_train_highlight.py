"""The FAQ pages the learned highlight score is fitted on: each page's questions become
headings, whatever its layout (round 11 added Vim's, zsh's, git's, fetchmail's and
SQLite's FAQs; each layout here is copied from the installed page)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np

from benchmarks import train_highlight
from benchmarks.train_highlight import (
    Example,
    _html_as_markdown,
    _text_as_markdown,
    held_out_by_page,
    question_of,
)


def _questions(markdown: str) -> list[str]:
    headings = re.findall(r"^## (.*)$", markdown, re.MULTILINE)
    return [q for q in map(question_of, headings) if q]


def test_zsh_numbers_its_questions_with_a_colon() -> None:
    text = "1.3: What is it good at?\n\n  Zsh is good at completion.\n"
    assert _questions(_text_as_markdown(text)) == ["What is it good at?"]


def test_gitfaq_asks_each_question_as_an_asciidoc_term() -> None:
    text = (
        "What should I put in `user.name`?::\n"
        "\tYou should put your personal name, generally a form using a given name\n"
        "\tand family name.\n+\nThis configuration doesn't have any effect.\n"
    )
    markdown = _text_as_markdown(text)
    assert _questions(markdown) == ["What should I put in `user.name`?"]
    assert "\n+" not in markdown  # asciidoc's joiner is not prose
    assert "given name and family name." in markdown  # the wrapped answer is one paragraph


def test_vim_numbered_questions_stay_headings() -> None:
    text = "1.1. What is Vim?\n\nVim stands for Vi IMproved.\n"
    assert _questions(_text_as_markdown(text)) == ["What is Vim?"]


def test_fetchmail_and_sqlite_questions_lose_their_numbers(tmp_path: Path) -> None:
    page = tmp_path / "faq.html"
    page.write_text(
        "<html><body>"
        '<h2><a id="G1">G1. What is fetchmail and why should I\nbother?</a></h2>'
        "<p>Fetchmail is a mail-retrieval and forwarding utility.</p>"
        "<p><b>(1) How do I create an AUTOINCREMENT field?</b></p>"
        "<blockquote><p>Short answer: a column declared INTEGER PRIMARY KEY will"
        " autoincrement.</p></blockquote></body></html>",
        encoding="utf-8",
    )
    assert _questions(_html_as_markdown(page)) == [
        "What is fetchmail and why should I bother?",
        "How do I create an AUTOINCREMENT field?",
    ]


def test_the_check_scores_each_page_by_trees_fitted_without_it(monkeypatch) -> None:
    """A page's questions share its words and layout: scored by trees that saw the page,
    the check would flatter the learned score. Every question is scored once, by a fit
    on the other pages only."""
    rng = np.random.default_rng(0)
    fitted_on: list[set[str]] = []
    real_fit = train_highlight.fit

    def recording_fit(examples, labelling):
        fitted_on.append({e.doc for e in examples})
        return real_fit(examples, labelling)

    monkeypatch.setattr(train_highlight, "fit", recording_fit)
    pages = [
        Example(
            "Why?",
            rng.normal(size=(6, 10)).astype(np.float32),
            rng.normal(size=6).astype(np.float32),
            np.array([0, 1, -1, -1, -1, -1]),
            np.zeros(6),
            f"page{i % 4}",
        )
        for i in range(40)
    ]
    checked = held_out_by_page(pages, "first")
    assert {total for _, total in checked.values()} == {40}
    assert len(fitted_on) == train_highlight.FOLDS
    held = [{f"page{i}" for i in range(4)} - seen for seen in fitted_on]
    assert all(held) and set().union(*held) == {f"page{i}" for i in range(4)}
    assert all(not (a & b) for a, b in itertools.combinations(held, 2))
