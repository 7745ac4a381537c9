"""Boilerplate marking on the shipped articles and on small made-up ones."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from index.records import Document
from ingest.analyze import read_file
from ingest.clean import find_boilerplate, mark_boilerplate
from ingest.structure import blocks

CTA = (
    "Ready to Start Your No Contact Journey?\n"
    "Track your progress, get AI coaching when the urge to text hits, and become the "
    "strongest version of yourself.\n"
    "Free to start • No credit card required"
)


def _marked(doc: Document) -> list[str]:
    return [doc.text[s:e] for s, e in doc.boilerplate]


def _covered(doc: Document, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in doc.boilerplate)


def _doc(text: str) -> Document:
    return Document("t", "t.txt", "T", text, "0")


class TestShippedArticles:
    def test_repeated_call_to_action_marked_in_all_three_places(self, corpus_docs):
        ex = corpus_docs["ex"]
        starts = [i for i in range(len(ex.text)) if ex.text.startswith(CTA, i)]
        assert len(starts) == 3
        for start in starts:
            assert _covered(ex, start, start + len(CTA))

    def test_related_topics_tail_marked(self, corpus_docs):
        ex = corpus_docs["ex"]
        tail = ex.text.rindex("Related topics")
        assert _covered(ex, tail, len(ex.text.rstrip()))

    def test_related_posts_and_link_titles_marked(self, corpus_docs):
        leave = corpus_docs["leave"]
        start = leave.text.index("Related Posts")
        assert _marked(leave) == [leave.text[start:]]
        assert leave.text[start:].endswith("Are You Treating Them the Right Way?")

    def test_similar_posts_marked(self, corpus_docs):
        assert _marked(corpus_docs["husband"]) == ["Similar Posts"]

    def test_empty_byline_marked(self, corpus_docs):
        assert _marked(corpus_docs["him"]) == ["Written by\nPublished date"]

    def test_clean_article_has_no_boilerplate(self, corpus_docs):
        assert corpus_docs["someone"].boilerplate == ()

    def test_no_normal_paragraph_or_heading_marked(self, corpus_docs):
        marked_chars = {
            name: sum(e - s for s, e in doc.boilerplate) for name, doc in corpus_docs.items()
        }
        assert marked_chars["ex"] == 3 * len(CTA) + len("\nRelated topics")
        ex = corpus_docs["ex"]
        for label in ("How to apply it ethically:", "Real-world example:"):
            assert ex.text.count(label) == 4
            assert not any(label in text for text in _marked(ex))
        kept = {ex.text[b.start : b.end] for b in blocks(ex)}
        assert "The Science of Missing Someone" in kept
        assert "Important caveat: Everyone processes differently." in " ".join(kept)


class TestByNature:
    def test_unknown_repeated_block_is_marked(self):
        promo = "Join our circle\nWeekly letters about slow, kind, honest relationships."
        text = f"Title\n\nFirst paragraph.\n\n{promo}\n\nSecond paragraph.\n\n{promo}\n\nEnd."
        doc = mark_boilerplate(_doc(text))
        assert _marked(doc) == [promo, promo]

    def test_you_may_also_like_tail(self):
        body = "A real paragraph about patience and respect. " * 5
        doc = mark_boilerplate(_doc(f"Title\n\n{body}\n\nYou May Also Like\nTen Tricks\n"))
        assert _marked(doc) == ["You May Also Like\nTen Tricks"]

    def test_related_heading_early_in_text_is_kept(self):
        body = "A real paragraph about patience and respect. " * 5
        doc = mark_boilerplate(_doc(f"Related Articles\n\n{body}"))
        assert doc.boilerplate == ()

    def test_filled_byline_is_kept_empty_one_marked(self):
        doc = mark_boilerplate(_doc("By Jane Doe\nUpdated on:\n\nText that stays."))
        assert _marked(doc) == ["Updated on:"]

    def test_short_promotion_marked_but_long_paragraph_kept(self):
        paragraph = (
            "Some people subscribe to the idea that distance fixes everything, but a "
            "relationship needs more than that: it needs honesty, patience and care."
        )
        doc = mark_boilerplate(_doc(f"{paragraph}\n\nSign up for our newsletter today!"))
        assert _marked(doc) == ["Sign up for our newsletter today!"]

    def test_input_is_not_mutated(self):
        doc = _doc("Written by\n\nText.")
        assert mark_boilerplate(doc).boilerplate == ((0, 10),)
        assert doc.boilerplate == ()


class TestManuals:
    """A paged document's repeated lines (code) and its lines about subscribing (to a
    mailing list) are content, for the build and for `cited inspect` alike."""

    CODE = "con <- round(exp(lgamma(n + 1) - lgamma(r) - lgamma(n - r + 1)))"
    SUBSCRIBE = "To subscribe to R-help, send 'subscribe' to the list address."

    def _manual(self, paged: bool) -> Document:
        text = (
            f"Intro.\n\n{self.CODE}\n\nMore text.\n\n{self.CODE}\n\n{self.SUBSCRIBE}"
            f"\n\nEnd text.\n\n{self.CODE}\n"
        )
        return replace(_doc(text), page_starts=(0, 40) if paged else ())

    def test_a_manuals_repeats_and_subscribe_line_are_content(self):
        manual = self._manual(paged=True)
        assert find_boilerplate(manual) == []
        assert mark_boilerplate(manual).boilerplate == ()

    def test_inspect_reports_no_boilerplate_in_a_manual_the_build_keeps(self):
        from ingest.inspect import _boilerplate
        from ingest.load import LoadedFile

        assert _boilerplate(LoadedFile(self._manual(paged=True))) == ()

    def test_the_same_lines_on_a_web_page_are_boilerplate(self):
        reasons = {reason for _, _, reason in find_boilerplate(self._manual(paged=False))}
        assert reasons == {"repeated block", "call to action"}


class TestTableOfContents:
    """A table of contents lists numbered titles that come again as the sections."""

    DATA = Path(__file__).resolve().parents[1] / "data"

    def _contents(self, path: Path) -> list[str]:
        document = read_file(path, path.parent).document
        return [
            document.text[s:e]
            for s, e, why in find_boilerplate(document)
            if why == "table of contents"
        ]

    def test_a_texts_table_of_contents_is_boilerplate(self):
        """The Debian FAQ's text opens with 230 lines of contents, its heading included."""
        lines = self._contents(self.DATA / "text" / "debian-faq.en.txt.gz")
        assert lines[:2] == ["Table of Contents", "1. Definitions and overview"]
        assert "8.5. How can I find out what package produced a particular file?" in lines
        assert len(lines) == 230

    def test_a_manuals_pages_that_run_on_are_no_table_of_contents(self):
        """R's FAQ as PDF: chapter 7's questions run on into their answers without a blank
        line, and its printed contents list them, yet its pages are no table of contents:
        a table's lines are mostly titles (36 lines of the chapter were marked without it)."""
        assert self._contents(self.DATA / "pdf" / "r-faq-contents-and-chapter-7.pdf") == []


