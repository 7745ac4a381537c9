"""Renderings of an Answer and the page's views: text and Markdown, escaped HTML."""

from __future__ import annotations

from assistant.answer import Answer, CaveatQuote, Quote, Source
from assistant.present.html import answer_html
from assistant.present.text import answer_as_markdown, answer_as_text

HOSTILE = 'Look <script>alert(1)</script> and <img src=x onerror="alert(2)"> here.'


def _answer(text: str = HOSTILE, notice: str | None = None) -> Answer:
    source = Source("doc", "Title <b>", "doc.txt", "Section & co", 10, 10 + len(text))
    quote = Quote(1, text, 0.71, (5, min(30, len(text))), source)
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


def test_every_rendering_names_a_quoted_article_that_states_no_caveats():
    source = Source("bread", "Baking <Bread>", "bread.txt", "Loaf", 0, 20)
    answer = Answer(
        "q?",
        (Quote(1, "Bake it for an hour.", 0.6, (0, 20), source),),
        (),
        False,
        None,
        without_caveats=("Baking <Bread>",),
    )
    html = answer_html(answer.to_dict())
    assert "What these articles caution" in html
    assert "<h4>Baking &lt;Bread&gt;</h4><p>States no caveats of its own.</p>" in html
    assert "The quoted articles state no caveats of their own." in html
    assert "Baking <Bread> states no caveats of its own." in answer_as_text(answer)
    assert "*Baking <Bread>* states no caveats of its own." in answer_as_markdown(answer)


def test_no_caveat_panel_when_nothing_was_quoted():
    answer = Answer("q?", (), (), abstained=True, notice="Nothing answers that.")
    assert "cited-caveats" not in answer_html(answer.to_dict())
    assert "caution" not in answer_as_text(answer)


def test_markdown_has_quotes_citations_and_sources():
    md = answer_as_markdown(_answer("One line.\nSecond line."))
    assert "> One line.\n> Second line." in md
    assert "[1] Title <b> — Section & co · `doc.txt` · chars 10–" in md
    assert "What these articles caution" in md


def test_text_rendering_marks_the_highlight_without_color():
    text = answer_as_text(_answer("Alpha beta. Gamma delta epsilon zeta eta theta iota."))
    assert "»" in text and "«" in text
    assert "doc.txt" in text


# --- the web UI's other views --------------------------------------------------------------

from assistant.present.html import (  # noqa: E402
    document_html,
    index_facts_html,
    library_html,
    quote_card_html,
    rebuild_summary_html,
    recent_html,
    upload_result_html,
)


