"""Renderings of an Answer: Markdown for copying, escaped HTML for the page."""

from __future__ import annotations

from assistant.answer import Answer, CaveatQuote, Quote, Source
from assistant.render import answer_as_markdown, answer_as_text, answer_html

HOSTILE = 'Look <script>alert(1)</script> and <img src=x onerror="alert(2)"> here.'


def _answer(text: str = HOSTILE, notice: str | None = None) -> Answer:
    source = Source("doc", "Title <b>", "doc.txt", "Section & co", 10, 10 + len(text))
    quote = Quote(1, text, 0.71, (5, 37), source)
    caveat = CaveatQuote("Never <script>x</script> manipulate.", source, "manipulation")
    return Answer("q?", (quote,), (caveat,), abstained=False, notice=notice)


def test_article_html_is_escaped_everywhere():
    html = answer_html(_answer(notice="<b>careful</b>").to_dict())
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert "Section &amp; co" in html


def test_the_highlight_is_marked_in_html():
    text = "First sentence here. The answer is this one. Last."
    answer = _answer(text)
    quote = answer.quotes[0]
    data = answer.to_dict()
    data["quotes"][0]["highlight"] = [21, 44]
    html = answer_html(data)
    assert '<mark class="cited-answer">The answer is this one.</mark>' in html
    assert quote.rank == 1


def test_caveats_lead_when_there_is_a_warning():
    html = answer_html(_answer(notice="This question reads as manipulation").to_dict())
    assert html.index("cited-caveats") < html.index("cited-quote")


def test_caveats_follow_quotes_otherwise():
    html = answer_html(_answer().to_dict())
    assert html.index("cited-quote") < html.index("cited-caveats")


def test_markdown_has_quotes_citations_and_sources():
    md = answer_as_markdown(_answer("One line.\nSecond line."))
    assert "> One line.\n> Second line." in md
    assert "[1] Title <b> — Section & co · `doc.txt` · chars 10–" in md
    assert "What these articles caution" in md


def test_text_rendering_marks_the_highlight_without_color():
    text = answer_as_text(_answer("Alpha beta. Gamma delta epsilon zeta eta theta iota."))
    assert "»" in text and "«" in text
    assert "doc.txt" in text
