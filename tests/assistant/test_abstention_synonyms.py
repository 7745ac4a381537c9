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
    _, quotes = abstention.checked_quotes(hits, assistant.threshold(loaded), loaded)
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
