"""Blocks and passages: verbatim slices, within the model window, inside one section."""

from __future__ import annotations

import itertools
from pathlib import Path

from index.records import ChunkSettings, Document
from ingest.chunk import chunk_document
from ingest.clean import mark_boilerplate
from ingest.structure import blocks
from ingest.text import sentence_spans, slugify

ENVIRONMENT_MD = (
    Path(__file__).resolve().parents[1] / "data" / "markdown" / "systemd-ENVIRONMENT.md"
)

MAX_TOKENS = ChunkSettings().max_tokens


def _doc(text: str, title: str = "T", file: str = "t.txt") -> Document:
    return mark_boilerplate(Document("t", file, title, text, "0"))


class TestText:
    def test_sentences_respect_quotes_abbreviations_and_dashes(self):
        text = (
            'Dr. Helen Fisher agrees. "The waiting," she said, "made it a miracle." Now go—'
            "slowly. Wait… she’s calm. Is it games? No!\n  1. Be present. Listen.\n"
            "A Heading Line\n- A bullet"
        )
        assert [text[s:e] for s, e in sentence_spans(text)] == [
            "Dr. Helen Fisher agrees.",
            '"The waiting," she said, "made it a miracle."',
            "Now go—slowly.",
            "Wait… she’s calm.",
            "Is it games?",
            "No!",
            "Be present.",
            "Listen.",
            "A Heading Line",
            "A bullet",
        ]

    def test_a_wrapped_line_opening_with_code_a_bracket_or_a_quote_goes_on(self):
        text = (
            "Only real file systems such as\n  `/proc/` are managed, or\n(when set) those\n"
            "{ref}`listed` or\n*emphasised* here.\nA Heading Line\n\n`code` after a blank line"
            "\nthen\n$ a prompt"
        )
        assert [text[s:e] for s, e in sentence_spans(text)] == [
            "Only real file systems such as\n  `/proc/` are managed, or\n(when set) those\n"
            "{ref}`listed` or\n*emphasised* here.",
            "A Heading Line",
            "`code` after a blank line\nthen",
            "$ a prompt",
        ]

    def test_a_line_broken_after_a_comma_or_a_quoted_word_goes_on(self):
        """systemd's Markdown wraps at its width wherever a line ends: after a comma
        (ENVIRONMENT.md) or a quoted word (UIDS-GIDS.md's "do not map to actual "human"");
        the sentence went on in a unit of its own, "users, but are used as…"."""
        text = ENVIRONMENT_MD.read_text(encoding="utf-8")
        units = [text[s:e] for s, e in sentence_spans(text)]
        unit = next(t for t in units if "If enabled (which is the default)," in t)
        assert "whenever a disk image is used" in unit
        assert not any(t.startswith("whenever a disk image is used") for t in units)
        quoted = 'These are users that do not map to actual "human"\n   users, but are used.'
        assert [quoted[s:e] for s, e in sentence_spans(quoted)] == [quoted]
        ended = "One, two.\nthree."  # a finished sentence stays finished
        assert [ended[s:e] for s, e in sentence_spans(ended)] == ["One, two.", "three."]

    def test_slugify(self):
        assert slugify("Make Him Miss You: Why You Have To Leave!") == (
            "make-him-miss-you-why-you-have-to-leave"
        )
        assert slugify("guides/Café Notes") == "guides-cafe-notes"


class TestBlocks:
    def test_kinds_and_sections_in_the_ex_article(self, corpus_docs):
        ex = corpus_docs["ex"]
        found = {(ex.text[b.start : b.end], b.kind, b.section) for b in blocks(ex)}
        principle = "Psychological Principle 2: The Peak-End Rule"
        assert (principle, "heading", principle) in found
        assert ("How to apply it ethically:", "label", principle) in found
        assert ("- How things ended", "item", principle) in found
        assert ("Unethical:", "label", "Ethical Considerations") in found

    def test_title_line_and_numbered_headings(self, corpus_docs):
        leave = corpus_docs["leave"]
        first, second = blocks(leave)[:2]
        assert (first.kind, leave.text[first.start : first.end]) == ("title", leave.title)
        assert (second.kind, second.section) == (
            "heading",
            "1) The Power of Distance in Relationships",
        )

    def test_quoted_lines_are_not_headings(self, corpus_docs):
        husband = corpus_docs["husband"]
        kinds = {husband.text[b.start : b.end]: b.kind for b in blocks(husband)}
        assert kinds["“She’s different now.”"] == "paragraph"
        assert kinds["He walks away thinking, “Why was that interaction so different?”"] == (
            "paragraph"
        )

    def test_blocks_skip_boilerplate(self, corpus_docs):
        for doc in corpus_docs.values():
            for block in blocks(doc):
                assert (
                    doc.text[block.start : block.end] == doc.text[block.start : block.end].strip()
                )
                assert not any(s < block.end and block.start < e for s, e in doc.boilerplate)

    def test_markdown_paragraphs_and_headings(self):
        text = "# Guide\n\nA wrapped\nparagraph here.\n\n## Part Two\n\n- one\n- two\n"
        doc = _doc(text, title="Guide", file="g.md")
        assert [(text[b.start : b.end], b.kind, b.section) for b in blocks(doc)] == [
            ("# Guide", "title", "Guide"),
            ("A wrapped\nparagraph here.", "paragraph", "Guide"),
            ("## Part Two", "heading", "Part Two"),
            ("- one", "item", "Part Two"),
            ("- two", "item", "Part Two"),
        ]