def _no_markup_from(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "<b>" not in html


def test_markdown_is_the_same_from_the_answer_or_its_json():
    answer = _answer("One line.")
    assert answer_as_markdown(answer) == answer_as_markdown(answer.to_dict())


def test_a_quote_card_cites_paragraph_score_and_links_to_read_at_the_span():
    quote = _answer("Alpha. Beta.").to_dict()["quotes"][0]
    html = quote_card_html(quote, paragraph=12)
    assert "[1]" in html and "¶12 · score 0.71" in html
    # the link opens Read at the passage and marks its answering sentence (quote chars 5-12)
    assert 'href="?doc=doc&amp;start=10&amp;end=22&amp;hs=15&amp;he=22"' in html
    assert 'data-doc="doc" data-start="10" data-end="22"' in html


def test_quotes_come_before_caveats_in_an_ordinary_answer():
    html = answer_html(_answer().to_dict())
    assert html.index('class="cited-quote"') < html.index("cited-caveats")


def test_every_view_escapes_what_articles_and_users_supply():
    row = {
        "doc_id": 'x" onmouseover="alert(1)',
        "title": HOSTILE,
        "file": "<b>f.txt",
        "passages": 3,
        "caveats": [],
        "indexed_at": "2025-05-01T10:00:00+00:00",
        "error": HOSTILE,
        "status": "error",
    }
    facts = {
        "documents": 1,
        "passages": 2,
        "caveats": 0,
        "built_at": "2025-05-01T10:00:00+00:00",
        "build_seconds": 1.0,
        "model": "<b>m",
        "dimension": 3,
        "changes": {"added": [HOSTILE], "changed": [], "removed": []},
    }
    summary = {
        "documents": {"added": 0, "changed": 0, "removed": 0, "unchanged": 1},
        "passages": {"embedded": 0, "reused": 1, "total": 1},
        "errors": [{"file": "<b>x", "error": HOSTILE}],
        "seconds": 0.5,
    }
    for html in (
        library_html([row]),
        index_facts_html(facts),
        rebuild_summary_html(summary),
        upload_result_html({"saved": ["<b>a"], "rejected": [{"file": "x", "error": HOSTILE}]}),
        recent_html([HOSTILE]),
        document_html(_document(HOSTILE)),
    ):
        _no_markup_from(html)
        assert "&lt;script&gt;" in html or "&lt;b&gt;" in html
    assert 'data-doc="x&#34; onmouseover=&#34;alert(1)"' in library_html([row])


def test_library_rows_show_status_dates_and_errors():
    row = {
        "doc_id": None,
        "title": "Broken",
        "file": "broken.pdf",
        "passages": 0,
        "caveats": [],
        "indexed_at": None,
        "error": "not a readable PDF",
        "status": "error",
    }
    html = library_html([row])
    assert "Skipped by the last build" in html and "not a readable PDF" in html
    assert 'data-action="delete" data-file="broken.pdf"' in html
    assert 'data-action="read"' not in html  # nothing indexed to read


def test_index_facts_show_when_and_what_the_last_build_changed():
    facts = {
        "documents": 6,
        "passages": 121,
        "caveats": 50,
        "built_at": "2025-05-01T10:02:00+00:00",
        "build_seconds": 2.34,
        "model": "all-MiniLM-L6-v2",
        "dimension": 384,
        "changes": {"added": ["bees.txt"], "changed": [], "removed": []},
    }
    html = index_facts_html(facts)
    assert "2025-05-01 10:02 UTC" in html and "2.3 s" in html and "121" in html
    assert "1 added (bees.txt)" in html


def _document(text: str) -> dict:
    body = "Title line\n\nA heading\n\n" + text + "\n\nNever manipulate anyone.\n"
    start = body.index(text)
    caveat = body.index("Never")
    return {
        "doc_id": "d",
        "title": "Title line",
        "file": "d.txt",
        "text": body,
        "passages": 2,
        "blocks": [
            {"kind": "title", "start": 0, "end": 10, "section": "Title line", "paragraph": None},
            {"kind": "heading", "start": 12, "end": 21, "section": "A heading", "paragraph": None},
            {
                "kind": "paragraph",
                "start": start,
                "end": start + len(text),
                "paragraph": 1,
                "section": "A heading",
            },
            {
                "kind": "paragraph",
                "start": caveat,
                "end": len(body) - 1,
                "paragraph": 2,
                "section": "A heading",
            },
        ],
        "caveats": [
            {
                "start": caveat,
                "end": len(body) - 1,
                "text": "Never manipulate anyone.",
                "kind": "manipulation",
                "section": "A heading",
            }
        ],
    }


def test_an_article_reads_with_headings_numbers_caveats_and_the_linked_passage():
    doc = _document("First sentence. Second sentence.")
    target = (doc["text"].index("Second"), doc["text"].index("Never") + 5)
    html = document_html(doc, target)
    assert '<h2 class="cited-doc-h">A heading</h2>' in html
    assert html.count("<h1>") == 1  # the title block is the page heading, not repeated
    assert '<mark class="cited-target" id="cited-target">Second sentence.</mark>' in html
    assert html.count('id="cited-target"') == 1  # one anchor even across two paragraphs
    assert '<mark class="cited-caveat cited-target">Never</mark>' in html
    assert '<mark class="cited-caveat"> manipulate anyone.</mark>' in html
    assert "¶1" in html and "¶2" in html


def test_read_marks_the_answering_sentence_inside_the_linked_passage():
    doc = _document("First sentence. Second sentence.")
    start = doc["text"].index("First")
    sentence = (doc["text"].index("Second"), doc["text"].index("Second") + len("Second sentence."))
    html = document_html(doc, (start, sentence[1]), sentence)
    assert '<mark class="cited-target" id="cited-target">First sentence. </mark>' in html
    assert '<mark class="cited-sentence cited-target">Second sentence.</mark>' in html


def test_read_shows_markdown_headings_without_their_marks_and_pdf_pages():
    body = "Title\n\n## Getting started ##\n\nPage one words.\n\nPage two words.\n"
    heading = body.index("## Getting")
    one, two = body.index("Page one"), body.index("Page two")
    doc = {
        "doc_id": "d",
        "title": "Title",
        "file": "d.pdf",
        "text": body,
        "passages": 2,
        "caveats": [],
        "blocks": [
            {"kind": "heading", "start": heading, "end": body.index("\n", heading), "page": 1},
            {"kind": "paragraph", "start": one, "end": one + 15, "paragraph": 1, "page": 1},
            {"kind": "paragraph", "start": two, "end": two + 15, "paragraph": 2, "page": 2},
        ],
    }
    html = document_html(doc)
    assert '<h2 class="cited-doc-h">Getting started</h2>' in html
    assert "##" not in html
    assert html.index("Page 1") < html.index("Getting started") < html.index("Page 2")
    assert html.count('class="cited-page"') == 2


def test_a_narrow_screen_summary_counts_the_cautions_above_the_quotes():
    html = answer_html(_answer().to_dict())
    assert "1 caution from these articles" in html
    assert html.index("cited-caveat-summary") < html.index('class="cited-quote"')


def test_earlier_answers_are_folded_newest_first_and_say_each_is_searched_alone():
    from assistant.present.html import history_html, stale_html

    html = history_html([("newer <b>?", "<p>n</p>"), ("older?", "<p>o</p>")])
    assert html.index("newer &lt;b&gt;?") < html.index("older?")
    assert html.count("<details") == 2 and "open" not in html
    assert "searched on its own" in html
    assert 'data-action="again" data-question="q&lt;b&gt;"' in stale_html("q<b>")


def test_copy_as_markdown_carries_each_quotes_receipt():
    data = _answer("One line.").to_dict()
    data["quotes"][0]["source"]["sha256"] = "ab" * 32
    md = answer_as_markdown(data)
    assert "`doc.txt` · chars 10–19 · sha256 `abababababab`" in md


# --- an abstention's "Show nearest passage" ------------------------------------------------

from assistant.answer import Abstention, Nearest  # noqa: E402
from assistant.present.html import nearest_html, score_against_threshold  # noqa: E402


def _abstained(
    score: float, never: tuple[str, ...] = (), nearest: bool = True, unaddressed: tuple = ()
) -> dict:
    source = Source("doc", "Title <b>", "doc.txt", "Section & co", 40, 40 + len(HOSTILE))
    near = Nearest(HOSTILE, score, 0.42, source) if nearest else None
    why = Abstention(0.42, near, never, not_addressed=unaddressed)
    return Answer("q?", (), (), abstained=True, notice="No.", abstention=why).to_dict()


def test_an_abstention_folds_its_nearest_passage_with_score_source_and_read_link():
    html = nearest_html(_abstained(0.31), {("doc", 40): 7})
    assert html.startswith('<details class="cited-nearest"><summary>Show nearest passage')
    assert "score 0.31 — below this folder&#39;s threshold 0.42." in html
    assert "¶7 · score 0.31" in html and "Section &amp; co" in html
    assert 'href="?doc=doc&amp;start=40&amp;end=' in html  # Read opens it in context
    assert 'class="cited-nearest-passage"' in html and "cited-quote" not in html
    _no_markup_from(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html in answer_html(_abstained(0.31), {("doc", 40): 7})


def test_the_nearest_passage_names_the_words_the_articles_never_mention():
    html = nearest_html(_abstained(0.55, never=("dog",)))
    assert (
        "above this folder&#39;s threshold 0.42, but the question&#39;s key words are not" in html
    )
    assert "These articles never mention: dog." in html
    assert "never mention" not in nearest_html(_abstained(0.31))
    weak = nearest_html(_abstained(0.47, unaddressed=("manager",)))
    assert "above this folder&#39;s threshold 0.42" in weak
    assert "The nearest passages do not address: manager." in weak


def test_nothing_to_show_without_a_nearest_passage_or_an_abstention():
    assert nearest_html(_abstained(0.3, nearest=False)) == ""
    manipulative = {**_abstained(0.3), "abstained": False, "notice": "reads as manipulation"}
    assert nearest_html(manipulative) == ""  # its caveats lead; nothing was declined
    assert nearest_html(_answer().to_dict()) == ""
    assert "cited-nearest" not in answer_html(_abstained(0.3, nearest=False))


def test_score_and_threshold_never_look_equal():
    assert score_against_threshold(0.418, 0.42, False).endswith(
        "0.418 — below this folder's threshold 0.420."
    )


def test_every_rendering_says_when_the_quotes_are_not_in_english():
    source = Source("dubai", "Kraftwerk <Dubai>", "dubai.html", "Dubai", 0, 30)
    quote = Quote(1, "Das Kraftwerk liefert 700 MW.", 0.5, (0, 30), source)
    answer = Answer("q?", (quote,), (), False, None, not_english=("German",))
    said = "These quotes are in German: cited's model reads English, so it cannot judge"
    html = answer_html(answer.to_dict())
    escaped = said.replace("'", "&#39;")
    assert f'<div class="cited-notice cited-language" role="note">{escaped}' in html
    assert said in answer_as_text(answer) and said in answer_as_markdown(answer)
    assert "cited-language" not in answer_html(_answer().to_dict())
    assert "model reads English" not in answer_as_text(_answer())


def test_an_abstention_over_text_in_two_other_languages_names_both():
    data = _abstained(0.31)
    data["not_english"] = ["German", "Chinese"]
    html = answer_html(data)
    assert "The nearest passage is in German and Chinese: cited&#39;s model reads English" in html
    assert "whether these articles answer this." in html
