"""Gold text that markup hid: small real fragments of web pages (tests/data/html/README.md)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from ingest.analyze import analyze, read_file
from ingest.formats.html import read
from ingest.formats.html_recipe import recipe_ingredients
from ingest.inspect import TokenCounter
from ingest.load import DEFAULT_LIMITS

WEB = Path(__file__).resolve().parents[2] / "data" / "html" / "web"


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _text(name: str) -> str:
    return read((WEB / name).read_bytes(), name, DEFAULT_LIMITS).text


def test_decomposed_letters_are_read_composed():
    """adac.de writes "ü" as "u" and a combining diaeresis: the text holds the composed
    letter, so the sentence is found as any reader or search writes it."""
    raw = (WEB / "adac-kindersitz-list.html").read_text(encoding="utf-8")
    assert "geprüft" not in raw and "geprüft" in unicodedata.normalize("NFC", raw)
    text = _text("adac-kindersitz-list.html")
    assert "Besonders bei Babyschalen sollte geprüft werden" in text
    assert text == unicodedata.normalize("NFC", text)


def test_a_sign_nfc_would_replace_stays_as_written():
    """library/re.html names the Kelvin sign, which NFC alone would turn into a "K"."""
    assert (
        "‘\u212a’ (U+212A, Kelvin sign)"
        in read((WEB.parent / "re-kelvin-sign.html").read_bytes(), "re.html", DEFAULT_LIMITS).text
    )


def test_a_lead_set_as_a_heading_is_indexed_as_a_paragraph(counter):
    """djz.de sets its lead sentence in an <h2> right before the photo caption's <h6>: as a
    section title with no paragraph under it, it was indexed nowhere."""
    loaded = read_file(WEB / "djz-lead-in-h2.html", WEB)
    analysis = analyze(loaded, counter.span_counter(loaded.document.text))
    indexed = " ".join(p.text for p in analysis.passages)
    assert "so der Deutsche Jagdverband (DJV) in einer Meldung von heute." in indexed
    kinds = {loaded.document.text[b.start : b.end][:12]: b.kind for b in loaded.blocks}
    assert kinds["Mit Entsetze"] == "paragraph"
    assert kinds["Das FWR reag"] == "heading"  # a caption, not a sentence-long lead


def test_an_article_in_one_block_is_not_taken_for_a_page_dump():
    """world.kbs.co.kr writes its report as one <div> of <br>-separated lines, which
    trafilatura keeps as one paragraph; the page's <article> is a teaser for another
    story, which replaced the report when one paragraph was always read as a page dump."""
    text = _text("kbs-article-in-one-block.html")
    assert "Although the first cold wave alerts of the season were issued" in text
    assert "Max Lee, KBS World Radio News." in text
    assert "SEVENTEEN" not in text


def test_recipe_ingredients_named_by_schema_org_microdata_are_kept_once():
    """nestle-family.com marks each ingredient <li itemprop="recipeIngredient">; short lines
    of numbers and units, trafilatura kept two of nine and jusText judged none prose."""
    raw = (WEB / "nestle-recipe-ingredients.html").read_text(encoding="utf-8")
    lines = [
        " ".join(li.split())
        for li in re.findall(r'itemprop="recipeIngredient">(.*?)</li>', raw, re.S)
    ]
    text = _text("nestle-recipe-ingredients.html")
    assert len(lines) == 9
    for line in lines:
        assert text.count(line) == 1, line
    assert "- 1 tablespoon ground cinnamon" in text.split("\n\n")  # a list item of its own


def test_recipe_ingredients_named_by_json_ld_are_read():
    """A JSON-LD Recipe (58ecab40ceeb609d.html's markup) names its ingredient lines."""
    page = b"""<html><head><script type="application/ld+json">{"@context":"https://schema.org",
    "@graph":[{"@type":"Recipe","recipeIngredient":["120  ml Olive oil",
    "2 tsp Gia Garlic Puree (or 4 cloves garlic blended together with below)"]}]}</script>
    <script type="application/ld+json">{"broken": </script></head><body><p>x</p></body></html>"""
    assert recipe_ingredients(load_html(page)) == {
        "120 ml Olive oil",
        "2 tsp Gia Garlic Puree (or 4 cloves garlic blended together with below)",
    }


def test_a_line_break_keeps_the_words_on_either_side_apart():
    """meedia.de ends each interview question with a <br> inside its <strong>: the
    question's last word and the answer's first were read as one ("Dienstleistung?Wir")."""
    text = _text("freenet-interview-br.html")
    assert "Was kostet den Konsumenten Ihre Dienstleistung? Wir prüfen gerade" in text
    assert "Dienstleistung?Wir" not in text
