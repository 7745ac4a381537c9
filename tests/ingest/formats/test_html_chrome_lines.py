"""Chrome lines of real web pages (the benchmark page each is from is named), and the
documentation lines that read like them and stay (python3.11-doc)."""

from __future__ import annotations

import pytest

from ingest.formats.html_chrome import Part, chrome_parts

OPENING = Part("paragraph", "The article's first paragraph, which says what it is about at length.")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # 3cdd1a6b3bbd20ad.html, a paywall's call under the story's first paragraphs
        (
            "To view the full story, please subscribe to The Haitian Times. You can choose a"
            " $60 Annual Subscription or a $5 Weekly Pass.",
            "subscription call",
        ),
        (
            "If you’re seeing this message but you’re already a subscriber, you can log in for"
            " immediate access to this story.",
            "subscription call",
        ),
        # 630b8438a807a7d2.html
        (
            "Hacemos periodismo desde hace 106 años. Y ahora, como en otros periodos de la"
            " historia de El Salvador, el periodismo es fundamental para que la opinión pública"
            " se fortalezca. HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS EXCLUSIVOS",
            "subscription call",
        ),
        # f3c8315f29b4d3a9.html
        (
            "Tú también puedes hacer periodismo incómodo. Cancela cuando quieras.",
            "subscription call",
        ),
        # a55d104d8db570df.html, where an embedded map waits for consent
        (
            "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.",
            "consent notice",
        ),
        # 2aefeb80bbd49581.html
        (
            "Wir respektieren deine Privatsphäre und stellen deshalb ohne dein Einverständnis"
            " keine Verbindung zu Twitter her. Hier kannst du deine Einstellungen verwalten,"
            " um eine Verbindung zu den Social-Media-Kanälen herzustellen.",
            "consent notice",
        ),
        # 267820d1db344145.html
        ("News date : 04/21/2022 Category : Press Releases", "filing labels"),
        # 4205e15719e1d927.html
        ("Von: Götz Warnke", "byline"),
        # 93fab9340e708090.html, 775003c24cbec875.html, c1a124170b91eb63.html
        ("Titelbild: Geyres Christophe/ABACA/picture-alliance", "credit line"),
        ("Beitragsbild: Titelseite der FAZ vom 2.4.2019, Ausriss.", "credit line"),
        ("(Credit: Clayton Aldern / Grist)", "credit line"),
        # ce195cc5383ae476.html
        ("Letzte Änderung 14.02.2019", "date stamp"),
        # b8c041fd803f226c.html, a table cell
        ("Kommentare insgesamt: 0 | ", "comment-form residue"),
        # 621816157184e0fe.html, written without its accent
        (
            "Siguenos en Telegram, Instagram, Facebook y Twitter para recibir en directo toda"
            " la información",
            "call to follow",
        ),
    ],
)
def test_a_chrome_line_is_marked(line: str, reason: str) -> None:
    assert chrome_parts([OPENING, Part("paragraph", line)]) == [(1, reason)]


@pytest.mark.parametrize(
    "line",
    [
        # library/enum.html
        "- A decorator for use in enums: its target will become a member.",
        # library/locale.html and tkinter.ttk.html: a table's column heading
        "Category",
        "tags",
        # a sentence that only mentions subscribers
        "The number of subscribers grew by a third in the year to March.",
    ],
)
def test_a_documentation_line_like_chrome_stays(line: str) -> None:
    assert (
        chrome_parts([OPENING, Part("item" if line.startswith("-") else "paragraph", line)]) == []
    )


def _article(paragraphs: int) -> list[Part]:
    return [
        Part("paragraph", f"Paragraph {n} of the article, which goes on as prose does. " * 2)
        for n in range(paragraphs)
    ]


def test_an_about_the_author_box_at_the_end_is_chrome() -> None:
    # 6979f36e9e06f201.html: "Über diese Reihe" and the publisher's words under a report
    parts = [
        *_article(6),
        Part("heading", "Über diese Reihe"),
        Part(
            "paragraph",
            "Die Konrad-Adenauer-Stiftung ist in rund 110 Ländern auf fünf Kontinenten mit"
            " einem eigenen Büro vertreten. Die Auslandsmitarbeiter vor Ort können aus erster"
            " Hand über aktuelle Ereignisse und langfristige Entwicklungen berichten.",
        ),
    ]
    assert chrome_parts(parts) == [(6, "author box"), (7, "author box")]


def test_an_about_heading_early_on_the_page_is_content() -> None:
    # a page about the series itself opens with the heading
    parts = [Part("heading", "Über diese Reihe"), *_article(6)]
    assert chrome_parts(parts) == []


def test_linked_headlines_after_the_last_prose_are_chrome() -> None:
    # 0839094ef2f37904.html and 9af04bfb75f67f3e.html: links to other pages under the text
    parts = [
        *_article(3),
        Part("paragraph", "Verbrauchsteuern: Alkohol, Tabakwaren und Kaffee (Fachthemen)", 1.0),
        Part("paragraph", "Korkeasaaren karhut heräsivät jo – talviunet jäivät lyhyiksi", 1.0),
    ]
    assert chrome_parts(parts) == [(3, "related-links list"), (4, "related-links list")]


@pytest.mark.parametrize(
    "last",
    [
        Part("paragraph", "See SimpleXMLRPCServer Example.", 1.0),  # library/xmlrpc.client.html
        Part("paragraph", "expression_list", 1.0),  # reference/toplevel_components.html
        Part("paragraph", "http://www.openpetition.de/petition/online/gegen-die-tarifreform", 1.0),
        Part("item", "- Mortal Kombat 11 is adding the Terminator and Joker", 1.0),
    ],
)
def test_a_reference_after_the_last_prose_stays(last: Part) -> None:
    assert chrome_parts([*_article(3), last]) == []
