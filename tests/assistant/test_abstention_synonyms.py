"""A word the corpus never uses is not "never mentioned" when the corpus uses its synonym.

The synonyms are WordNet's, in the word's most frequent sense (`assistant/synonyms.py`,
`assistant/data/synonyms.txt`): "harder to read" is answered from "form his own
interpretations", while "make my dog miss me" still abstains (a dog is related to a
breed, not a synonym of anything the articles say). Real model, real index of the
shipped corpus, the real shipped file.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from assistant import abstention, synonyms
from assistant.synonyms import SYNONYMS, SynonymsFileError, Thesaurus, parse
from index.lexical import LexicalIndex

#: An answerable question (tests/data/questions.jsonl q040, tune) whose "read" the articles
#: never use; they say "interpretations".
HARDER_TO_READ = "Why does a spouse long for someone who has become harder to read?"
DOG = "How do I make my dog miss me while I'm at work?"


def test_a_question_in_the_users_own_words_is_answered(assistant) -> None:
    answer = assistant.answer(HARDER_TO_READ)
    assert not answer.abstained and answer.quotes
    assert "humans miss what they can’t predict anymore" in " ".join(q.text for q in answer.quotes)


def test_without_the_synonyms_the_same_question_abstains_on_read(assistant, monkeypatch) -> None:
    """The synonyms, not some other check, answer it: with an empty thesaurus it abstains."""
    monkeypatch.setattr(synonyms, "load", lambda path=SYNONYMS: Thesaurus())
    answer = assistant.answer(HARDER_TO_READ)
    assert answer.abstained
    assert "These articles never mention: read." in answer.notice


def test_a_key_word_on_another_subject_still_abstains(assistant) -> None:
    answer = assistant.answer(DOG)
    assert answer.abstained and answer.quotes == ()
    assert answer.to_dict()["abstention"]["never_mentioned"] == ["dog"]


def _quoted(assistant, question: str) -> set[str]:
    """The BM25 stems of the quotes the word checks read for `question`."""
    loaded = assistant.index()
    hits = assistant.searcher(loaded).search(question, k=20)
    quotes = abstention.checked_texts(hits, assistant.threshold(loaded), loaded)
    return set().union(*LexicalIndex.tokenize(quotes))


def test_the_synonym_is_found_in_the_quotes(assistant) -> None:
    quoted = _quoted(assistant, HARDER_TO_READ)
    assert abstention.synonym_quoted("read", quoted, synonyms.load()) == "interpret"
    assert abstention.synonym_quoted("read", quoted, Thesaurus()) is None


@pytest.mark.parametrize(
    ("word", "synonym"),
    [("holiday", "vacation"), ("awful", "terrible"), ("spouse", "partner"), ("read", "interpret")],
)
def test_a_synonym_is_a_word_of_the_same_sense(word: str, synonym: str) -> None:
    assert synonym in synonyms.load().of(word)


@pytest.mark.parametrize("word", ["dog", "toddler", "bible", "cat", "soldiers"])
def test_a_related_word_is_no_synonym(assistant, word: str) -> None:
    """Relatedness is not synonymy: a toddler is a kind of kid and the articles mention
    kids, a Bible is a "Book" in a proper sense, a dog is "to chase" only as a rare verb."""
    every_word = {
        t
        for p in assistant.index().passages(range(assistant.index().passage_count))
        for t in _stems_of(p.text)
    }
    assert abstention.synonym_quoted(word, every_word, synonyms.load()) is None


def _stems_of(text: str) -> list[str]:
    return LexicalIndex.tokenize([text])[0]


def test_inflected_and_irregular_forms_find_their_lemma() -> None:
    thesaurus = synonyms.load()
    assert "vacation" in thesaurus.of("Holidays")
    assert thesaurus.of("ran") == thesaurus.of("run")
    assert thesaurus.of("difficult") and "difficult" in thesaurus.of("harder")
    assert thesaurus.of("zzzz") == ()


def test_the_shipped_file_holds_the_entries_it_declares() -> None:
    thesaurus = parse(SYNONYMS.read_text(encoding="utf-8"))
    assert len(thesaurus.synonyms) > 10_000 and thesaurus.forms["children"] == ("child",)


def test_the_shipped_file_is_what_the_generator_writes_from_wordnet(tmp_path: Path) -> None:
    from benchmarks import make_synonyms

    if not (make_synonyms.DEFAULT_WORDNET / "cntlist.rev").is_file():
        pytest.skip("WordNet is not installed (apt-get install wordnet-base)")
    out = tmp_path / "synonyms.txt"
    make_synonyms.main(["--out", str(out)])
    assert out.read_bytes() == SYNONYMS.read_bytes()


def _damaged(tmp_path: Path, name: str, cut: int) -> Path:
    path = tmp_path / name
    text = SYNONYMS.read_text(encoding="utf-8")
    path.write_text(text[:-cut] if cut else "", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: tmp / "absent.txt", "No such file"),
        (lambda tmp: _damaged(tmp, "truncated.txt", 5_000), "declares"),
        (lambda tmp: _damaged(tmp, "empty.txt", 0), "declares None"),
    ],
)
def test_a_missing_or_damaged_file_is_one_logged_line_and_answers_go_on(
    tmp_path: Path, caplog, make, reason: str
) -> None:
    path = make(tmp_path)
    with caplog.at_level(logging.WARNING, logger="assistant.synonyms"):
        thesaurus = synonyms.load(path)
    assert thesaurus == Thesaurus()
    [record] = caplog.records
    line = record.getMessage()
    assert "\n" not in line and str(path) in line and reason in line
    assert "python -m benchmarks.make_synonyms" in line


def test_a_malformed_line_names_its_number() -> None:
    with pytest.raises(SynonymsFileError, match="line 2 is not word<TAB>synonyms"):
        parse("# entries: 1\nholiday vacation\n")


def test_a_damaged_file_falls_back_to_judging_by_meaning(assistant, tmp_path, monkeypatch) -> None:
    """With the file gone, a word is judged as before it existed: "spouse" is still covered
    by its nearness to the passages about husbands, "dog" still is not."""
    broken = tmp_path / "synonyms.txt"
    shutil.copy(SYNONYMS, broken)
    broken.write_text("garbage\n", encoding="utf-8")
    fallback = synonyms.load(broken)
    searcher = assistant.searcher(assistant.index())
    quotes = ["Talk with your husband openly."]
    left = abstention.uncovered(["spouse", "dog"], searcher, assistant.embedder, quotes, fallback)
    assert left == ["dog"]


def _wordnet(root: Path) -> Path:
    """A WordNet 3.0 folder in the real file formats, holding a handful of synsets: the
    generator's choices (sense, part of speech, members) are the subject, not the data."""
    root.mkdir()
    synsets = {  # name: (part, members, hypernym name)
        "dog.n": ("n", ["dog", "domestic_dog", "Canis_familiaris"], None),
        "bible.n": ("n", ["Bible", "Book", "Scripture"], None),
        "kid.n": ("n", ["child", "kid"], None),
        "toddler.n": ("n", ["toddler", "tot"], "kid.n"),
        "interpret.v": ("v", ["interpret", "construe", "see"], None),
        "read.v": ("v", ["read"], "interpret.v"),
        "chase.v": ("v", ["chase", "dog", "track"], None),
    }
    offsets: dict[str, int] = {}
    files: dict[str, list[str]] = {"n": [], "v": [], "a": [], "r": []}
    for _ in range(2):  # the second pass knows every offset
        sizes = {p: 0 for p in files}
        files = {p: [] for p in files}
        for name, (part, members, hypernym) in synsets.items():
            offsets[name] = sizes[part]
            words = " ".join(f"{w} 0" for w in members)
            pointer = f" @ {offsets.get(hypernym, 0):08d} {part} 0000" if hypernym else ""
            line = (
                f"{offsets[name]:08d} 05 {part} {len(members):02x} {words} "
                f"{int(bool(hypernym)):03d}{pointer} | gloss\n"
            )
            files[part].append(line)
            sizes[part] += len(line.encode())
    names = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
    index: dict[str, list[str]] = {p: ["  1 the licence header\n"] for p in files}
    senses = {"dog": ["dog.n", "chase.v"], "bible": ["bible.n"], "toddler": ["toddler.n"]}
    senses |= {"read": ["read.v"], "kid": ["kid.n"], "interpret": ["interpret.v"]}
    for lemma, names_of in sorted(senses.items()):
        for name in names_of:
            part = synsets[name][0]
            index[part].append(f"{lemma} {part} 1 1 @ 1 1 {offsets[name]:08d}\n")
    for part, name in names.items():
        (root / f"data.{name}").write_text("".join(files[part]), encoding="latin-1")
        (root / f"index.{name}").write_text("".join(index[part]), encoding="latin-1")
        (root / f"{name}.exc").write_text("kids kid\n" if part == "n" else "", encoding="latin-1")
    (root / "cntlist.rev").write_text(
        "dog%1:05:00:: 1 42\ndog%2:38:00:: 1 2\nbible%1:10:00:: 1 5\n"
        "toddler%1:18:00:: 1 3\nread%2:31:00:: 1 115\nkid%1:18:00:: 1 20\n"
        "interpret%2:31:00:: 1 10\n",
        encoding="latin-1",
    )
    return root


def test_the_generator_keeps_the_most_frequent_senses_synonyms(tmp_path: Path) -> None:
    from benchmarks import make_synonyms

    wordnet = _wordnet(tmp_path / "wordnet")
    out = tmp_path / "synonyms.txt"
    make_synonyms.main(["--wordnet", str(wordnet), "--out", str(out)])
    thesaurus = parse(out.read_text(encoding="utf-8"))
    assert thesaurus.of("read") == ("construe", "interpret", "see")  # a verb's hypernym
    assert thesaurus.of("toddler") == ("tot",)  # not "kid": a noun's hypernym is no synonym
    assert thesaurus.of("dog") == ()  # the noun (42 tags), not "to chase" (2)
    assert thesaurus.of("bible") == ()  # capitalised members name a proper sense
    assert thesaurus.of("kids") == ("child",)
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in out.read_text()
