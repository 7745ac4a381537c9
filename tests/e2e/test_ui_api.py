"""Every UI action through gradio_client against a real `cited serve` with --auth.

The server runs on loopback with a private copy of the corpus; the tests change that
copy (upload, delete, rebuild) in the order a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
AUTH = ("reader", "correct horse battery")  # as tests/e2e/conftest.py starts auth_server
ENDPOINTS = {"/ask", "/documents", "/upload", "/delete", "/rebuild", "/read"}
BEES = (
    "Keeping Bees in a Small Garden\n\n"
    "A beehive needs a sunny, sheltered corner and a source of water nearby. "
    "Inspect the brood frames every week during the swarming season.\n"
)


@pytest.fixture(scope="module")
def served(auth_server):
    return auth_server


@pytest.fixture(scope="module")
def client(served):
    return Client(served.url, auth=AUTH, verbose=False)


def _write(folder: Path, name: str, data: bytes | str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def test_every_action_is_a_named_endpoint(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == ENDPOINTS


def test_without_the_password_nothing_is_reachable(served):
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError/HTTP error
        Client(served.url, verbose=False).predict(
            "What is the peak-end rule?", 3, [], api_name="/ask"
        )


def test_ask_searches_only_the_chosen_articles(client):
    docs = client.predict(api_name="/documents")
    chosen = docs[0]["doc_id"]
    answer = client.predict("Why does absence make someone miss you?", 4, [chosen], api_name="/ask")
    assert answer["quotes"]
    assert {q["source"]["doc_id"] for q in answer["quotes"]} == {chosen}


def test_ask_names_an_unknown_article(client):
    with pytest.raises(Exception, match="no article with id 'nope'"):
        client.predict("Why does absence work?", 3, ["nope"], api_name="/ask")


def test_documents_lists_every_article_with_when_it_was_indexed(client, served):
    docs = client.predict(api_name="/documents")
    assert sorted(d["file"] for d in docs) == sorted(p.name for p in served.corpus.iterdir())
    for doc in docs:
        assert doc["status"] == "indexed" and doc["error"] is None
        assert doc["passages"] > 0 and doc["indexed_at"]
        assert {"doc_id", "title", "caveats"} <= set(doc)


def test_read_returns_the_article_with_sections_and_caveats(client):
    doc_id = client.predict(api_name="/documents")[0]["doc_id"]
    doc = client.predict(doc_id, api_name="/read")
    text = doc["text"]
    headings = [b for b in doc["blocks"] if b["kind"] == "heading"]
    assert headings and all(text[b["start"] : b["end"]].strip() for b in headings)
    assert doc["caveats"]
    assert all(text[c["start"] : c["end"]] == c["text"] for c in doc["caveats"])


def test_read_of_an_unknown_article_says_so(client):
    with pytest.raises(Exception, match="no article with id 'missing-article'"):
        client.predict("missing-article", api_name="/read")


def test_upload_saves_good_files_and_refuses_the_rest(client, served, tmp_path):
    before = sorted(p.name for p in served.corpus.iterdir())
    files = [
        _write(tmp_path / "a", "Keeping Bees.txt", BEES),
        _write(tmp_path / "b", "fake.pdf", "this is not a PDF"),
        _write(tmp_path / "c", "photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        _write(tmp_path / "d", "tool.exe", b"MZ\x90\x00"),
        _write(tmp_path / "e", before[0], "an attempt to overwrite"),
    ]
    result = client.predict([handle_file(f) for f in files], api_name="/upload")
    assert result["saved"] == ["keeping-bees.txt"]
    refused = {r["file"]: r["error"] for r in result["rejected"]}
    assert set(refused) == {"fake.pdf", "photo.txt", "tool.exe", before[0]}
    assert "already in the library" in refused[before[0]]
    assert (served.corpus / before[0]).read_text() != "an attempt to overwrite"
    status = {d["file"]: d["status"] for d in client.predict(api_name="/documents")}
    assert status["keeping-bees.txt"] == "new"


def test_rebuild_makes_the_upload_answerable_without_a_restart(client):
    summary = client.predict(api_name="/rebuild")
    assert summary["documents"]["added"] == 1 and summary["errors"] == []
    assert summary["passages"]["embedded"] >= 1 and summary["passages"]["reused"] > 0
    answer = client.predict("Where should a beehive stand?", 3, [], api_name="/ask")
    assert answer["quotes"][0]["source"]["file"] == "keeping-bees.txt"


def test_delete_then_rebuild_removes_the_article_from_answers(client, served):
    assert client.predict("keeping-bees.txt", api_name="/delete") == {"deleted": "keeping-bees.txt"}
    assert not (served.corpus / "keeping-bees.txt").exists()
    status = {d["file"]: d["status"] for d in client.predict(api_name="/documents")}
    assert status["keeping-bees.txt"] == "removed"
    assert client.predict(api_name="/rebuild")["documents"]["removed"] == 1
    answer = client.predict("Where should a beehive stand?", 3, [], api_name="/ask")
    assert all(q["source"]["file"] != "keeping-bees.txt" for q in answer["quotes"])
    assert "keeping-bees.txt" not in {d["file"] for d in client.predict(api_name="/documents")}


def test_delete_refuses_anything_outside_the_corpus(client, served):
    outside = served.corpus.parent / "serve.log"
    for name in ("../serve.log", str(outside), "no-such-article.txt"):
        with pytest.raises(Exception, match=r"corpus folder|not in the library"):
            client.predict(name, api_name="/delete")
    assert outside.exists()


def test_a_file_the_build_cannot_read_is_listed_with_the_reason(client, served):
    (served.corpus / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF")
    try:
        summary = client.predict(api_name="/rebuild")
        assert [e["file"] for e in summary["errors"]] == ["broken.pdf"]
        row = next(d for d in client.predict(api_name="/documents") if d["file"] == "broken.pdf")
        assert row["status"] == "error" and row["error"]
    finally:
        client.predict("broken.pdf", api_name="/delete")


def test_serving_beyond_loopback_without_a_password_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CITED_AUTH"}
    folders = ["--corpus", str(tmp_path), "--index", str(tmp_path / "index")]
    command = [sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0"]
    result = subprocess.run(
        [*command, "--port", "7859", *folders],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--auth" in result.stderr
    assert "Traceback" not in result.stderr
