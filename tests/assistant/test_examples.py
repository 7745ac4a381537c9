"""Example questions offered on the page: ones this folder answers, real model and index.

The page offered five questions written for the shipped articles whatever the folder held:
on Python's FAQ and HOWTO pages each of them abstained or met no caveat."""

from __future__ import annotations

import pytest

from assistant import examples
from assistant.answer import Assistant
from assistant.present import html


@pytest.fixture(scope="module")
def python_docs(python_docs_assistant) -> Assistant:
    return python_docs_assistant


def test_the_shipped_articles_are_offered_the_shipped_questions(assistant) -> None:
    assert examples.answered_examples(assistant, assistant.index()) == examples.SHIPPED


def test_another_folder_is_offered_its_own_questions_that_it_answers(python_docs) -> None:
    offered = examples.answered_examples(python_docs, python_docs.index())
    assert len(offered) == examples.OFFERED
    assert not set(offered) & set(examples.SHIPPED)
    loaded = python_docs.index()
    headings = {p.section.split(" › ")[-1] for p in loaded.passages(range(loaded.passage_count))}
    assert set(offered) <= headings  # the folder's own headings, as written
    assert all(python_docs.answer(q).quotes for q in offered)


def test_a_heading_that_asks_is_offered_and_a_title_or_a_label_is_not(python_docs) -> None:
    found = examples.heading_questions(python_docs.index(), limit=50)
    assert "Why is Python installed on my machine?" in found
    titles = {info.title for info in python_docs.index().infos()}
    assert not titles & set(found)
    assert all(examples._ASKS.match(q) for q in found)


def test_the_examples_are_worked_out_once_a_version(python_docs, monkeypatch) -> None:
    offer = examples.Examples(python_docs)
    first = offer.current()
    monkeypatch.setattr(examples, "answered_examples", lambda *a: pytest.fail("asked again"))
    assert offer.current() == first


def test_the_examples_render_as_buttons_that_ask_them() -> None:
    rendered = html.examples_html(["What is <b>Python</b>?"])
    assert 'class="cited-recent cited-example"' in rendered
    assert 'data-question="What is &lt;b&gt;Python&lt;/b&gt;?"' in rendered
    assert html.examples_html([]) == ""
