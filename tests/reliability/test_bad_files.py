"""Bad files in the corpus are reported by name with a reason; everything else builds, and
text in legacy encodings is decoded and searchable (issue #6, items 1 and 3)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from reliability_kit import cited, text_pdf

from index.errors import UnreadableFileError
from ingest.load import MAX_FILE_MB, load_document

QUIET = (
    "Quiet Evenings Alone\n\n"
    "Spending a quiet evening alone with a book helps you notice what you actually want "
    "from a relationship, instead of reacting to what the other person does.\n"
)
CAFE_LATIN1 = (
    "Meeting at the Café\n\n"
    "At the café she understood that a naïve façade of indifference only hid her feelings; "
    "saying honestly that you miss someone works better than a cool façade.\n"
)
DEJA_VU_CP1252 = (
    "Déjà Vu Evenings\n\n"
    "The \u201cdéjà vu\u201d feeling after a breakup \u2014 reliving the same empty evening "
    "again and again \u2014 fades once you fill those evenings with new routines.\n"
)
BRULEE_UTF8 = (
    "Crème Brûlée Lessons\n\n"
    "Cooking a crème brûlée for his friends taught him patience: the custard only sets "
    "when you stop checking it every minute."
)
GOOD_HTML = (
    "<html><head><title>Letters</title></head><body><main><h1>Unsent Letters</h1>"
    "<p>Writing a letter you never send lets you say what you feel without asking "
    "anything of the other person.</p></main></body></html>"
)

#: file name -> the start of the reason `cited ingest --json` must give for it.
BAD_FILES = {
    "garbage.pdf": "not a PDF: its content is binary data",
    "truncated.pdf": "truncated PDF",
    "saved-page.pdf": "not a PDF: it is an HTML page",
    "empty.txt": "empty file",
    "blank.md": "empty file",
    "photo.txt": "binary data, not text",
    "notes.docx": "unsupported file type '.docx'",
    "enormous.txt": f"file is {MAX_FILE_MB + 1} MB; cited reads articles up to {MAX_FILE_MB} MB",
}


def _write_corpus(corpus: Path) -> None:
    corpus.mkdir()
    (corpus / "quiet-evenings.txt").write_text(QUIET, encoding="utf-8")
    (corpus / "cafe.txt").write_bytes(CAFE_LATIN1.encode("latin-1"))
    (corpus / "deja-vu.md").write_bytes(DEJA_VU_CP1252.encode("cp1252"))
    (corpus / "brulee.txt").write_bytes(BRULEE_UTF8.encode("utf-8") + b" \xff\xfe stray.\n")
    (corpus / "letters.html").write_text(GOOD_HTML, encoding="utf-8")
    (corpus / "printed.pdf").write_bytes(
        text_pdf(
            "Walking Without a Phone",
            "A long walk without your phone gives your mind room to settle after an argument.",
        )
    )
    (corpus / "garbage.pdf").write_bytes(random.Random(6).randbytes(4096))
    whole = text_pdf("A whole PDF", "cut off halfway through its download.")
    (corpus / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    (corpus / "saved-page.pdf").write_text(GOOD_HTML, encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.md").write_bytes(b" \n\t\r\n   \n")
    (corpus / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(2048))
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with (corpus / "enormous.txt").open("wb") as sparse:  # no disk used: a hole
        sparse.truncate((MAX_FILE_MB + 1) * 1024 * 1024)
    (corpus / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # hidden: ignored


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """The real `cited ingest --json` over a corpus of good and bad files."""
    root = tmp_path_factory.mktemp("bad-files")
    corpus, index = root / "corpus", root / "index"
    _write_corpus(corpus)
    result = cited("ingest", "--corpus", str(corpus), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    return corpus, index, json.loads(result.stdout)


def test_every_bad_file_is_reported_by_name_with_its_reason(ingested):
    _, _, summary = ingested
    reasons = {e["file"]: e["error"] for e in summary["errors"]}
    assert set(reasons) == set(BAD_FILES), reasons
    for name, reason in BAD_FILES.items():
        assert reasons[name].startswith(reason), (name, reasons[name])


def test_every_good_file_is_indexed(ingested):
    _, index, summary = ingested
    assert summary["documents"]["added"] == 6
    listed = cited("docs", "--index", str(index), "--json")
    files = {doc["file"] for doc in json.loads(listed.stdout)}
    assert files == {
        "quiet-evenings.txt",
        "cafe.txt",
        "deja-vu.md",
        "brulee.txt",
        "letters.html",
        "printed.pdf",
    }


def test_accented_words_in_legacy_encodings_are_found_by_cited_ask(ingested):
    _, index, _ = ingested
    questions = {
        "Does a naïve façade of indifference help?": ("cafe.txt", "naïve façade"),
        "How do I stop the déjà vu feeling after a breakup?": ("deja-vu.md", "\u201cdéjà vu\u201d"),
        "What did cooking a crème brûlée teach him?": ("brulee.txt", "crème brûlée"),
    }
    result = cited("ask", "--index", str(index), "--json", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == list(questions)
    for answer, (file, words) in zip(answers, questions.values(), strict=True):
        assert not answer["abstained"], answer["question"]
        top = answer["quotes"][0]
        assert top["source"]["file"] == file
        assert words in top["text"]


class TestDecoding:
    """What a reader of the file sees is what cited quotes."""

    def _load(self, tmp_path: Path, name: str, data: bytes) -> str:
        (tmp_path / name).write_bytes(data)
        return load_document(tmp_path / name, tmp_path).text

    def test_latin1(self, tmp_path: Path):
        assert self._load(tmp_path, "a.txt", CAFE_LATIN1.encode("latin-1")) == CAFE_LATIN1

    def test_cp1252_smart_quotes_and_dashes(self, tmp_path: Path):
        assert self._load(tmp_path, "a.md", DEJA_VU_CP1252.encode("cp1252")) == DEJA_VU_CP1252

    def test_utf8_with_stray_bytes_keeps_its_accents(self, tmp_path: Path):
        data = BRULEE_UTF8.encode("utf-8") + b" \xff\xfe stray.\n"
        assert self._load(tmp_path, "a.txt", data) == BRULEE_UTF8 + " \ufffd\ufffd stray.\n"

    def test_bytes_no_encoding_maps_still_decode(self, tmp_path: Path):
        """0x81 is undefined in cp1252: latin-1 takes over rather than failing."""
        assert self._load(tmp_path, "a.txt", b"Caf\xe9 \x81 ok.\n") == "Café \x81 ok.\n"

    def test_random_bytes_named_txt_are_refused(self, tmp_path: Path):
        data = bytes(b for b in random.Random(8).randbytes(4096) if b)  # no NUL bytes at all
        with pytest.raises(UnreadableFileError, match="binary data, not text"):
            self._load(tmp_path, "noise.txt", data)


def test_an_incremental_rebuild_reports_the_bad_files_again(tmp_path: Path, embedder):
    """Skipped files are not remembered as indexed: the next build says so again."""
    from ingest.pipeline import build_index

    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    first = build_index(corpus, tmp_path / "index", embedder).to_dict()
    again = build_index(corpus, tmp_path / "index", embedder).to_dict()
    assert {e["file"] for e in again["errors"]} == set(BAD_FILES)
    assert again["errors"] == first["errors"]
    assert again["documents"]["unchanged"] == 6
    assert again["passages"]["embedded"] == 0
