"""The `cited` command as a user runs it: real subprocesses, JSON shapes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.command import cited

REPO = Path(__file__).resolve().parents[2]


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("cited: error")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory, shipped_corpus: Path):
    """A corpus and index built by `cited ingest --json` in a subprocess."""
    root = tmp_path_factory.mktemp("cli")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(shipped_corpus, corpus)
    result = cited("ingest", "--json", "--corpus", str(corpus), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return corpus, index, json.loads(result.stdout)


def test_ingest_json_summary_has_the_design_shape(built):
    _, _, summary = built
    assert summary["documents"] == {"added": 5, "changed": 0, "removed": 0, "unchanged": 0}
    passages = summary["passages"]
    assert passages["total"] > 50
    assert passages["embedded"] + passages["reused"] == passages["total"]
    assert summary["errors"] == []
    assert summary["seconds"] > 0


def test_ingest_again_reuses_everything(built):
    corpus, index, _ = built
    result = cited("ingest", "--json", "--corpus", str(corpus), "--index", str(index))
    summary = json.loads(result.stdout)
    assert summary["documents"]["unchanged"] == 5
    assert summary["passages"]["embedded"] == 0


def test_ask_json_is_one_answer_object(built):
    _, index, _ = built
    result = cited("ask", "What is the peak-end rule?", "--json", "-k", "3", "--index", str(index))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "What is the peak-end rule?"
    assert answer["abstained"] is False and answer["notice"] is None
    assert 1 <= len(answer["quotes"]) <= 3
    quote = answer["quotes"][0]
    assert quote["rank"] == 1
    start, end = quote["highlight"]
    assert 0 <= start < end <= len(quote["text"])
    assert quote["source"]["file"].endswith(".txt") and quote["source"]["page"] is None
    assert answer["caveats"] and set(answer["caveats"][0]) == {"text", "source"}


def test_ask_reads_one_question_a_line_from_stdin(built):
    _, index, _ = built
    questions = "What is reactance?\n\nHow do I bake bread?\n"
    result = cited("ask", "--json", "--index", str(index), stdin=questions)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["What is reactance?", "How do I bake bread?"]
    assert [a["abstained"] for a in answers] == [False, True]


def test_ask_plain_text_marks_the_answering_sentence(built):
    _, index, _ = built
    result = cited("ask", "How long should no contact last?", "--index", str(index))
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "»" in result.stdout and "«" in result.stdout
    assert "What these articles caution" in result.stdout


def test_docs_lists_every_document_with_its_caveats(built):
    _, index, _ = built
    result = cited("docs", "--json", "--index", str(index))
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    assert len(docs) == 5
    for doc in docs:
        keys = {"doc_id", "title", "file", "passages", "caveats", "indexed_share", "warnings"}
        assert set(doc) == keys  # the read's health (#13) beside the original five keys
        assert doc["passages"] > 0 and len(doc["caveats"]) >= 2
        assert doc["indexed_share"] >= 0.95 and doc["warnings"] == []
        assert doc["caveats"][0]["source"]["doc_id"] == doc["doc_id"]


def test_docs_does_not_import_torch(built):
    _, index, _ = built
    probe = (
        "import sys; from assistant.cli import main; main(['docs', '--index', sys.argv[1]]); "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(index)], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_ask_without_an_index_says_to_ingest(tmp_path):
    result = cited("ask", "anything", "--index", str(tmp_path / "nothing"))
    assert_one_line_error(result, "cited ingest")


def test_ingest_of_a_missing_corpus_says_which_folder(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = cited("ingest", "--corpus", str(missing), "--index", str(tmp_path / "i"))
    assert_one_line_error(result, str(missing))


def test_ingest_of_an_empty_corpus_builds_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cited("ingest", "--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "i"))
    assert_one_line_error(result, "empty")
    assert not (tmp_path / "i" / "CURRENT").exists()


def test_an_empty_question_is_one_line_error(built):
    _, index, _ = built
    assert_one_line_error(cited("ask", "   ", "--index", str(index)), "empty")


def test_help_lists_every_command():
    result = cited("--help")
    assert result.returncode == 0
    for command in ("ingest", "ask", "docs", "serve", "eval"):
        assert command in result.stdout


def test_help_does_not_import_torch():
    probe = (
        "import sys; from assistant.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'sentence_transformers' not in sys.modules, 'sentence_transformers imported'"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ingest" in result.stdout and "serve" in result.stdout


def test_relative_folders_work_as_make_run_uses_them(built, tmp_path):
    """`make run` passes relative folders (corpus, var/index): ask from the index's parent."""
    _, index, _ = built
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "reactance?", "--json", "--index", index.name],
        cwd=index.parent,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["quotes"]


def test_ingest_keeps_the_calibration_and_ask_explain_shows_the_nearest_passage(built):
    corpus, index, _ = built
    assert list((index / "calibration").glob("*.json")), "the build calibrates its version"
    result = cited(
        "ask",
        "--explain",
        "How do I make my dog miss me?",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
    )
    assert result.returncode == 0, result.stderr
    assert "These articles never mention: dog" in result.stdout
    assert "Nearest passage: score" in result.stdout and "against the threshold" in result.stdout