class TestWrappedManuals:
    """A hard-wrapped manual repeats a wrapped line where it says the same thing twice
    (man-db's manual, tests/data/terminal/README.md): that line is part of a sentence."""

    MANUAL = Path(__file__).resolve().parents[1] / "data" / "terminal" / "man-db"

    def test_a_line_repeated_inside_a_wrapped_paragraph_is_kept(self):
        doc = read_file(self.MANUAL / "man-db-manual.txt.gz", self.MANUAL).document
        line = "To  use  the  man-db  utilities  in this mode, supply the options `--dis-"
        starts = [i for i in range(len(doc.text)) if doc.text.startswith(line, i)]
        assert len(starts) == 2
        for start in starts:
            assert not any(s < start + len(line) and start < e for s, e in doc.boilerplate)

    def test_a_paragraph_repeated_whole_in_a_wrapped_text_is_still_marked(self):
        filler = "\n".join(
            f"Line {n} of a wrapped paragraph that runs on and on" for n in range(30)
        )
        promo = "Join our circle for weekly letters about\nslow, kind and honest relationships."
        text = f"{filler}\n\n{promo}\n\n{filler.replace('Line', 'Row')}\n\n{promo}\n"
        assert _marked(mark_boilerplate(_doc(text))) == [promo, promo]

    def test_the_page_numbers_of_a_paginated_text_are_marked(self):
        doc = read_file(self.MANUAL / "man-db-manual.txt.gz", self.MANUAL).document
        numbers = [r for r in find_boilerplate(doc) if r[2] == "page number"]
        assert [doc.text[s:e] for s, e, _ in numbers] == [str(n) for n in range(1, 27)]
        lines = [ln.strip() for p in blocks(doc) for ln in doc.text[p.start : p.end].splitlines()]
        assert not any(line.isdigit() for line in lines if line)

    def test_numbers_counting_line_by_line_are_a_list_not_page_numbers(self):
        text = "Steps\n\n1\n\nMix.\n\n2\n\nBake.\n\n3\n\nServe.\n"
        assert not [r for r in find_boilerplate(_doc(text)) if r[2] == "page number"]
