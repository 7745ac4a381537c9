"""Escape sequences in articles and file names never reach the terminal (issue #15): the
window title (OSC 0), a screen clear (CSI 2J) and a clipboard write (OSC 52) are dropped
from what `cited ingest`, `cited docs` and `cited ask` print; their JSON stays exact."""

from __future__ import annotations

import json

import pytest
from reliability_kit import cited

TITLE = "\x1b]0;you have been owned\x07"
CLEAR = "\x1b[2J\x1b[H"
CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"
C1_CSI = "\x9b2J"
HOSTILE = (TITLE, CLEAR, CLIPBOARD, C1_CSI)
RAW = ("\x1b", "\x07", "\x9b", "\x9d")


def _article() -> str:
    lines = [
        f"Quiet gardens{TITLE}",
        "",
        f"A quiet garden needs patience{CLEAR} and regular watering in the dry months.",
        f"Tomatoes grow best in full sun{CLIPBOARD} with deep watering twice a week.",
        f"Mulch keeps the soil moist{C1_CSI} and keeps weeds down between the rows.",
    ]
    filler = "Gardeners plant beans, peas and lettuce in spring when the soil warms. "
    return "\n".join(lines) + "\n\n" + filler * 12 + "\n"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("terminal")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    (corpus / f"garden{CLEAR}notes.txt").write_text(_article(), encoding="utf-8")
    (corpus / "plain.txt").write_text(
        "Plain notes\n\nWatering in the morning keeps plants healthy through the heat.\n",
        encoding="utf-8",
    )
    (corpus / f"owned{TITLE}.docx").write_bytes(b"not an article")
    built = cited("ingest", "--corpus", str(corpus), "--index", str(index))
    return corpus, index, built


def _assert_clean(text: str) -> None:
    for raw in RAW:
        assert raw not in text, repr(text[:400])


def test_ingest_warnings_and_summary_hold_no_escape(hostile_index):
    _, _, built = hostile_index
    assert built.returncode == 0, built.stderr
    assert "owned" in built.stderr and "unsupported file type" in built.stderr
    _assert_clean(built.stdout + built.stderr)


def test_docs_prints_titles_and_file_names_without_escapes(hostile_index):
    _, index, _ = hostile_index
    listed = cited("docs", "--index", str(index))
    assert listed.returncode == 0, listed.stderr
    assert "notes.txt" in listed.stdout
    _assert_clean(listed.stdout + listed.stderr)


def test_docs_json_stays_exact(hostile_index):
    _, index, _ = hostile_index
    listed = cited("docs", "--index", str(index), "--json")
    files = {doc["file"] for doc in json.loads(listed.stdout)}
    assert f"garden{CLEAR}notes.txt" in files


def test_ask_prints_quotes_without_escapes_and_json_keeps_them(hostile_index):
    _, index, _ = hostile_index
    question = "How should I water tomatoes in full sun?"
    shown = cited("ask", question, "--index", str(index))
    assert shown.returncode == 0, shown.stderr
    assert "Tomatoes grow best in full sun" in shown.stdout
    _assert_clean(shown.stdout + shown.stderr)
    exact = cited("ask", question, "--index", str(index), "--json")
    answer = json.loads(exact.stdout)
    assert any(CLIPBOARD in q["text"] or CLEAR in q["text"] for q in answer["quotes"])


@pytest.mark.parametrize("sequence", HOSTILE)
def test_each_sequence_is_dropped_whole(sequence):
    from assistant.terminal import for_terminal

    assert for_terminal(f"before{sequence}after") == "beforeafter"


def test_other_control_characters_are_shown_not_sent():
    from assistant.terminal import for_terminal

    assert for_terminal("a\x00b\x08c\td\ne") == "a\\x00b\\x08c\td\ne"


def test_the_highlight_stays_on_the_same_words():
    from assistant.answer import Quote
    from assistant.terminal import safe_copy

    text = f"One{CLEAR} two. The answer{TITLE} is here. Three."
    start = text.index("The answer")
    quote = Quote(1, text, 0.5, (start, text.index("here.") + 5), None)  # type: ignore[arg-type]
    safe = safe_copy(quote)
    s, e = safe.highlight
    assert safe.text[s:e] == "The answer is here."
