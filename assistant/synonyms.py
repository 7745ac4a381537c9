"""Synonyms: the words that name what a word names, in its most frequent sense (WordNet).

A question's word the corpus never uses is not "never mentioned" when the corpus uses its
synonym: "holiday" is answered by articles about a vacation, "awful" by a terrible ending,
a spouse by husbands, and "harder to read" by "form his own interpretations". A sentence
model cannot tell this from relatedness — "dog" is nearer "breed" (0.60) than "read" is
to "understand" (0.55), "Bible" nearer "books" (0.66) — so the synonyms come from
WordNet 3.0 instead, read from `assistant/data/synonyms.txt` (written by
`python -m benchmarks.make_synonyms`; docs/quality.md, "Synonyms the corpus uses").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

SYNONYMS = Path(__file__).parent / "data" / "synonyms.txt"
_REGENERATE = "reinstall cited or regenerate it with: python -m benchmarks.make_synonyms"
_ENTRIES = re.compile(r"# entries: (\d+)")
#: WordNet's own endings of inflected forms (its "morphy"), tried when a word has no entry:
#: "soldiers" -> soldier, "families" -> family, "married" -> marry, "happier" -> happy.
_ENDINGS = (
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("ier", "y"),
    ("iest", "y"),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
)


class SynonymsFileError(ValueError):
    """The shipped synonyms file is missing, truncated or malformed."""


@dataclass(frozen=True)
class Thesaurus:
    """Word -> its synonyms; irregular form -> its lemmas."""

    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def of(self, word: str) -> tuple[str, ...]:
        """The synonyms of `word` (any case, any inflection), none when it has no entry."""
        found: dict[str, None] = {}
        for lemma in self.lemmas(word.lower()):
            found.update(dict.fromkeys(self.synonyms[lemma]))
        return tuple(found)

    def lemmas(self, word: str) -> list[str]:
        """The dictionary forms of `word` that have an entry: itself, its irregular
        lemmas ("ran" -> run), or the lemma a regular ending leaves."""
        if word in self.synonyms:
            return [word]
        if word in self.forms:
            return list(self.forms[word])
        stripped = (word[: -len(end)] + base for end, base in _ENDINGS if word.endswith(end))
        return [lemma for lemma in dict.fromkeys(stripped) if lemma in self.synonyms][:1]


def parse(text: str) -> Thesaurus:
    """The thesaurus written in `text`; SynonymsFileError when its count line disagrees
    with its entries (a truncated file) or a line is not `word<TAB>words`."""
    synonyms: dict[str, tuple[str, ...]] = {}
    forms: dict[str, tuple[str, ...]] = {}
    declared = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            if match := _ENTRIES.fullmatch(line):
                declared = int(match.group(1))
            continue
        word, tab, rest = line.partition("\t")
        if not tab or not word or not rest.strip("= "):
            raise SynonymsFileError(f"line {number} is not word<TAB>synonyms: {line[:60]!r}")
        target = forms if rest.startswith("=") else synonyms
        target[word] = tuple(rest.lstrip("=").split())
    if declared is None or declared != len(synonyms) + len(forms):
        raise SynonymsFileError(
            f"it declares {declared} entries and holds {len(synonyms) + len(forms)}"
        )
    return Thesaurus(synonyms, forms)


@lru_cache(maxsize=4)
def load(path: Path = SYNONYMS) -> Thesaurus:
    """The thesaurus in `path`, read once a process (about 30 ms). A missing or damaged
    file is logged in one line and gives an empty thesaurus: answers then judge a missing
    word by its meaning alone, as before this file existed, instead of failing."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SynonymsFileError) as error:
        log.warning("cannot read the synonyms file %s (%s); %s", path, error, _REGENERATE)
        return Thesaurus()