class TestShippedPassages:
    def test_passage_text_is_verbatim_and_ordered(self, corpus_docs, chunk):
        for doc in corpus_docs.values():
            passages = chunk(doc)
            assert [p.ordinal for p in passages] == list(range(len(passages)))
            assert all(p.text == doc.text[p.start : p.end] for p in passages)
            assert all(a.end < b.start for a, b in itertools.pairwise(passages))
            assert all(p.doc_id == doc.doc_id and p.page is None for p in passages)

    def test_no_passage_touches_boilerplate(self, corpus_docs, chunk):
        for doc in corpus_docs.values():
            for p in chunk(doc):
                assert not any(s < p.end and p.start < e for s, e in doc.boilerplate)
                for phrase in ("No credit card", "Related Posts", "Similar Posts", "Written by"):
                    assert phrase not in p.text

    def test_every_passage_fits_the_model_window(self, corpus_docs, chunk, count_tokens):
        for doc in corpus_docs.values():
            assert all(count_tokens(p.text) + 2 <= MAX_TOKENS for p in chunk(doc))

    def test_counting_spans_cuts_as_counting_slices(self, corpus_docs, chunk, count_tokens):
        for doc in corpus_docs.values():
            by_slice = chunk_document(doc, lambda s, e, t=doc.text: count_tokens(t[s:e]))
            assert chunk(doc) == by_slice

    def test_all_article_text_is_covered(self, corpus_docs, chunk):
        ex = corpus_docs["ex"]
        joined = " ".join(p.text for p in chunk(ex))
        for sentence in (
            "These are general patterns, not guarantees.",
            "Weaponizing reactance by being cruel or threatening",
            "Your job is simple: focus on becoming the best version of yourself",
        ):
            assert sentence in joined

    def test_sections_recorded(self, corpus_docs, chunk):
        leave = chunk(corpus_docs["leave"])
        over = [p for p in leave if p.section == "6) Why Over-Availability Reduces Attraction"]
        assert over and over[0].text.startswith("One of the biggest mistakes people make")
        ex = chunk(corpus_docs["ex"])
        assert ex[0].section == "The psychology of how to make an ex miss you"

    def test_passages_never_cross_a_section(self, corpus_docs, chunk):
        for doc in corpus_docs.values():
            headings = [b for b in blocks(doc) if b.kind in ("heading", "title")]
            for p in chunk(doc):
                assert not any(p.start <= h.start < p.end for h in headings)

    def test_label_stays_with_its_paragraph(self, corpus_docs, chunk):
        ex = chunk(corpus_docs["ex"])
        assert any(
            "How to apply it ethically:\nThis does not mean playing games" in p.text for p in ex
        )
        for doc in corpus_docs.values():
            labels = [b for b in blocks(doc) if b.kind == "label"]
            for p in chunk(doc):
                assert not any(p.start <= b.start and b.end == p.end for b in labels)

    def test_list_is_kept_together(self, corpus_docs, chunk):
        husband = chunk(corpus_docs["husband"])
        (passage,) = [p for p in husband if "• Controlled communication" in p.text]
        assert "• Emotional non-reactivity" in passage.text
        assert passage.text.startswith("Here’s where list-based clarity helps.")


class TestSplitting:
    def test_long_paragraph_splits_between_sentences(self, chunk, count_tokens):
        sentence = "Giving someone space is an act of respect, not a tactic to win them back. "
        text = "A Title\n\n" + sentence * 60
        doc = _doc(text, title="A Title")
        passages = chunk(doc, ChunkSettings(max_tokens=128, target_tokens=96))
        assert len(passages) > 3
        for p in passages:
            assert p.text == doc.text[p.start : p.end]
            assert count_tokens(p.text) + 2 <= 128
            assert p.text.startswith("Giving") and p.text.endswith("back.")

    def test_endless_sentence_is_cut_at_spaces(self, chunk, count_tokens):
        text = "Intro Heading\n\n" + "and then we waited " * 200
        doc = _doc(text, title="Intro Heading")
        passages = chunk(doc, ChunkSettings(max_tokens=64, target_tokens=48))
        assert all(count_tokens(p.text) + 2 <= 64 for p in passages)
        assert "".join(p.text + " " for p in passages).split() == text.split()[2:]

    def test_pdf_passages_carry_their_page(self, chunk):
        pages = ["First Page\n\nSpace helps.", "Second Page\n\nTime heals."]
        text = "\n\n".join(pages)
        doc = mark_boilerplate(
            Document("p", "p.pdf", "First Page", text, "0", page_starts=(0, len(pages[0]) + 2))
        )
        assert [(p.text, p.page) for p in chunk(doc)] == [
            ("Space helps.", 1),
            ("Time heals.", 2),
        ]
