"""Whether a text is written in English, told by its function words.

The packaged model (all-MiniLM-L6-v2) was trained on English. Over German pages every
German question comes "close" to every German passage: 292 everyday German questions score
0.65 at their 97th percentile against 429 German web pages, whose own headings asked as
questions score 0.39 at their 10th. So its meaning scores can neither rank nor abstain
there, and what cited cannot judge it must say it cannot judge: it needs to know which
texts are not English.

A text's English share is the share of its words that are English function words
(scikit-learn's list, `FUNCTION_WORDS`); another language's share counts the words of its
jusText stoplist (jusText comes with trafilatura) that are not English function words.
jusText's lists are uneven: its Finnish one holds 6,813 words, "miss" and "my" among them,
its English one lacks "my" and "me", so English is not judged by its own jusText list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

ENGLISH = "English"
#: scikit-learn 1.x ENGLISH_STOP_WORDS: the words abstention never counts as content, too.
FUNCTION_WORDS = Path(__file__).parent / "data" / "function_words.txt"
#: A text of fewer words is in no language that can be told ("asdf qwer", "Python 3").
MIN_WORDS = 3
#: The winning language's words must make up this share of the text: under it the text
#: is code, a table of numbers or a list of names, in no language.
MIN_SHARE = 0.15
#: Words read per text: enough to tell, and a long manual costs no more than a page.
MAX_WORDS = 3000
#: The languages in Latin letters that are told apart from English: the major ones whose
#: jusText lists hold few English words. Others hold many (Finnish's "miss" and "my",
#: Marathi's "spending" and "partners"), and told "How does spending time apart make
#: partners more thankful?" from English as Marathi.
LATIN_LANGUAGES = (
    "Catalan",
    "Czech",
    "Danish",
    "Dutch",
    "French",
    "German",
    "Hungarian",
    "Italian",
    "Norwegian_Bokmal",
    "Polish",
    "Portuguese",
    "Romanian",
    "Slovak",
    "Spanish",
    "Swedish",
    "Turkish",
)
#: Most letters of a text outside the Latin script tell its script, whatever the language:
#: Chinese has no spaces to count words by, and the model reads none of them.
NON_LATIN_SHARE = 0.5
#: Japanese writes kana among its Chinese characters; Chinese writes none.
KANA_SHARE = 0.1
_SCRIPT_LANGUAGES = {"CJK": "Chinese", "HANGUL": "Korean", "HIRAGANA": "Japanese"}
#: Languages written without spaces between words: a line of them is one long "word".
UNSPACED = frozenset({"Chinese", "Japanese", "Thai script", "Lao script", "Khmer script"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def language_of(text: str) -> str | None:
    """The language `text` is written in ("English", jusText's name such as "German", or
    one told by its script: "Chinese", "Cyrillic script"), or None when it is too short
    or reads as no language (code, numbers). English wins a tie: a short English question
    shares its words with many languages."""
    script = _script_of(text[: MAX_WORDS * 8])
    if script is not None:
        return script
    words = [w.lower() for w in _WORD.findall(text[: MAX_WORDS * 12])[:MAX_WORDS]]
    if len(words) < MIN_WORDS:
        return None
    english = english_function_words()
    counts: Counter[str] = Counter({ENGLISH: sum(w in english for w in words)})
    for word in words:
        if word not in english:
            counts.update(_other_languages_of_word().get(word, ()))
    best = max(counts, key=lambda lang: (counts[lang], lang == ENGLISH))
    return best if counts[best] >= MIN_SHARE * len(words) else None


def _script_of(text: str) -> str | None:
    """What most letters of `text` are written in when not the Latin script: "Chinese",
    "Japanese" (kana among the Chinese characters), "Korean", or a script ("Cyrillic
    script"); None for Latin. A script's name is the first word of its letters' names."""
    if text.isascii():
        return None
    # Unicode names only for letters outside ASCII: an English passage costs a few µs.
    scripts = Counter(
        unicodedata.name(c, "?").split()[0] for c in text if not c.isascii() and c.isalpha()
    )
    scripts["LATIN"] += sum(c.isalpha() for c in text if c.isascii())
    letters = sum(scripts.values())
    if not letters or scripts["LATIN"] >= (1 - NON_LATIN_SHARE) * letters:
        return None
    if scripts["HIRAGANA"] + scripts["KATAKANA"] >= KANA_SHARE * letters:
        return "Japanese"
    script = max((s for s in scripts if s != "LATIN"), key=scripts.__getitem__)
    return _SCRIPT_LANGUAGES.get(script, f"{script.title()} script")


def other_languages(texts: Sequence[str]) -> tuple[str, ...]:
    """The languages other than English that any of `texts` is written in, in order."""
    found = (language_of(text) for text in texts)
    return tuple(dict.fromkeys(lang for lang in found if lang not in (ENGLISH, None)))


@lru_cache(maxsize=1)
def english_function_words() -> frozenset[str]:
    """The shipped English function words ("how", "my", "when"), read once."""
    lines = FUNCTION_WORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def _other_languages_of_word() -> dict[str, tuple[str, ...]]:
    """Each word of jusText's stoplists but English's, with the languages it belongs to."""
    from justext import get_stoplist

    languages: dict[str, list[str]] = {}
    for language in LATIN_LANGUAGES:
        for word in get_stoplist(language):
            languages.setdefault(word, []).append(language)
    return {word: tuple(langs) for word, langs in languages.items()}
