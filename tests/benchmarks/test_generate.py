"""Tests for the synthetic benchmark corpus generator."""

from pathlib import Path

import pytest

from benchmarks.generate import edit_one_article, generate_corpus, generate_passages, main

BOILERPLATE = (
    "credit card",
    "Related Posts",
    "Related topics",
    "Similar Posts",
    "Written by",
    "Published date",
    "Ready to Start Your No Contact Journey",
    "Track your progress",
    "Authoritative Sources",
)


def _read(paths: list[Path]) -> list[bytes]:
    """Bytes of each file, in order."""
    return [p.read_bytes() for p in paths]


def _paragraphs(text: str) -> list[str]:
    """Body paragraph lines: long, not indented list items, not the title."""
    return [line for line in text.split("\n")[1:] if len(line) >= 120 and not line[0].isspace()]


def _headings(text: str) -> list[str]:
    """Short non-list lines after the title that do not end like a sentence."""
    lines = text.split("\n")[1:]
    return [
        line for line in lines if 0 < len(line) < 100 and line[-1] not in '.!”"’' and line[0] != " "
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Forty generated articles shared by the read-only tests."""
    return generate_corpus(tmp_path_factory.mktemp("corpus"), 40, seed=7)


class TestGenerateCorpus:
    def test_same_seed_gives_identical_bytes(self, tmp_path: Path, corpus: list[Path]) -> None:
        again = generate_corpus(tmp_path, 40, seed=7)
        assert [p.name for p in again] == [p.name for p in corpus]
        assert _read(again) == _read(corpus)

    def test_different_seed_differs(self, tmp_path: Path, corpus: list[Path]) -> None:
        other = generate_corpus(tmp_path, 40, seed=8)
        assert not set(_read(other)) & set(_read(corpus))

    def test_writes_n_uniquely_named_files(self, corpus: list[Path]) -> None:
        names = [p.name for p in corpus]
        assert len(set(names)) == 40
        assert sorted(p.name for p in corpus[0].parent.glob("*.txt")) == names
        assert names[3].startswith("0003-") and names[3].endswith(".txt")
        assert all(name == name.lower() and " " not in name for name in names)

    def test_articles_are_distinct(self, corpus: list[Path]) -> None:
        assert len(set(_read(corpus))) == 40
        paragraphs = [p for text in _read(corpus) for p in _paragraphs(text.decode())]
        assert len(set(paragraphs)) >= 0.97 * len(paragraphs)

    def test_article_structure(self, corpus: list[Path]) -> None:
        for path in corpus:
            text = path.read_text(encoding="utf-8")
            title, blank = text.split("\n")[:2]
            assert title.strip() and blank == "", path.name
            assert 4 <= len(_headings(text)) <= 9, path.name
            assert len(_paragraphs(text)) >= 6, path.name

    def test_size_like_source_articles(self, corpus: list[Path]) -> None:
        sizes = [p.stat().st_size for p in corpus]
        assert all(5_000 <= size <= 22_000 for size in sizes), sizes
        assert max(sizes) - min(sizes) > 4_000

    def test_no_boilerplate(self, corpus: list[Path]) -> None:
        for path in corpus:
            text = path.read_text(encoding="utf-8")
            assert not [b for b in BOILERPLATE if b in text], path.name

    def test_cli_reports_what_it_wrote(self, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
        main([str(tmp_path / "out"), "--articles", "3", "--seed", "1"])
        out = capsys.readouterr().out
        assert out.startswith("wrote 3 articles (") and out.rstrip().endswith(str(tmp_path / "out"))
        assert len(list((tmp_path / "out").glob("*.txt"))) == 3


class TestGeneratePassages:
    def test_count_uniqueness_and_length(self) -> None:
        passages = generate_passages(2_000, seed=3)
        assert len(passages) == 2_000
        assert len(set(passages)) >= 0.99 * 2_000
        assert all(60 <= len(p.split()) <= 200 for p in passages)

    def test_deterministic_per_seed(self) -> None:
        assert generate_passages(50, seed=1) == generate_passages(50, seed=1)
        assert generate_passages(50, seed=1) != generate_passages(50, seed=2)


class TestEditOneArticle:
    def test_changes_exactly_one_paragraph(self, tmp_path: Path) -> None:
        [path] = generate_corpus(tmp_path, 1, seed=5)
        before = path.read_text(encoding="utf-8").split("\n")
        edit_one_article(path, seed=1)
        after = path.read_text(encoding="utf-8").split("\n")
        assert len(after) == len(before)
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert len(changed) == 1
        assert before[changed[0]] in _paragraphs("\n".join(before))
        assert after[changed[0]] in _paragraphs("\n".join(after))

    def test_edit_is_deterministic(self, tmp_path: Path) -> None:
        first, second = generate_corpus(tmp_path / "a", 1), generate_corpus(tmp_path / "b", 1)
        edit_one_article(first[0], seed=2)
        edit_one_article(second[0], seed=2)
        assert first[0].read_bytes() == second[0].read_bytes()
