"""The endpoints as plain methods: called here without Gradio, on the real shipped index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import MAX_K
from assistant.web.api import Api, ApiError, k_argument


@pytest.fixture
def api(assistant, shipped_corpus: Path, shipped_index: Path) -> Api:
    return Api(assistant, shipped_corpus, shipped_index)


def test_ask_answers_with_defaults_and_cites_paragraphs(api):
    answer = api.ask("What is the peak-end rule?")
    assert len(answer["quotes"]) == 5
    numbers = api.paragraphs(answer)
    first = answer["quotes"][0]["source"]
    assert numbers[(first["doc_id"], first["start"])] >= 1


@pytest.mark.parametrize("k", ["3", 3.0, None, ""])
def test_k_is_taken_as_a_whole_number_or_the_default(k):
    assert k_argument(k) in (3, 5)


@pytest.mark.parametrize("k", [0, MAX_K + 1, 2.5, "many", True, [3]])
def test_k_outside_one_to_max_is_refused_naming_the_limit(k):
    with pytest.raises(ApiError, match=f"from 1 to {MAX_K}"):
        k_argument(k)


def test_ask_refuses_an_unknown_article_and_a_bad_id_list(api):
    with pytest.raises(ApiError, match="no article with id 'nope'"):
        api.ask("Why does absence work?", 3, ["nope"])
    with pytest.raises(ApiError, match="doc_ids must be a list"):
        api.ask("Why does absence work?", 3, [1, 2])  # type: ignore[list-item]


def test_read_and_documents_agree_on_the_articles(api):
    rows = api.documents()
    assert {r["status"] for r in rows} == {"indexed"}
    doc = api.read(rows[0]["doc_id"])
    assert doc["title"] == rows[0]["title"] and doc["blocks"]
    with pytest.raises(ApiError, match="doc_id must be"):
        api.read("")


def test_an_abstention_carries_its_nearest_passage_and_its_paragraph(api):
    answer = api.ask("What is the capital of Australia?")
    assert answer["abstained"] and not answer["quotes"]
    why = answer["abstention"]
    near = why["nearest"]
    assert near["score"] < near["threshold"] == why["threshold"]
    assert {"doc_id", "title", "file", "section", "start", "end"} <= set(near["source"])
    doc = api.read(near["source"]["doc_id"])
    assert doc["text"][near["source"]["start"] : near["source"]["end"]] == near["text"]
    assert api.paragraphs(answer)[(near["source"]["doc_id"], near["source"]["start"])] >= 1
