"""The library: listing what is indexed, reading an article, adding and deleting files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.web import catalog
from assistant.web import uploads as upload_rules
from assistant.web.catalog import LibraryError
from index.loaded import LoadedIndex

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(tmp_path: Path, name: str, data: bytes | str) -> tuple[str, Path]:
    folder = tmp_path / "uploads" / name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "upload.bin"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return name, path


class TestSafeName:
    @pytest.mark.parametrize(
        ("original", "expected"),
        [
            ("My Article (final).TXT", "my-article-final.txt"),
            ("../../etc/passwd.md", "passwd.md"),
            ("..\\..\\windows\\evil.html", "evil.html"),
            (".hidden.txt", "hidden.txt"),
            ("!!!.pdf", "article.pdf"),
            ("café   crème.md", "café-crème.md"),
            ("a" * 300 + ".txt", "a" * 100 + ".txt"),
        ],
    )
    def test_names_are_flat_visible_and_kebab_case(self, original, expected):
        assert upload_rules.safe_name(original) == expected

    @pytest.mark.parametrize("original", ["notes.docx", "run.exe", "data.json", "x.txt.exe"])
    def test_unsupported_types_are_refused_with_the_accepted_list(self, original):
        with pytest.raises(LibraryError, match=r"\.txt, \.md, \.rst, \.html, \.htm, \.pdf"):
            upload_rules.safe_name(original)

    @pytest.mark.parametrize(
        ("original", "expected"),
        [("README", "readme"), ("README.Debian", "readme.debian"), ("Guide.RST", "guide.rst")],
    )
    def test_names_ingest_reads_are_accepted(self, original, expected):
        """What the loader reads, the Library takes: README.Debian is read by its content."""
        assert upload_rules.safe_name(original) == expected


class TestContent:
    def test_text_markdown_html_and_pdf_pass_when_they_are_what_they_say(self):
        assert upload_rules.content_problem(b"Plain words.\n", ".txt") is None
        assert upload_rules.content_problem(b"# Title\n\nBody.", ".md") is None
        assert upload_rules.content_problem(b"<html><body><p>Hi</p></body></html>", ".html") is None
        assert upload_rules.content_problem(PDF, ".pdf") is None

    def test_text_that_mentions_tags_is_still_text(self):
        text = b"Beware <script>alert(1)</script> in articles."
        assert upload_rules.content_problem(text, ".txt") is None

    @pytest.mark.parametrize(
        ("data", "suffix", "reason"),
        [
            (PNG, ".txt", "PNG image"),
            (PDF, ".md", "a PDF"),
            (b"plain words", ".pdf", "not a PDF"),
            (b"PK\x03\x04rest", ".html", "ZIP"),
            (b"abc\x00def" * 10, ".txt", "binary"),
            (b"<!DOCTYPE html><html><p>x</p></html>", ".txt", "HTML page"),
            (b"no markup at all", ".html", "no HTML markup"),
            (b"   \n\t", ".txt", "empty"),
        ],
    )
    def test_content_that_does_not_match_its_extension_is_refused(self, data, suffix, reason):
        assert reason in upload_rules.content_problem(data, suffix)


class TestSaveUploads:
    def test_saves_good_files_and_names_every_refusal(self, tmp_path):
        corpus = tmp_path / "corpus"
        result = upload_rules.save_uploads(
            corpus,
            [
                _upload(tmp_path, "Good One.txt", "An article about bees.\n"),
                _upload(tmp_path, "fake.pdf", "not a pdf"),
                _upload(tmp_path, "image.txt", PNG),
                _upload(tmp_path, "tool.exe", "MZ"),
            ],
        )
        assert result.saved == ("good-one.txt",)
        assert (corpus / "good-one.txt").read_text() == "An article about bees.\n"
        refused = dict(result.rejected)
        assert set(refused) == {"fake.pdf", "image.txt", "tool.exe"}
        assert "not a PDF" in refused["fake.pdf"]
        assert sorted(p.name for p in corpus.iterdir()) == ["good-one.txt"]

    def test_an_existing_file_is_never_overwritten(self, tmp_path):
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "bees.txt").write_text("the original")
        result = upload_rules.save_uploads(corpus, [_upload(tmp_path, "Bees.txt", "a replacement")])
        assert result.saved == ()
        assert "already in the library" in result.rejected[0][1]
        assert (corpus / "bees.txt").read_text() == "the original"

    def test_two_uploads_with_the_same_name_keep_the_first(self, tmp_path):
        corpus = tmp_path / "corpus"
        result = upload_rules.save_uploads(
            corpus, [_upload(tmp_path, "a.txt", "first"), _upload(tmp_path, "A.TXT", "second")]
        )
        assert result.saved == ("a.txt",)
        assert (corpus / "a.txt").read_text() == "first"
        assert not [p for p in corpus.iterdir() if p.name.startswith(".")]

    def test_one_request_saves_at_most_the_file_limit(self, tmp_path):
        uploads = [
            _upload(tmp_path, f"n{i}.txt", f"note {i}")
            for i in range(upload_rules.MAX_UPLOAD_FILES + 1)
        ]
        result = upload_rules.save_uploads(tmp_path / "c", uploads)
        assert len(result.saved) == upload_rules.MAX_UPLOAD_FILES
        assert len(result.rejected) == 1 and "at once" in result.rejected[0][1]

    def test_files_over_the_size_limit_are_refused(self, tmp_path, monkeypatch):
        monkeypatch.setattr(upload_rules, "MAX_UPLOAD_BYTES", 100)
        result = upload_rules.save_uploads(
            tmp_path / "c", [_upload(tmp_path, "big.txt", "x" * 101)]
        )
        assert "over the" in result.rejected[0][1] and result.saved == ()


class TestDelete:
    def test_deletes_a_listed_file(self, tmp_path):
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "a.txt").write_text("x")
        assert upload_rules.delete_article(tmp_path, "sub/a.txt") == "sub/a.txt"
        assert not (tmp_path / "sub" / "a.txt").exists()

    @pytest.mark.parametrize(
        "name", ["../outside.txt", "/etc/passwd", "", ".hidden.txt", "missing.txt", "sub"]
    )
    def test_refuses_anything_but_a_file_inside_the_corpus(self, tmp_path, name):
        corpus = tmp_path / "corpus"
        (corpus / "sub").mkdir(parents=True)
        (corpus / ".hidden.txt").write_text("x")
        (tmp_path / "outside.txt").write_text("keep me")
        with pytest.raises(LibraryError):
            upload_rules.delete_article(corpus, name)
        assert (tmp_path / "outside.txt").read_text() == "keep me"
        assert (corpus / ".hidden.txt").exists()

    def test_a_link_out_of_the_corpus_is_not_followed(self, tmp_path):
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (tmp_path / "secret.txt").write_text("keep me")
        (corpus / "link.txt").symlink_to(tmp_path / "secret.txt")
        with pytest.raises(LibraryError):
            upload_rules.delete_article(corpus, "link.txt")
        assert (tmp_path / "secret.txt").read_text() == "keep me"


@pytest.fixture(scope="module")
def loaded(shipped_index):
    with LoadedIndex.load(shipped_index, verify=False) as index:
        yield index


class TestRowsAndFacts:
    def test_rows_tell_indexed_changed_removed_new_and_failed_files_apart(
        self, loaded, shipped_corpus, tmp_path
    ):
        corpus = tmp_path / "corpus"
        shutil.copytree(shipped_corpus, corpus)
        files = sorted(p.name for p in corpus.iterdir())
        (corpus / files[0]).write_text("Edited since indexing.\n")
        (corpus / files[1]).unlink()
        (corpus / "fresh.txt").write_text("A new article.\n")
        (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
        times = catalog.indexed_times(loaded, {})
        rows = catalog.library_rows(corpus, loaded, {"broken.pdf": "not a readable PDF"}, times)
        status = {row["file"]: row["status"] for row in rows}
        assert status[files[0]] == "changed"
        assert status[files[1]] == "removed"
        assert status[files[2]] == "indexed"
        assert status["fresh.txt"] == "new"
        assert status["broken.pdf"] == "error"
        broken = next(row for row in rows if row["file"] == "broken.pdf")
        assert broken["error"] == "not a readable PDF" and broken["doc_id"] is None
        indexed = next(row for row in rows if row["file"] == files[2])
        assert indexed["indexed_at"] == loaded.manifest.built_at
        assert indexed["passages"] > 0 and indexed["caveats"]

    def test_content_seen_before_keeps_its_indexing_time(self, loaded):
        doc = loaded.documents()[0]
        earlier = {doc.file: (doc.sha256, "2020-01-01T00:00:00+00:00")}
        times = catalog.indexed_times(loaded, earlier)
        assert times[doc.file][1] == "2020-01-01T00:00:00+00:00"
        other = loaded.documents()[1]
        assert times[other.file][1] == loaded.manifest.built_at

    def test_index_facts_name_the_model_sizes_and_build(self, loaded):
        facts = catalog.index_facts(loaded)
        assert facts["model"] == loaded.manifest.model_name
        assert facts["documents"] == 5 and facts["passages"] == loaded.passage_count
        assert facts["built_at"] == loaded.manifest.built_at


class TestRead:
    def test_blocks_and_caveats_are_spans_of_the_text(self, loaded):
        doc_id = loaded.documents()[0].doc_id
        doc = catalog.read_document(loaded, doc_id)
        text = doc["text"]
        kinds = {block["kind"] for block in doc["blocks"]}
        assert {"heading", "paragraph"} <= kinds
        numbers = [b["paragraph"] for b in doc["blocks"] if b["paragraph"]]
        assert numbers == list(range(1, len(numbers) + 1))
        assert all(text[c["start"] : c["end"]] == c["text"] for c in doc["caveats"])
        heading = next(b for b in doc["blocks"] if b["kind"] == "heading")
        assert heading["section"] in text[heading["start"] : heading["end"]]

    def test_an_unknown_article_is_a_clear_error(self, loaded):
        with pytest.raises(LibraryError, match="no article with id 'nope'"):
            catalog.read_document(loaded, "nope")

    def test_a_quote_start_maps_to_the_paragraph_that_holds_it(self, loaded):
        doc = loaded.documents()[0]
        numbered = catalog.paragraph_numbers(catalog.stored_blocks(loaded, doc))
        block, number = next((b, n) for b, n in numbered if n == 3)
        assert catalog.paragraph_at(numbered, block.start) == 3
        assert catalog.paragraph_at(numbered, block.end - 1) == 3
        assert number == 3


class TestBareBlob:
    """A browser's bare Blob arrives named "blob", with no extension: its content names it."""

    @pytest.mark.parametrize(
        ("data", "saved"),
        [
            (PDF, "blob.pdf"),
            ("<!doctype html><html><body><p>Hello there.</p></body></html>", "blob.html"),
            ("Plain words about bees.\n", "blob.txt"),
        ],
    )
    def test_a_file_without_extension_is_named_by_its_content(self, tmp_path, data, saved):
        result = upload_rules.save_uploads(tmp_path / "c", [_upload(tmp_path, "blob", data)])
        assert result.saved == (saved,)
        assert (tmp_path / "c" / saved).exists()

    def test_a_binary_blob_is_still_refused_with_the_reason(self, tmp_path):
        result = upload_rules.save_uploads(tmp_path / "c", [_upload(tmp_path, "blob", PNG)])
        # a name with no extension is read by its content, so the refusal names the content
        assert result.saved == () and "the content is a PNG image" in result.rejected[0][1]


class TestBuildErrors:
    def test_a_skipped_file_is_still_listed_after_a_restart(
        self, tmp_path, shipped_corpus, embedder
    ):
        from ingest.pipeline import build_index

        corpus = tmp_path / "corpus"
        first = sorted(shipped_corpus.glob("*.txt"))[0]
        corpus.mkdir()
        shutil.copy(first, corpus / first.name)
        (corpus / "blank.txt").write_bytes(b"   \n")
        build_index(corpus, tmp_path / "index", embedder)
        reopened = LoadedIndex.load(tmp_path / "index")  # as a restarted server does
        try:
            assert catalog.build_errors(reopened) == {"blank.txt": "empty file"}
        finally:
            reopened.close()
