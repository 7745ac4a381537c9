"""Abstention on weakly answered questions: the quotes must address the question's words.

A near-miss question (a subject beside the corpus's, in its vocabulary) reaches the
calibrated threshold on topically near quotes; it abstains when its best sentence only
just clears the threshold and some content word of it is neither in the quotes nor near
any word of theirs. Paraphrased answerable questions, whose words differ from their
passage's, are still answered. Real model, real index of the shipped corpus.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import abstention
from assistant.abstention import WEAK_BAND, content_terms, not_addressed, weak
from ingest.language import english_function_words


def test_function_words_are_not_content_words() -> None:
    assert content_terms("How do I make my manager notice my work without bragging?") == [
        "manager",
        "notice",
        "work",
        "bragging",
    ]
    assert content_terms("What did she say?") == []


def test_the_shipped_function_words_are_scikit_learns_stopwords() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert english_function_words() == frozenset(ENGLISH_STOP_WORDS)


def test_telling_content_words_imports_no_scikit_learn() -> None:
    """A serving process never pays scikit-learn's 1.3 s import for a stopword list."""
    code = (
        "import sys; from assistant.abstention import content_terms; "
        "assert content_terms('How do I bake bread?') == ['bake', 'bread']; "
        "print('sklearn' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_only_a_just_cleared_threshold_is_weak() -> None:
    assert weak(np.array([0.30, 0.20]), threshold=0.25)
    assert not weak(np.array([0.25 + WEAK_BAND + 0.01]), threshold=0.25)
    assert weak(np.zeros(0), threshold=0.25)


def test_a_word_the_quotes_lack_is_addressed_by_a_synonym_and_not_by_a_neighbour(
    embedder,
) -> None:
    quotes = ["Your partner values the time you spend together and notices your effort."]
    assert not_addressed("How do I make my manager notice my work?", quotes, embedder) == [
        "manager",
        "work",
    ]
    spouse = not_addressed(
        "How can I talk to my spouse about money?",
        ["Talk with your husband openly about money."],
        embedder,
    )
    assert spouse == []
    assert not_addressed("What does sorted return?", [], embedder) == ["sorted", "return"]


def test_a_near_miss_in_the_corpus_vocabulary_abstains_and_names_the_missing_words(
    assistant,
) -> None:
    answer = assistant.answer("How do I make my manager notice my work without bragging?")
    assert answer.abstained and answer.quotes == ()
    why = answer.to_dict()["abstention"]
    assert "manager" in why["not_addressed"]
    assert why["never_mentioned"] == []  # the corpus does name a manager, once
    assert "The nearest passages do not address: manager" in answer.notice
    nearest = why["nearest"]
    assert nearest["text"] and nearest["score"] >= nearest["threshold"]


@pytest.mark.parametrize(
    "question",
    [
        "Why does routine kill the spark?",
        "Why does he seem thrown when I no longer fight with him?",
        "Do we appreciate things more when they take some effort to get?",
        "Are these timelines guaranteed for everyone?",
    ],
)
def test_paraphrased_answerable_questions_are_still_answered(assistant, question: str) -> None:
    answer = assistant.answer(question)
    assert not answer.abstained and answer.quotes, answer.notice


def test_generic_verbs_are_generic_in_every_form() -> None:
    # "has turned into something unhealthy" asks what "has become unhealthy" asks
    assert content_terms("How can I tell that giving him room has turned into something bad?") == [
        "giving",
        "room",
        "bad",
    ]
    assert content_terms("Why is making him wait, getting nothing, not what he wanted?") == ["wait"]
    # inflections only: "personal" is not a form of "person", nor "thoughtful" of "thought"
    assert content_terms("Is a personal, thoughtful gift better?") == [
        "personal",
        "thoughtful",
        "gift",
    ]


def test_a_question_worded_with_a_linking_verb_is_answered(assistant) -> None:
    # q018 of the held-out split: it abstained with "do not address: turned" before
    answer = assistant.answer(
        "How can I tell that giving him room has turned into something unhealthy?"
    )
    assert not answer.abstained and answer.quotes, answer.notice


MARKDOWN = Path(__file__).resolve().parents[1] / "data" / "markdown"


@pytest.fixture(scope="module")
def systemd_assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("systemd-corpus")
    shutil.copy(MARKDOWN / "systemd-ENVIRONMENT.md", corpus / "ENVIRONMENT.md")
    index_dir = tmp_path_factory.mktemp("systemd-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def test_the_notice_names_only_words_that_name_something(systemd_assistant) -> None:
    """A manual never says "how", "my" or "me": they count in the decision, but "These
    articles never mention: how, my, husband, me." named them."""
    answer = systemd_assistant.answer("How do I make my husband miss me?")
    assert answer.abstained and answer.abstention is not None
    assert answer.abstention.never_mentioned == ("husband",)
    assert answer.notice is not None and "never mention: husband." in answer.notice


def test_a_variable_the_corpus_does_not_name_is_never_mentioned(systemd_assistant) -> None:
    """systemd's list of environment variables says "systemd" and "pager" but names no
    SYSTEMD_PAGER: the answer quoted the list's introduction for it."""
    answer = systemd_assistant.answer("What does SYSTEMD_PAGER do?")
    assert answer.abstained
    assert answer.notice is not None and "never mention: SYSTEMD_PAGER" in answer.notice
    named = systemd_assistant.answer("What does SYSTEMD_LOG_LEVEL do?")
    assert not named.abstained
    assert any("SYSTEMD_LOG_LEVEL" in quote.text for quote in named.quotes)


@pytest.fixture(scope="module")
def beside_debian_faq(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, embedder):
    """The shipped articles beside the Debian FAQ (tests/data/text/README.md), whose
    release names mention "Andy's pet dog"."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("beside-debian-faq")
    for path in shipped_corpus.iterdir():
        shutil.copy2(path, corpus / path.name)
    shutil.copy2(Path(__file__).parents[1] / "data" / "text" / "debian-faq.en.txt.gz", corpus)
    index_dir = tmp_path_factory.mktemp("beside-debian-faq-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


@pytest.mark.parametrize(
    "question", ["How do I make my dog miss me?", "How do I make my dog miss me when I'm at work?"]
)
def test_a_word_only_another_subject_mentions_is_never_mentioned_by_the_answering_one(
    beside_debian_faq, question: str
) -> None:
    """The articles answer "miss me"; "dog" is the Debian FAQ's, not theirs. Looked for in
    the whole folder, the word was known, and the romance quotes were shown."""
    answer = beside_debian_faq.answer(question)
    assert answer.abstained and answer.abstention.never_mentioned == ("dog",)
    assert "These articles never mention: dog." in answer.notice


def test_beside_the_debian_faq_both_subjects_still_answer(beside_debian_faq) -> None:
    assert not beside_debian_faq.answer(
        "How do I make him miss me without playing games?"
    ).abstained
    assert not beside_debian_faq.answer(
        "How do I find out which package a file belongs to?"
    ).abstained


def test_a_word_is_written_as_a_name_in_capitals_or_inside_a_sentence() -> None:
    def names(question: str) -> list[str]:
        return abstention.written_as_names(question, abstention.key_terms(question))

    assert names("How do I sort an array of objects by a property in JavaScript?") == ["JavaScript"]
    assert names("How do I validate a MAC address in Python?") == ["MAC", "Python"]
    assert names("Is SYSTEMD_PAGER read?") == ["SYSTEMD_PAGER"]
    assert names("What is DNS?") == ["DNS"]
    # a capital that opens a sentence, or follows a colon, names nothing by itself
    assert names("Sorting is slow. Why is sorting slow?") == []
    assert names("Quick question: should I text him first?") == []
    assert names("¿Cómo hago que me extrañe?") == []
    # written all in capitals or in title case, the case tells nothing
    assert names("HOW DO I SORT AN ARRAY IN JAVASCRIPT?") == []
    assert names("How Do I Make Him Miss Me While We Live Apart?") == []
    assert abstention.as_written("What does the Bible say?", ["what", "bible"]) == [
        "what",
        "Bible",
    ]


def test_a_name_the_folder_never_uses_sets_the_subject(python_docs_assistant) -> None:
    """Four pages of Python's documentation never say JavaScript: dropping the name moves
    a long question's vector by only 0.22, under the bar for a word that carries it, and
    the answer quoted the pages' Python sorting for it. A name that is written like one
    and that no quoted word comes near is the question's subject."""
    answer = python_docs_assistant.answer(
        "How do I sort an array of objects by a property in JavaScript?"
    )
    assert answer.abstained and answer.quotes == ()
    assert answer.notice is not None and "never mention: array, JavaScript." in answer.notice


@pytest.mark.parametrize(
    "question",
    [
        # "PC" is not in the pages, but "computers" is near it (0.74); "Mac": "macOS"
        "Which PC makers shipped Windows computers with Python on them?",
        "Does a Mac already come with Python?",
    ],
)
def test_a_name_a_quoted_word_comes_near_is_answered(python_docs_assistant, question) -> None:
    answer = python_docs_assistant.answer(question)
    assert not answer.abstained and answer.quotes, answer.notice


def test_a_word_in_any_alphabet_or_with_digits_is_one_word(assistant) -> None:
    """Read as ASCII letters, "résumé" was the words "r", "sum" and "Pokémon" was "Pok" and
    "mon": the notice said "These articles never mention: sum, recruiters"."""
    assert abstention.key_terms("Is IPv6 on Tru64 in Zürich?") == ["ipv6", "tru64", "zürich"]
    resume = assistant.answer("How do I get my résumé noticed by recruiters?")
    assert resume.abstained and resume.notice is not None
    assert "never mention: résumé, recruiters." in resume.notice
    pokemon = assistant.answer("How do I make my Pokémon miss me?")
    assert pokemon.notice is not None and "never mention: Pokémon." in pokemon.notice


def test_a_question_is_judged_by_every_subject_it_may_quote(assistant) -> None:
    """Among 19 FAQs, "My program is too slow. How do I speed it up?" cleared sed's
    threshold by 0.05 and that of Python's FAQs, whose section it is, by 0.03: judged by
    sed's pages alone, "slow" and "speed" were words "these articles never mention". Every
    subject whose hit comes within QUOTE_FLOOR_BELOW of its own threshold is asked too; one
    far below it is not. (Subjects and scores set here; the passages are the shipped ones.)"""
    import dataclasses

    from index.search import Hits

    loaded = assistant.index()
    count = loaded.passage_count
    groups = np.repeat([0, 1, 2], [count - 40, 30, 10])
    thresholds = np.asarray([0.5, 0.3, 0.3])[groups]
    judges = dataclasses.replace(assistant._judged(loaded), thresholds=thresholds, groups=groups)
    first = {g: int(np.flatnonzero(groups == g)[0]) for g in (0, 1, 2)}

    def subject(margins: dict[int, float]) -> np.ndarray | None:
        ids = np.asarray([first[g] for g in margins], dtype=np.int64)
        semantic = (thresholds[ids] + list(margins.values())).astype(np.float32)
        unit = np.zeros(len(ids), dtype=np.int64)
        hits = Hits(ids, semantic, semantic, semantic, semantic, semantic, unit)
        return assistant._subject_passages(judges, hits)

    both = subject({1: 0.05, 0: 0.03, 2: -0.2})
    assert both is not None and np.array_equal(both, groups != 2)
    below = subject({1: 0.05, 0: -abstention.QUOTE_FLOOR_BELOW + 0.01})
    assert below is not None and np.array_equal(below, groups != 2)
    alone = subject({0: 0.05, 1: -0.2, 2: -0.3})
    assert alone is not None and np.array_equal(alone, groups == 0)
    # a small subject alone is no subject: its words are looked for in the whole folder
    assert subject({1: 0.05, 0: -0.2}) is None
