"""Web-page chrome trafilatura keeps, and article prose it misses, on real pages.

The pages are from the web-page benchmark (../shared/benchmarks/webpages, the main-text
benchmark of the trafilatura project); each test names the gold snippet it checks, from
that benchmark's evaldata.json.
"""

from __future__ import annotations

import pytest

from benchmarks.webpages import BENCHMARK
from ingest.analyze import analyze, read_file
from ingest.formats.html_chrome import Part, chrome_parts
from ingest.inspect import TokenCounter

PAGES = BENCHMARK / "pages"
needs_benchmark = pytest.mark.skipif(
    not PAGES.is_dir(), reason="../shared/benchmarks/webpages not present"
)


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _indexed(name: str, counter: TokenCounter) -> tuple[str, list[str]]:
    """What cited indexes from a page (one line of text), and its boilerplate reasons."""
    loaded = read_file(PAGES / name, PAGES)
    analysis = analyze(loaded, counter.span_counter(loaded.document.text))
    text = " ".join(" ".join(p.text for p in analysis.passages).split())
    return text, [m.reason for m in loaded.marked]


@needs_benchmark
@pytest.mark.parametrize(
    ("name", "chrome", "reason", "article"),
    [
        (  # a "NOTAS RELACIONADAS" heading, then linked headlines of other articles
            "f3837e7382a3193e.html",
            "Hackers ofrecen descuento del 35% al Gobierno de Costa Rica",
            "related-links list",
            "Ya contamos con una base importante, alerta temprana y medidas de contención",
        ),
        (  # "¿Ya sabías que ... tenemos canal de Telegram? Únete ..."
            "2a8059a542fc9e05.html",
            "tenemos canal de Telegram",
            "call to follow",
            None,
        ),
        (  # an advertisers' disclosure above a travel article
            "d80d5ac8d8b51dda.html",
            "This post contains references to products from one or more of our advertisers",
            "advertising disclosure",
            None,
        ),
        (  # "Crédits photos : Bestimage" under a French article
            "080c1d41aa13fe07.html",
            "Crédits photos : Bestimage",
            "credit line",
            None,
        ),
        (  # a publication stamp with its label and the month written out
            "028622dd071cfb92.html",
            "Veröffentlichung: 2. Februar 2022",
            "date stamp",
            None,
        ),
        (  # "zurück zur Listenansicht": a link back to the list of news
            "62e5e037a4f2ab52.html",
            "zurück zur Listenansicht",
            "navigation link",
            None,
        ),
        (  # a newsletter box inside a games article
            "d0e9372bdc15b746.html",
            "Sign up to get the best content of the week",
            "call to follow",
            None,
        ),
        (  # what is left of a rating widget under a blog post
            "4fb4b2021addbbdf.html",
            "Bewerten:",
            "rating widget",
            None,
        ),
    ],
)
def test_chrome_is_marked_and_the_article_stays(name, chrome, reason, article, counter):
    text, reasons = _indexed(name, counter)
    assert chrome not in text
    assert reason in reasons
    if article:
        assert article in text


@needs_benchmark
def test_prose_trafilatura_misses_inside_the_article_is_read(counter):
    """trafilatura keeps only the middle of this article (one paragraph); jusText's good
    paragraph between the title and it (a gold snippet) comes in, before it, in page order."""
    loaded = read_file(PAGES / "6e032f3d90583cca.html", PAGES)
    text = loaded.document.text
    opening = text.find("Die Nachfrage nach erneuerbaren Energien")
    middle = text.find("Aufgrund seiner schadstoffarmen Verbrennung")
    assert 0 <= opening < middle
    assert "Beitrag teilen" not in text  # a share button between them, short, stays out


@needs_benchmark
def test_the_good_paragraph_right_after_the_article_is_read(counter):
    """trafilatura stops one paragraph short of this post's end; jusText's good paragraph
    right after the last one both kept (a gold snippet) comes in, last, in page order."""
    loaded = read_file(PAGES / "cfa8f1cf5fce4906.html", PAGES)
    text = loaded.document.text
    last_kept = text.find("Teddy Kissen & Kissen:")
    closing = text.find("All diese schönen Produkte und viele weitere findet ihr bei WestwingNow!")
    assert 0 <= last_kept < closing


