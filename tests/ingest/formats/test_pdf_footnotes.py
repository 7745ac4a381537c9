"""PDF footnotes: each note its own paragraph, never inside the paragraph it interrupts.

The real file is four pages of R's installation manual (tests/data/pdf/README.md) whose
feet carry notes 1-14 in texinfo's small type; the font sizes say which lines are notes,
and the reader must find the same ones from the text alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.formats.pdf_footnotes import mark_footnotes
from ingest.load import LoadedFile, load_file

DATA = Path(__file__).resolve().parents[2] / "data" / "pdf"
R_ADMIN = DATA / "r-admin-pages-45-48.pdf"
#: The notes on each page of the file (page 1 has none), as its small type prints them.
NOTES_BY_PAGE = {2: list(range(1, 6)), 3: list(range(6, 14)), 4: [14]}
_NUMBER = re.compile(r"\d{1,3}(?=\s)")


@pytest.fixture(scope="module")
def r_admin() -> LoadedFile:
    return load_file(R_ADMIN, DATA)


def _notes(loaded: LoadedFile) -> list[tuple[int, int, str]]:
    """(page, number, text) of every block that is a footnote: it opens with the next number."""
    text, doc = loaded.document.text, loaded.document
    found, wanted = [], [n for numbers in NOTES_BY_PAGE.values() for n in numbers]
    for block in loaded.blocks or ():
        body = text[block.start : block.end]
        number = _NUMBER.match(body)
        if wanted and number and int(number.group()) == wanted[0]:
            found.append((doc.page_at(block.start), wanted.pop(0), body))
    return found


def _spans(loaded: LoadedFile) -> list[tuple[int, int, str]]:
    text = loaded.document.text
    notes = {body for _, _, body in _notes(loaded)}
    return [
        (b.start, b.end, text[b.start : b.end])
        for b in loaded.blocks
        if text[b.start : b.end] in notes
    ]


def test_every_note_is_a_paragraph_of_its_own_on_its_page(r_admin):
    notes = _notes(r_admin)
    by_page: dict[int, list[int]] = {}
    for page, number, _ in notes:
        by_page.setdefault(page, []).append(number)
    assert by_page == NOTES_BY_PAGE
    assert "14 footnotes kept apart from the paragraphs they interrupt" in r_admin.notes
    assert notes[0][2] == "1 also known as IEEE 754"
    assert notes[-1][2].startswith("14 texi2dvi is normally a shell script.")


def test_no_paragraph_holds_a_note_and_the_text_around_it(r_admin):
    text = r_admin.document.text
    openings = {body.splitlines()[0] for _, _, body in _notes(r_admin)}
    for block in r_admin.blocks:
        lines = text[block.start : block.end].splitlines()
        assert not (set(lines[1:]) & openings), lines[0]


def test_a_paragraph_running_on_past_the_notes_stays_whole(r_admin):
    doc, text = r_admin.document, r_admin.document.text
    across = [b for b in r_admin.blocks if doc.page_at(b.start) != doc.page_at(b.end - 1)]
    assert len(across) == 1
    paragraph = text[across[0].start : across[0].end]
    assert paragraph.startswith("You will not be able to build most of the manuals unless you")
    assert "\n\n" in paragraph and not _NUMBER.match(paragraph.split("\n\n")[1])
    notes_of_page_3 = [start for start, _, _ in _spans(r_admin) if doc.page_at(start) == 3]
    assert max(notes_of_page_3) < across[0].start  # written out before it, on their page


def test_only_whole_lines_move_so_quotes_stay_exact(r_admin):
    from pypdf import PdfReader

    text = r_admin.document.text
    extracted = [
        line.strip()
        for page in PdfReader(R_ADMIN).pages
        for line in page.extract_text().splitlines()
    ]
    assert sorted(line for line in text.splitlines() if line) == sorted(
        line for line in extracted if line
    )
    for block in r_admin.blocks:
        assert text[block.start : block.end].strip() == text[block.start : block.end]


@pytest.mark.parametrize(
    "name", ["r-faq-pages-1-10.pdf", "debian-faq-pages-13-15.pdf", "fontconfig-user-pages-1-2.pdf"]
)
def test_manuals_without_footnotes_get_none(name):
    loaded = load_file(DATA / name, DATA)
    assert not [note for note in loaded.notes if "footnote" in note]


@dataclass
class _Line:
    text: str
    role: str = "body"
    opens_note: bool = False


def _page(*lines: str) -> list[_Line]:
    return [_Line(text) for text in lines]


def _marked(pages: list[list[_Line]]) -> list[list[str]]:
    mark_footnotes(pages)
    return [[line.text for line in lines if line.role == "footnote"] for lines in pages]


class TestWhatIsNotANote:
    BODY = ("Text that needs a suitable1 tar and a second mark2 to be read,", "and more text.")

    def test_a_page_foot_of_numbered_notes_with_their_marks(self):
        page = _page(*self.BODY, "1 e.g. GNU tar 1.15.", "2 for some clients", "only.")
        assert _marked([page]) == [["1 e.g. GNU tar 1.15.", "2 for some clients", "only."]]
        assert [line.opens_note for line in page] == [False, False, True, True, False]

    def test_a_formula_or_a_wrapped_number_is_not_a_note(self):
        assert _marked([_page(*self.BODY, "2 * x")]) == [[]]
        assert _marked([_page(*self.BODY, "3 stacktraces of a block: where it was allocated")]) == [
            []
        ]

    def test_a_number_without_its_mark_or_out_of_count_is_not_a_note(self):
        unmarked = ("Text with no marks at all in it, set in full lines here.", "More of it.")
        assert _marked([_page(*unmarked, "1 This line opens with a number.")]) == [[]]
        assert _marked([_page(*self.BODY, "1 a note.", "3 a gap in the count.")]) == [[]]

    def test_numbering_goes_on_from_page_to_page_or_starts_again_at_one(self):
        first = _page(*self.BODY, "1 the first note.", "2 the second.")
        later = _page("It needs a third3 mark here and runs", "on.", "3 the third note.")
        again = _page("A new chapter marks1 its first note", "again.", "1 chapter note.")
        assert _marked([first, later, again])[1:] == [["3 the third note."], ["1 chapter note."]]


def test_the_type_agrees_with_what_the_reader_found(tmp_path):
    """benchmarks.pdf_footnotes's truth (the small type) on the same four pages."""
    from benchmarks.pdf_footnotes import score, typeset_notes

    typeset = typeset_notes(R_ADMIN.read_bytes())
    assert [n for _, n in typeset] == list(range(1, 15))
    assert {page + 1 for page, _ in typeset} == set(NOTES_BY_PAGE)
    result = score(R_ADMIN, tmp_path)
    assert (result.notes, result.found, result.inside, result.reported) == (14, 14, 0, 14)


def test_a_note_is_a_passage_of_its_own_never_between_paragraphs(r_admin):
    """R-intro.pdf quoted "…specified explicitly.\\n2 Note that tapply() also works…\\nSometimes
    the levels…": a note set at a page's foot, packed with the paragraphs around it."""
    from ingest.analyze import analyze
    from ingest.inspect import TokenCounter

    text = r_admin.document.text
    passages = analyze(r_admin, TokenCounter().span_counter(text)).passages
    notes = [body for _, _, body in _notes(r_admin)]
    for passage in passages:
        holding = [body for body in notes if body in passage.text]
        assert not holding or passage.text.strip() in ("\n\n".join(holding), *holding)
    assert all(any(body in p.text for p in passages) for body in notes)
