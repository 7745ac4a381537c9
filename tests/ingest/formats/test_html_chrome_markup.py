"""Chrome known by its markup (author boxes, pop-ups, newsletter forms, related-posts boxes),
on fragments of real pages (tests/data/html/README.md names each page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from ingest.formats import html
from ingest.formats.base import Limits
from ingest.formats.html_chrome import Part, chrome_parts
from ingest.formats.html_chrome_markup import markup_chrome

DATA = Path(__file__).resolve().parents[2] / "data" / "html" / "web"


def _marks(name: str) -> list[tuple[str, str, str]]:
    """(text, reason or "", section) of each block of a page as the HTML reader reads it."""
    reading = html.read((DATA / name).read_bytes(), name, Limits())
    reasons = {(m.start, m.end): m.reason for m in reading.boilerplate}
    return [
        (reading.text[b.start : b.end], reasons.get((b.start, b.end), ""), b.section)
        for b in reading.blocks
    ]


def _reason_of(marks: list[tuple[str, str, str]], opening: str) -> str:
    return next(reason for text, reason, _ in marks if text.startswith(opening))


def test_an_author_box_is_chrome_and_the_post_is_not() -> None:
    marks = _marks("web-author-box.html")
    assert _reason_of(marks, "Patrick Ludolph, Fotograf aus Hamburg") == "author box"
    assert _reason_of(marks, "Ich freue mich wie ein kleines Kind") == ""


def test_related_posts_box_is_chrome_and_the_post_is_not() -> None:
    marks = _marks("web-related-posts.html")
    assert _reason_of(marks, "Die Macht der Präsidentenmacher") == "related-links list"
    assert _reason_of(marks, "ESM – Letzte Kundgebung") == "related-links list"
    assert _reason_of(marks, "ISLAND befreit sich von der Macht") == ""


@pytest.mark.parametrize(
    ("name", "article", "box", "reason"),
    [
        (
            "web-popup.html",
            "Participants can expect a range of activities and business industry topics",
            "Initial Officer Training Programme (IOTP) provides basic military officer training",
            "pop-up",
        ),
        (
            "web-newsletter-form.html",
            "In Skyrim, a mage is an unstoppable storm of destruction.",
            "Sign up to get the best content of the week, and great gaming deals",
            "newsletter form",
        ),
    ],
)
def test_a_box_the_markup_names_is_chrome(name: str, article: str, box: str, reason: str) -> None:
    # trafilatura keeps these boxes on the whole page, not on the fragment: the parts are
    # the fragment's paragraphs, as it reads them on the page
    tree = lxml_html.fromstring((DATA / name).read_bytes())
    parts = [Part("paragraph", " ".join(p.text_content().split())) for p in tree.iter("p")]
    found = dict(markup_chrome(tree, parts))
    assert {found.get(i) for i, p in enumerate(parts) if p.text.startswith(article)} == {None}
    assert {found.get(i) for i, p in enumerate(parts) if p.text.startswith(box)} == {reason}


def test_a_box_holding_where_the_article_starts_is_its_wrapper() -> None:
    tree = lxml_html.fromstring(
        '<html><body><article class="post author-box"><p>The article opens here with prose.</p>'
        "<p>And goes on.</p></article></body></html>"
    )
    parts = [
        Part("paragraph", "The article opens here with prose."),
        Part("paragraph", "And goes on."),
    ]
    assert markup_chrome(tree, parts) == []


def test_a_text_also_outside_the_box_is_not_marked() -> None:
    # the article's title, repeated as a link in the page's related-posts box (c2751c944b82881b)
    tree = lxml_html.fromstring(
        "<html><body><p>Opening paragraph of the article.</p><h1>Make your social media shine</h1>"
        '<div class="related-posts"><a>Make your social media shine</a></div></body></html>'
    )
    parts = [
        Part("paragraph", "Opening paragraph of the article."),
        Part("heading", "Make your social media shine"),
    ]
    assert markup_chrome(tree, parts) == []


@pytest.mark.parametrize(
    "section",
    [
        # python3.11-doc distutils/sourcedist.html: Sphinx makes a section's id of its heading
        '<section id="manifest-related-options"><h2><span class="section-number">4.2. </span>'
        "Manifest-related options</h2><p>{}</p></section>",
        # tutorial/errors.html
        '<section id="raising-and-handling-multiple-unrelated-exceptions"><h2>Raising '
        "and Handling Multiple Unrelated Exceptions</h2><p>{}</p></section>",
    ],
)
def test_a_section_id_made_of_its_heading_names_no_box(section: str) -> None:
    prose = "The normal course of operations for the sdist command is as follows."
    opening = "<p>The opening paragraph of the page.</p>"
    tree = lxml_html.fromstring(f"<html><body>{opening}{section.format(prose)}</body></html>")
    parts = [Part("paragraph", "The opening paragraph of the page."), Part("paragraph", prose)]
    assert markup_chrome(tree, parts) == []


def test_a_chrome_heading_names_no_section() -> None:
    # "NOTAS RELACIONADAS" is chrome: the blocks after it keep the article's section
    marks = _marks("web-related-heading.html")
    assert _reason_of(marks, "NOTAS RELACIONADAS") == "related-links list"
    assert all(section != "NOTAS RELACIONADAS" for _, _, section in marks)


def test_a_related_list_ends_at_the_next_section_heading() -> None:
    # 6c5d24e06c004de9.html: "Mehr zum Thema" and its links, then the page's own
    # "Weiterführender Link" section
    parts = [
        Part(
            "paragraph",
            "Das DWDS ist ein Projekt der Berlin-Brandenburgischen Akademie der Wissenschaften.",
        ),
        Part("heading", "Mehr zum Thema auf UEPO.de"),
        Part("item", "- 2019-01-14: Auftaktveranstaltung zum Start des Zentrums", 0.9),
        Part("item", "- 2018-01-06: Sprache ist eine Waffe. Haltet sie scharf!", 0.9),
        Part("heading", "Weiterführender Link"),
        Part("paragraph", "BBAW"),
    ]
    assert [i for i, _ in chrome_parts(parts)] == [1, 2, 3]


def test_the_box_around_a_related_heading_is_chrome() -> None:
    # the teasers of "NOTAS RELACIONADAS" are not all links; their <section> holds them
    marks = _marks("web-related-heading.html")
    for opening in ("Grupo Conti asegura haber hackeado", "Sin embargo, Geannina Dinarte"):
        assert _reason_of(marks, opening) == "related-links list"
    assert _reason_of(marks, "En medio de las críticas de los sectores productivas") == ""


def test_a_documentation_entry_is_never_chrome_whatever_box_holds_it() -> None:
    # python3.11-doc library/tkinter.tix.html: an id naming a class "PopupMenu"
    entry = (
        '<dt class="sig sig-object py" id="tkinter.tix.PopupMenu"><em class="property">'
        '<span class="pre">class</span> </em><span class="sig-prename descclassname">'
        '<span class="pre">tkinter.tix.</span></span><span class="sig-name descname">'
        '<span class="pre">PopupMenu</span></span><a class="headerlink" '
        'href="#tkinter.tix.PopupMenu">¶</a></dt>'
    )
    tree = lxml_html.fromstring(
        f"<html><body><p>Tix widgets, one a section.</p><dl>{entry}</dl></body></html>"
    )
    parts = [
        Part("paragraph", "Tix widgets, one a section."),
        Part("item", "- class tkinter.tix.PopupMenu¶"),
    ]
    assert markup_chrome(tree, parts) == []


@pytest.mark.parametrize(
    ("parts", "marked"),
    [
        (  # 9192fc0f8f69a682.html: "Schon gelesen?" and two linked headlines
            [
                Part("paragraph", "Dan Gelston, der Vorsitzende des Geschäftsbereichs, sagte."),
                Part("paragraph", "Schon gelesen?"),
                Part("paragraph", "Luftwaffe hat mit dem Training auf den H145 begonnen", 1.0),
                Part("paragraph", "LH Technik hat die erste A321LR in Empfang genommen", 1.0),
            ],
            [1, 2, 3],
        ),
        (  # 3d1be4e044144509.html: the heading is left alone at the page's end
            [
                Part("paragraph", "Vielen Dank Anja für deine Tipps rund um Beauty und Wellness."),
                Part("paragraph", "Das Thema könnte dich auch interessieren:"),
            ],
            [1],
        ),
        (  # a documentation page's "See also" at its end stays (library/dialog.html)
            [Part("paragraph", "The tkinter.simpledialog module."), Part("heading", "See also")],
            [],
        ),
    ],
)
def test_related_headings(parts: list[Part], marked: list[int]) -> None:
    assert [i for i, _ in chrome_parts(parts)] == marked


def test_a_call_in_two_newsletter_forms_is_chrome() -> None:
    # c38c68de0a9495d9.html shows its Mailchimp form twice, in the post and in a widget
    form = (
        '<div class="mc4wp-form-fields"><p>Get regular updates on the latest tutorials,'
        " offers &amp; news at Statistics Globe.</p></div>"
    )
    tree = lxml_html.fromstring(
        "<html><body><p>On this page you learned how to increase the font size.</p>"
        f'{form}<div class="widget_mc4wp_form_widget">{form}</div></body></html>'
    )
    parts = [
        Part("paragraph", "On this page you learned how to increase the font size."),
        Part(
            "paragraph",
            "Get regular updates on the latest tutorials, offers & news at Statistics Globe.",
        ),
    ]
    assert markup_chrome(tree, parts) == [(1, "newsletter form")]


def test_a_related_heading_inside_the_article_takes_no_box() -> None:
    # dfdfe1e39ffecffa.html: "Zum Weiterlesen:" in the article's own <div>, prose before
    # and after it; the <div> is the article, not a related box
    prose = [
        "Die Frage nach den Stärken ist ein All-time-Klassiker im Bewerbungsgespräch.",
        "Stärkentests durchführen – das wäre ein Tipp für ein stärkenorientiertes Führen.",
    ]
    lead = "Wer die Stärken seiner Mitarbeitenden kennt, führt besser. " * 4
    tree = lxml_html.fromstring(
        f"<html><body><h1>Stärken stärken</h1><p>{lead}</p><div><p>{prose[0]}</p>"
        f"<p><strong>Zum Weiterlesen:</strong></p><p>{prose[1]}</p></div></body></html>"
    )
    parts = [Part("heading", "Stärken stärken"), Part("paragraph", lead.strip())]
    parts += [Part("paragraph", prose[0])]
    parts += [Part("paragraph", "Zum Weiterlesen:"), Part("paragraph", prose[1])]
    assert markup_chrome(tree, parts) == []
