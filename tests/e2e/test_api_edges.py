"""The API's rough edges, against a real `cited serve`: plain HTTP with defaults, bad
arguments refused in one log line, one `k` limit, ids that follow the library, bare Blobs."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client, handle_file

from assistant.answer import MAX_K
from tests.e2e.conftest import plain_answer, plain_call

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served(prebuilt_server):
    return prebuilt_server


@pytest.fixture(scope="module")
def client(served):
    return Client(served.url, verbose=False)


def test_plain_http_ask_needs_only_the_question(served):
    answer = plain_answer(served.url, "What is the peak-end rule?")
    assert len(answer["quotes"]) == 5  # the default k


def test_plain_http_abstention_carries_the_nearest_passage_and_threshold(served):
    answer = plain_answer(served.url, "What is the capital of Australia?")
    assert answer["abstained"] and answer["quotes"] == []
    near = answer["abstention"]["nearest"]
    assert near["text"] and near["score"] < near["threshold"] == answer["abstention"]["threshold"]
    assert (
        near["source"]["file"].endswith(".txt") and near["source"]["end"] > near["source"]["start"]
    )
    assert "capital" in answer["abstention"]["never_mentioned"]


def test_a_call_without_a_required_argument_is_refused_by_name(served):
    status, body = plain_call(served.url, "read", [])
    assert status == 422 and "doc_id" in json.loads(body)["error"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["q?", "many", []], "k must be a whole number from 1 to 20"),
        (["q?", MAX_K + 1, []], "k must be a whole number from 1 to 20"),
        (["q?", 3, 7], "doc_ids must be a list of article ids"),
        ([17, 3, []], "question must be text"),
    ],
)
def test_a_bad_argument_is_a_clear_error_and_one_log_line(client, served, args, says):
    before = served.output()
    with pytest.raises(Exception, match=says):
        client.predict(*args, api_name="/ask")
    added = served.output()[len(before) :]
    assert "Traceback" not in added
    assert [line for line in added.splitlines() if line.strip()] == [
        line for line in added.splitlines() if "ask refused:" in line
    ]
    assert added.count("ask refused:") == 1


def test_k_goes_up_to_the_same_limit_as_the_cli(client):
    answer = client.predict("Why does absence make someone miss you?", MAX_K, [], api_name="/ask")
    assert len(answer["quotes"]) > 10


def test_doc_ids_are_any_ids_from_documents_not_a_list_frozen_at_start(client):
    info = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/ask"]
    doc_ids = next(p for p in info["parameters"] if p["parameter_name"] == "doc_ids")
    assert "enum" not in json.dumps(doc_ids["type"])  # no list of choices to go stale


def test_a_bare_blob_is_named_by_its_content_and_becomes_askable(client, served, tmp_path):
    blob = tmp_path / "blob"
    blob.write_text("Pruning Roses\n\nCut rose stems just above an outward-facing bud in spring.\n")
    result = client.predict([handle_file(str(blob))], api_name="/upload")
    assert result["saved"] == ["blob.txt"], result
    client.predict(api_name="/rebuild")
    ids = [d["doc_id"] for d in client.predict(api_name="/documents") if d["file"] == "blob.txt"]
    answer = client.predict("When should I prune roses?", 2, ids, api_name="/ask")
    assert {q["source"]["file"] for q in answer["quotes"]} == {"blob.txt"}
