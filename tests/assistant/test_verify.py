"""`cited verify` on answers saved from a real index, after their articles were edited.

The corpus holds one article of each kind cited reads (.txt, .md, .html, .pdf); each
answer is asked of one article, so every file is quoted. Then the articles change: text
moved (a line added at the top), text changed (a word of a quote replaced), a file
deleted; verify must say which, with the new offsets of what moved, and exit non-zero.
"""

from __future__ import annotations

import io
import json
import re
from hashlib import sha256
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.cli import main
from ingest.pipeline import build_index

ARTICLES = {
    "promises.txt": (
        "Keeping promises\n\n"
        "Trust grows when you keep the small promises you make every single day.\n\n"
        "If you cannot keep a promise, say so early and explain what changed.\n"
    ),
    "habits.md": (
        "# Building habits\n\n"
        "Start a new habit so small that skipping it would feel silly.\n\n"
        "Tie the habit to something you already do each morning, like making coffee.\n"
    ),
    "garden.html": (
        "<html><head><title>Watering tomatoes</title></head><body><article>"
        "<h1>Watering tomatoes</h1>"
        "<p>Water tomato plants deeply at the base in the early morning.</p>"
        "<p>Leaves that stay wet overnight invite mould and blight.</p>"
        "</article></body></html>"
    ),
}
PDF_LINES = [
    "Saving money",
    "Move a fixed share of every paycheck into savings before you spend any of it.",
    "Cancel the subscriptions you have not used in the last month.",
]
QUESTIONS = {
    "promises.txt": "how does trust grow with promises",
    "habits.md": "how small should a new habit be",
    "garden.html": "when should I water tomato plants",
    "money.pdf": "how much of my paycheck should I save",
}


def simple_pdf(paragraphs: list[str]) -> bytes:
    """A one-page PDF with one line of Helvetica text per item of `paragraphs`."""
    lines = []
    for i, text in enumerate(paragraphs):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        lines.append(f"BT /F1 11 Tf 40 {760 - 28 * i} Td ({escaped}) Tj ET")
    stream = "\n".join(lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def saved(tmp_path: Path, embedder) -> tuple[Path, Path, list[dict]]:
    """(corpus, answers.jsonl, answers): one answer per article, saved as `ask --json` does."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "money.pdf").write_bytes(simple_pdf(PDF_LINES))
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder)
    assistant = Assistant(index_dir, embedder=embedder)
    ids = {doc.file: doc.doc_id for doc in assistant.index().documents()}
    answers = [
        assistant.answer(question, k=3, doc_ids=[ids[file]]).to_dict()
        for file, question in QUESTIONS.items()
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in answers), encoding="utf-8")
    return corpus, path, answers


def verify(capsys, corpus: Path, *args: str) -> tuple[int, list[str]]:
    status = main(["verify", *args, "--corpus", str(corpus)])
    return status, capsys.readouterr().out.splitlines()


def lines_for(lines: list[str], file: str) -> list[str]:
    return [line for line in lines if f" {file} [" in line]


def test_every_source_carries_its_receipt(saved):
    corpus, _, answers = saved
    for answer in answers:
        assert answer["quotes"], answer["question"]
        for item in answer["quotes"] + answer["caveats"]:
            source = item["source"]
            assert len(source["sha256"]) == 64
            assert source["version"] == answer["index_version"] != ""
            assert source["sha256"] == sha256((corpus / source["file"]).read_bytes()).hexdigest()


def test_untouched_articles_verify_ok_from_a_file_an_array_or_stdin(saved, capsys, monkeypatch):
    corpus, path, answers = saved
    status, lines = verify(capsys, corpus, str(path))
    quoted = sum(len(a["quotes"]) + len(a["caveats"]) for a in answers)
    assert status == 0
    assert len(lines) == quoted + 1
    assert all(line.startswith("ok ") for line in lines[:-1])
    assert lines[-1].startswith(f"{quoted} ok, 0 moved, 0 changed")
    for file in QUESTIONS:
        assert lines_for(lines, file), f"{file} was not quoted"
    array = path.with_suffix(".json")
    array.write_text(json.dumps(answers), encoding="utf-8")
    assert verify(capsys, corpus, str(array))[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(answers[0])))
    status, lines = verify(capsys, corpus, "-")
    assert status == 0
    assert lines[-1].endswith("in 1 answer)")


def test_moved_changed_and_deleted_articles_are_told_apart(saved, capsys):
    corpus, path, _ = saved
    note = "An editor's note, added at the top.\n\n"
    text = (corpus / "promises.txt").read_text(encoding="utf-8")
    (corpus / "promises.txt").write_text(note + text, encoding="utf-8")
    habits = (corpus / "habits.md").read_text(encoding="utf-8")
    (corpus / "habits.md").write_text(habits.replace("silly", "odd"), encoding="utf-8")
    (corpus / "garden.html").unlink()
    (corpus / "money.pdf").write_bytes(simple_pdf(["A new first line.", *PDF_LINES]))

    status, lines = verify(capsys, corpus, str(path))

    assert status == 1
    moved = lines_for(lines, "promises.txt")
    assert moved
    for line in moved:
        spans = re.search(r"\[(\d+):(\d+)\] -> \[(\d+):(\d+)\]", line)
        assert line.startswith("moved ") and spans, line
        start, end, new_start, new_end = (int(n) for n in spans.groups())
        assert (new_start, new_end) == (start + len(note), end + len(note))
    habit_lines = lines_for(lines, "habits.md")
    assert any(
        line.startswith("changed ") and "no longer in the file" in line for line in habit_lines
    )
    assert all("silly" not in line or line.startswith("changed ") for line in habit_lines)
    assert all(
        line.startswith("changed ") and "(the file is gone)" in line
        for line in lines_for(lines, "garden.html")
    )
    pdf_lines = lines_for(lines, "money.pdf")
    assert pdf_lines and all(line.startswith(("moved ", "ok ")) for line in pdf_lines)
    assert any(line.startswith("moved ") for line in pdf_lines)


def test_input_that_is_not_an_answer_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "quotes": []}\nnot json\n', encoding="utf-8")
    assert main(["verify", str(bad), "--corpus", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cited: error: ") and "line 2 is not JSON" in err
    assert len(err.splitlines()) == 1


def test_a_quote_pointing_outside_the_corpus_is_changed_not_read(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("the quote", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    answer = {
        "quotes": [{"text": "the quote", "source": {"file": "../secret.txt", "start": 0, "end": 9}}]
    }
    saved_answer = tmp_path / "a.json"
    saved_answer.write_text(json.dumps(answer), encoding="utf-8")
    status, lines = verify(capsys, corpus, str(saved_answer))
    assert status == 1
    assert lines[0].startswith("changed ") and "not a file of the corpus folder" in lines[0]