@needs_benchmark
def test_a_paragraph_shown_twice_is_indexed_once(counter):
    """A quote the page shows twice was marked as a repeated block in both places."""
    text, _ = _indexed("1faf097b2ccb3e43.html", counter)
    assert text.count("So we thought that this is not the right way to do things") == 1


def test_a_related_heading_over_prose_is_not_chrome():
    parts = [
        Part("paragraph", "The article's first paragraph, which says what it is about."),
        Part("heading", "See also"),
        Part("paragraph", "The rest of the article goes on, as a sentence does, at length."),
    ]
    assert chrome_parts(parts) == []


def test_a_related_heading_takes_the_linked_headlines_after_it():
    parts = [
        Part("paragraph", "The article's last paragraph, which ends as sentences do."),
        Part("heading", "Artículos relacionados"),
        Part("paragraph", "Otro artículo del mismo sitio", linked=1.0),
        Part("paragraph", "Y otro más", linked=1.0),
        Part("paragraph", "Comments are closed for this article, as they were before.", 0.0),
    ]
    assert chrome_parts(parts) == [(i, "related-links list") for i in (1, 2, 3)]


def test_code_and_prose_are_never_chrome():
    parts = [
        Part("code", "# © 2020 all rights reserved\nprint('subscribe to our newsletter')"),
        Part("paragraph", "2021-03-04 was the day the release shipped to every user."),
    ]
    assert chrome_parts(parts) == []


def test_a_documentation_entry_is_never_chrome():
    """Entries of the Python library reference (python3.11-doc: imaplib.html,
    http.cookiejar.html, email.headerregistry.html) that read like a web page's chrome."""
    parts = [
        Part("item", "- IMAP4.subscribe(mailbox)¶"),
        Part("item", "- Subscribe to new mailbox."),
        Part(
            "item",
            "- Select a mailbox. Returned data is the count of messages in mailbox"
            " (INBOX is the default mailbox).",
        ),
        Part(
            "item",
            "- Return boolean value indicating whether cookie should be accepted from server.",
        ),
        Part("item", "- date:"),
    ]
    assert chrome_parts(parts) == []


def test_share_buttons_are_chrome():
    parts = [
        Part("paragraph", "The post's last paragraph, which ends as sentences do."),
        Part("heading", "Teilen Sie dies mit:"),
        Part("item", "- Twitter"),
        Part("item", "- Facebook"),
    ]
    assert chrome_parts(parts) == [(i, "share buttons") for i in (1, 2, 3)]


def _items(*texts: str, linked: float = 1.0) -> list[Part]:
    return [Part("item", f"- {text}", linked) for text in texts]


PROSE = Part("paragraph", "This chapter describes the modules of the library. " * 5)


def test_a_list_whose_items_are_only_links_is_a_list_of_links():
    parts = [PROSE, *_items("Introduction", "Built-in Functions", "Built-in Types")]
    assert chrome_parts(parts) == [(1, "list of links"), (2, "list of links"), (3, "list of links")]


def test_a_list_with_prose_among_its_links_is_content():
    """Sphinx's security_warnings.html: "base64: ... in RFC 4648" beside linked lines."""
    prose_item = Part("item", "- random shouldn’t be used for security purposes", 0.2)
    parts = [PROSE, *_items("cgi: CGI security", "pickle: Restricting globals"), prose_item]
    assert chrome_parts(parts) == []


def test_one_link_or_a_page_of_only_links_is_not_marked():
    assert chrome_parts([PROSE, *_items("Text Sequence Type — str")]) == []
    heading = Part("heading", "Python Frequently Asked Questions")
    assert chrome_parts([heading, *_items("General Python FAQ", "Programming FAQ")]) == []
