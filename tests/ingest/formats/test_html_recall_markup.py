"""Gold text that markup hid: small real fragments of web pages (tests/data/html/README.md)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ingest.formats.html import read
from ingest.load import DEFAULT_LIMITS

WEB = Path(__file__).resolve().parents[2] / "data" / "html" / "web"


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
