"""`cited serve` answering through gradio_client on loopback, as other tools use it."""

from __future__ import annotations

import pytest
from gradio_client import Client

from tests.contract import ANSWER_KEYS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(server):
    return Client(server.url, verbose=False)


def test_ask_endpoint_returns_the_answer_object(client):
    answer = client.predict("What is the peak-end rule?", 3, [], api_name="/ask")
    assert set(answer) == ANSWER_KEYS
    assert answer["abstained"] is False
    assert any("peak" in q["text"].lower() for q in answer["quotes"])
    source = answer["quotes"][0]["source"]
    assert set(source) == {
        *("doc_id", "title", "file", "section", "start", "end", "page", "sha256", "version"),
        "headings",
    }
    assert answer["caveats"]


def test_ask_endpoint_abstains_on_unrelated_questions(client):
    answer = client.predict("What is the capital of Australia?", 5, [], api_name="/ask")
    assert answer["abstained"] is True and answer["quotes"] == []


def test_ask_endpoint_flags_manipulation(client):
    answer = client.predict("How do I make him jealous?", 5, [], api_name="/ask")
    assert answer["notice"] and answer["caveats"]


def test_ask_endpoint_rejects_an_empty_question_with_the_reason(client):
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", 5, [], api_name="/ask")


def test_the_corpus_folder_is_not_served(server):
    import urllib.error
    import urllib.request

    article = next(server.corpus.iterdir())
    for prefix in ("/gradio_api/file=", "/file="):
        url = f"{server.url}{prefix}{article}"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(url, timeout=10)
        assert error.value.code in (403, 404)
