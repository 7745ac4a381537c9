"""Write `assistant/data/synonyms.txt`: each English word's synonyms in its most frequent sense.

Read from WordNet 3.0 as Debian's `wordnet-base` installs it (`/usr/share/wordnet`,
`apt-get install wordnet-base`). A word's most frequent sense is the first sense of the
part of speech whose first sense was tagged most often in WordNet's sense-tagged corpus
(`cntlist.rev`): "dog" is a noun (42 tags; its verb, "to chase", 2), "read" a verb (115).
Its synonyms are the other one-word, lower-case members of that sense's synset ("holiday":
vacation; "awful": terrible, dreadful...; "spouse": partner, mate) and, for a verb, those of
the verbs it is a manner of (WordNet's verb hypernyms are troponyms: to read is to
interpret in a particular manner). A noun's hypernyms are not synonyms ("toddler" is a
kind of "kid", and a text about kids does not mention toddlers), and capitalised members
name a proper sense ("Bible": Book, Word). Words never tagged have no entry. Irregular
forms ("ran" -> run, "children" -> child) whose lemma has an entry are listed too.

    python -m benchmarks.make_synonyms [--wordnet /usr/share/wordnet] [--out PATH]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

DEFAULT_WORDNET = Path("/usr/share/wordnet")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assistant" / "data" / "synonyms.txt"
_PARTS = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
#: cntlist.rev's synset type digit -> part of speech (5: an adjective satellite).
_TYPE_PART = {"1": "n", "2": "v", "3": "a", "5": "a", "4": "r"}
_LICENCE = """\
# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.
# Permission to use, copy, modify and distribute this software and database and its
# documentation for any purpose and without fee or royalty is hereby granted, provided
# that you agree to comply with the following copyright notice and statements, including
# the disclaimer, and that the same appear on ALL copies of the software, database and
# documentation, including modifications that you make for internal use or for
# distribution.
# THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
# REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT
# LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANT-
# ABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE LICENSED SOFTWARE,
# DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS,
# TRADEMARKS OR OTHER RIGHTS.
# The name of Princeton University or Princeton may not be used in advertising or
# publicity pertaining to distribution of the software and/or database. Title to
# copyright in this software, database and any associated documentation shall at all
# times remain with Princeton University and LICENSEE agrees to preserve same.
"""


def first_sense_counts(wordnet: Path) -> dict[tuple[str, str], int]:
    """(lemma, part) -> how often its first sense was tagged."""
    counts: dict[tuple[str, str], int] = {}
    for line in (wordnet / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, number, count = line.split()
        lemma, _, rest = key.partition("%")
        if number == "1":
            part = _TYPE_PART[rest[0]]
            counts[(lemma, part)] = max(counts.get((lemma, part), 0), int(count))
    return counts


def first_synsets(wordnet: Path) -> dict[tuple[str, str], int]:
    """(lemma, part) -> the byte offset of its first (most frequent) synset."""
    first: dict[tuple[str, str], int] = {}
    for part, name in _PARTS.items():
        for line in (wordnet / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):  # the licence header
                continue
            fields = line.split()
            pointers = int(fields[3])
            first[(fields[0], part)] = int(fields[4 + pointers + 2])
    return first


class Synsets:
    """Reads synsets out of WordNet's data files by byte offset."""

    def __init__(self, wordnet: Path) -> None:
        self._data = {p: (wordnet / f"data.{n}").read_bytes() for p, n in _PARTS.items()}

    def read(self, part: str, offset: int) -> tuple[list[str], list[tuple[str, int, str]]]:
        """The synset's member words and its pointers (symbol, offset, part)."""
        data = self._data[part]
        line = data[offset : data.index(b"\n", offset)].decode("latin-1")
        fields = line.split(" | ")[0].split()
        count = int(fields[3], 16)
        words = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]) for i in range(count)]
        at = 4 + 2 * count
        pointers = [
            (fields[at + 1 + 4 * i], int(fields[at + 2 + 4 * i]), fields[at + 3 + 4 * i])
            for i in range(int(fields[at]))
        ]
        return words, pointers


def synonyms(wordnet: Path) -> dict[str, list[str]]:
    """Each tagged one-word lemma -> its synonyms in its most frequent sense."""
    counts = first_sense_counts(wordnet)
    first = first_synsets(wordnet)
    synsets = Synsets(wordnet)
    best: dict[str, tuple[str, int]] = {}
    for (lemma, part), count in sorted(counts.items()):
        if _plain(lemma) and count > 0 and count > best.get(lemma, ("", 0))[1]:
            best[lemma] = (part, count)
    table: dict[str, list[str]] = {}
    for lemma, (part, _) in sorted(best.items()):
        if (lemma, part) not in first:
            continue
        words, pointers = synsets.read(part, first[(lemma, part)])
        if part == "v":
            for symbol, offset, _ in pointers:
                if symbol == "@":
                    words = words + synsets.read("v", offset)[0]
        related = sorted({w for w in words if _plain(w) and w != lemma})
        if related:
            table[lemma] = related
    return table


def _plain(word: str) -> bool:
    """A one-word, lower-case member of letters (no collocation, no proper sense, no
    numeral)."""
    return re.fullmatch(r"[a-z][a-z'-]*", word) is not None


def irregular_forms(wordnet: Path, lemmas: set[str]) -> dict[str, list[str]]:
    """Irregular form -> its lemmas that have an entry ("ran" -> run)."""
    forms: dict[str, set[str]] = {}
    for name in _PARTS.values():
        for line in (wordnet / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            form, *bases = line.split()
            kept = [b for b in bases if b in lemmas and b != form]
            if kept and _plain(form):
                forms.setdefault(form, set()).update(kept)
    return {form: sorted(bases) for form, bases in sorted(forms.items())}


def lines(wordnet: Path) -> Iterator[str]:
    """The file's lines: the header, then `word<TAB>synonyms`, then `form<TAB>=lemmas`."""
    table = synonyms(wordnet)
    forms = irregular_forms(wordnet, set(table))
    yield "# The synonyms of each English word in its most frequent sense, from WordNet 3.0."
    yield "# Written by: python -m benchmarks.make_synonyms (do not edit by hand)."
    yield "# word<TAB>synonyms separated by spaces; form<TAB>=lemmas for an irregular form."
    yield from _LICENCE.splitlines()
    yield f"# entries: {len(table) + len(forms)}"
    for word, related in table.items():
        yield f"{word}\t{' '.join(related)}"
    for form, bases in forms.items():
        yield f"{form}\t={' '.join(bases)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.wordnet / "cntlist.rev").is_file():
        raise SystemExit(f"no WordNet in {args.wordnet}: apt-get install wordnet-base")
    text = "\n".join(lines(args.wordnet)) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()):,} bytes)")


if __name__ == "__main__":
    main()
