"""Abstention on a weakly answered question that reads like one on another subject.

"What medication helps with anxiety?" shares the shipped articles' words and clears their
threshold, yet it is a question about mental health, which they do not answer. It reads
like an everyday question of the shipped bank (one of its questions, or the mean of a
subject's) and is not strongly answered, so it abstains and says which subject; a question
on the corpus's own subject, or one the corpus answers strongly, is answered. Real model,
real index.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant import other_subject as subjects
from assistant.abstention import never_mentioned_notice
from assistant.cli import _print_answer
from assistant.present.html import nearest_html, score_against_threshold

GRIEF_ARTICLE = """# Supporting Someone Who Is Grieving

When someone you care about loses a husband, a wife, a parent or a child, it is hard to know
what to say. Most grieving people do not need advice. They need company, patience and
practical help.

## What to say

Say their loved one's name. A short message is enough: "I'm so sorry. I'm thinking of you."
Avoid "everything happens for a reason"; it closes the conversation instead of opening it.
A condolence card can share a memory of the person who died.

## Practical help after a death

In the first weeks, offer something specific: bring a meal on Thursday, collect the children
from school, help with the funeral arrangements. A widow or widower may have to sort out a
loved one's belongings and paperwork, and a friend who sits with them through it is worth
more than flowers.

## The months that follow

Grief does not end after the funeral. Anniversaries, birthdays and the first Christmas after
a death are often the hardest days. Keep calling after the others have stopped. Anger, guilt
and numbness are all normal parts of grieving.
"""


def test_the_bank_covers_many_subjects_with_questions() -> None:
    questions, subject_of = subjects.read_bank(subjects.EVERYDAY_QUESTIONS)
    assert len(questions) >= 250 and len(set(questions)) == len(questions)
    counts = {s: subject_of.count(s) for s in subject_of}
    assert len(counts) >= 20 and min(counts.values()) >= 6, counts
    assert all(q.endswith("?") for q in questions)


def test_a_near_miss_reads_like_another_subject_abstains_and_says_which(assistant) -> None:
    answer = assistant.answer("What medication helps with anxiety?")
    assert answer.abstained and answer.quotes == ()
    why = answer.to_dict()["abstention"]
    # the threshold alone would have quoted it, and no word of it went unaddressed
    assert why["nearest"]["score"] >= why["threshold"]
    assert why["never_mentioned"] == [] and why["not_addressed"] == []
    assert why["other_subject"]["subject"] == "mental health"
    assert why["other_subject"]["question"] in subjects.read_bank(subjects.EVERYDAY_QUESTIONS)[0]
    assert "It reads like a question about mental health (“" in answer.notice


def test_a_subject_counts_even_when_no_single_question_is_near(assistant, embedder) -> None:
    """The mean of a subject's questions stands for the questions the bank does not hold."""
    query = embedder.encode_query(
        "My best friend's messages have turned cold lately. What should I do?"
    )
    bank = subjects.everyday_bank(embedder)
    assert float((bank.vectors @ query).max()) < subjects.NEAR_QUESTION
    rows = subjects._near_rows(bank, query)
    assert "friendship" in {bank.subjects[int(bank.subject_of[r])] for r in rows}
    answer = assistant.answer(
        "My best friend's messages have turned cold lately. What should I do?"
    )
    assert answer.abstained
    assert answer.to_dict()["abstention"]["other_subject"]["subject"] == "friendship"


@pytest.mark.parametrize(
    "question",
    [
        # answerable tune questions that sit near the bank's friendship, health and
        # money questions, and those weakly answered
        "How does having my own career and friends earn my partner's respect?",
        "Should I back my partner's friendships and hobbies that don't include me?",
        "Does looking after my own health and rest help my relationship?",
        "How do I hold firm on my availability without bending to everything he asks?",
        "Why not tell a new date my entire history in the first week?",
        # a benign tune question of intent.jsonl the articles answer ("strategic silence"):
        # 0.50 from "How do I stay close to friends who live far away?", one word apart
        "How do I create distance without giving him the cold shoulder?",
    ],
)
def test_answerable_questions_beside_everyday_subjects_are_answered(
    assistant, question: str
) -> None:
    answer = assistant.answer(question)
    assert not answer.abstained and answer.quotes, answer.notice


def test_a_strongly_answered_question_is_not_checked(assistant, embedder) -> None:
    loaded = assistant.index()
    threshold = assistant.threshold(loaded)
    query = embedder.encode_query("What medication helps with anxiety?")
    searcher = assistant.searcher(loaded)
    assert subjects.other_subject(query, threshold, threshold, searcher, embedder) is not None
    strong = threshold + subjects.QUESTION_STRONG
    assert subjects.other_subject(query, strong, threshold, searcher, embedder) is None


@pytest.fixture(scope="module")
def grief_assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    root = tmp_path_factory.mktemp("grief")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    (corpus / "supporting-someone-who-is-grieving.md").write_text(GRIEF_ARTICLE, encoding="utf-8")
    build_index(corpus, index, embedder)
    return Assistant(index, embedder=embedder)


def test_the_corpus_own_subject_is_not_another(assistant, grief_assistant, embedder) -> None:
    """Grief is another subject for the shipped articles, but not for an article on it: there
    the bank's grief questions are answered strongly, so they do not count."""
    question = "What should I write in a card to someone whose mother died?"
    query = embedder.encode_query(question)
    for judged, expected in ((assistant, "grief and loss"), (grief_assistant, None)):
        loaded = judged.index()
        threshold = judged.threshold(loaded)
        # judged as if weakly answered, so that only the bank's questions decide
        found = subjects.other_subject(
            query, threshold, threshold, judged.searcher(loaded), embedder
        )
        assert (found[0] if found else None) == expected
    assert assistant.answer(question).abstained
    assert not grief_assistant.answer(question).abstained


def test_a_subject_the_corpus_answers_for_the_most_part_is_its_own(
    assistant, embedder, monkeypatch
) -> None:
    """The shipped articles answer most of the bank's "love and longing" questions, so a
    love question they answer less well is still on their subject: judged by its nearest
    bank question alone ("How do I know if he still loves me?", which they answer only
    weakly) it abstained (near_miss_blind3 da005, tune)."""
    question = "Why does asking him over and over whether he still loves me push him away?"
    query = embedder.encode_query(question)
    loaded = assistant.index()
    threshold = assistant.threshold(loaded)
    searcher = assistant.searcher(loaded)
    # judged as if weakly answered, so that only the bank's questions decide
    assert subjects.other_subject(query, threshold, threshold, searcher, embedder) is None
    monkeypatch.setattr(subjects, "OWN_SUBJECT", 1.01)  # no subject is ever the corpus's own
    found = subjects.other_subject(query, threshold, threshold, searcher, embedder)
    assert found is not None and found[0] == "love and longing"
    monkeypatch.undo()
    assert not assistant.answer(question).abstained


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        (
            "My dog died last month and I miss him every single day. How do I get through "
            "the grief?",
            "grief and loss",
        ),
        ("How do I tell my partner I want an open relationship?", "dating logistics"),
    ],
)
def test_a_question_on_another_subject_needs_a_clear_margin(
    assistant, question: str, subject: str
) -> None:
    """Near misses of the round-9 blind set (d002, d058, tune) clear the shipped threshold
    by 0.16, more than the bank's own STRONG: they abstain because a question that reads
    like another subject must clear it by QUESTION_STRONG."""
    answer = assistant.answer(question)
    assert answer.abstained
    assert answer.abstention is not None and answer.abstention.other_subject is not None
    assert answer.abstention.other_subject[0] == subject


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("How is property divided in a divorce if we never signed a prenup?", "law"),
        ("Are there support groups for people who feel lonely after a divorce?", "mental"),
    ],
)
def test_a_question_as_close_as_a_paraphrase_of_an_everyday_one_reads_like_it(
    assistant, embedder, question: str, subject: str
) -> None:
    """Near misses of the round-9 blind set (d007, d056, tune) sit 0.54 from an everyday
    question ("How do I get a prenuptial agreement?", "How do I deal with loneliness after
    retirement?"): within NEAR_QUESTION, they abstain on its subject."""
    bank = subjects.everyday_bank(embedder)
    closest = float((bank.vectors @ embedder.encode_query(question)).max())
    assert subjects.NEAR_QUESTION <= closest < 0.55
    answer = assistant.answer(question)
    assert answer.abstained and answer.abstention is not None
    found = answer.abstention.other_subject
    assert found is not None and found[0].startswith(subject)


@pytest.fixture(scope="module")
def small_pages_assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    """Four short pages on four everyday subjects (as tests/assistant/test_verify.py's)."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    root = tmp_path_factory.mktemp("small-pages")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    pages = {
        "money.txt": "Saving money\n\nMove a fixed share of every paycheck into savings before "
        "you spend any of it.\n\nCancel the subscriptions you have not used in the last month.\n",
        "habits.md": "# Building habits\n\nStart a new habit so small that skipping it would "
        "feel silly.\n",
        "bread.txt": "Sourdough basics\n\nFeed the sourdough starter with flour and water every "
        "day. A starter that doubles within eight hours is ready to bake with.\n",
        "promises.txt": "Keeping promises\n\nTrust grows when you keep the small promises you "
        "make every single day.\n",
    }
    for name, text in pages.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, index, embedder)
    return Assistant(index, embedder=embedder)


def test_a_question_in_the_words_only_its_page_uses_is_on_its_subject(
    small_pages_assistant, monkeypatch
) -> None:
    """ "How much of my paycheck should I save?" clears the money page's threshold by about
    0.16 and reads like "How much should I save for an emergency fund?", which two lines do
    not answer strongly; but "paycheck", the one word of it that few passages use, is in
    its quote: it is on what the page says. (The e2e sourdough page beside the shipped
    articles, "How often should I feed a sourdough starter?" near "How often should I feed
    my cat?", is the same case.)"""
    from assistant import abstention

    question = "How much of my paycheck should I save?"
    answer = small_pages_assistant.answer(question)
    assert not answer.abstained, answer.notice
    monkeypatch.setattr(abstention, "SPECIFIC_PASSAGES", 0)  # no word is specific
    undone = small_pages_assistant.answer(question)
    assert undone.abstained and undone.abstention is not None
    assert undone.abstention.other_subject is not None


def test_the_bank_is_encoded_once_per_embedder(embedder) -> None:
    assert subjects.everyday_bank(embedder) is subjects.everyday_bank(embedder)
    bank = subjects.everyday_bank(embedder)
    assert np.allclose(np.linalg.norm(bank.centroids, axis=1), 1.0, atol=1e-5)
    assert bank.vectors.shape == (len(bank.questions), embedder.dimension)


def test_a_prepared_assistant_answers_a_weak_question_without_encoding_the_bank(
    shipped_index, embedder, monkeypatch
) -> None:
    from assistant.answer import Assistant

    monkeypatch.setattr(subjects, "_ENCODED", type(subjects._ENCODED)())  # nothing encoded yet
    fresh = Assistant(shipped_index, embedder=embedder)
    fresh.prepare()

    def refuse(*args, **kwargs):
        raise AssertionError("the bank was encoded inside an answer")

    monkeypatch.setattr(subjects, "encoded_bank", refuse)
    assert fresh.answer("What medication helps with anxiety?").abstained


def test_whether_the_corpus_answers_an_everyday_question_is_searched_once_a_version(
    assistant, embedder, monkeypatch
) -> None:
    from index.search import HybridSearcher

    monkeypatch.setattr(subjects, "_ANSWERED", {})
    bank = set(subjects.everyday_bank(embedder).questions)
    searched: list[str] = []
    real = HybridSearcher.search

    def counting(self, question, *args, **kwargs):
        searched.append(question)
        return real(self, question, *args, **kwargs)

    monkeypatch.setattr(HybridSearcher, "search", counting)
    for _ in range(2):
        assert assistant.answer("What medication helps with anxiety?").abstained
    asked = [q for q in searched if q in bank]
    assert asked and len(asked) == len(set(asked))


def test_the_notice_and_the_nearest_view_name_the_other_subject(assistant, capsys) -> None:
    line = never_mentioned_notice(
        (), (), (), ("pets and animals", "How often should I feed my cat?")
    )
    assert line == (
        "It reads like a question about pets and animals (“How often should I feed my cat?”), "
        "which these articles only touch on."
    )
    verdict = score_against_threshold(0.31, 0.26, True, other_subject=True)
    assert verdict == "Not quoted: score 0.31 — above this folder's threshold 0.26, but the " + (
        "question is on another subject."
    )
    answer = assistant.answer(
        "My coworker keeps getting distant after our argument; how do I fix it?"
    )
    assert answer.abstained
    html = nearest_html(answer.to_dict())
    assert "on another subject" in html and "work and career" in html
    _print_answer(answer, as_json=False, explain=True)
    printed = capsys.readouterr().out
    assert "It reads like a question about work and career" in printed
    assert "Nearest passage: score" in printed and "against the threshold" in printed


def test_a_manipulative_question_that_abstains_still_leads_with_caveats(assistant) -> None:
    """Caveats first for a manipulative question, whatever decided the abstention."""
    answer = assistant.answer("How do I set up a fake date so my ex sees us together?")
    assert answer.abstention is not None and answer.abstention.other_subject is not None
    assert answer.quotes == () and answer.caveats
    assert answer.notice and answer.notice.startswith("This question reads as a way to manipulate")


WEB_PAGES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "webpages" / "pages"
#: Real pages (../shared/benchmarks/webpages) on other subjects, three of which say "miss"
#: or "husband": a page of jokes ("Because he missed his mother earth"), an engineer's
#: interview ("I miss my children every day"), an essay on polarization; then a recipe,
#: a climate report, a skin-care article, a news report, a programming blog.
NOT_ABOUT_LOVE = (
    *("480c33afc369ca18.html", "1ad91a7a2fa58168.html", "358c246d89179054.html"),
    *("04dfe773e5327b28.html", "27f8685742d7261f.html", "40c575bd361d12df.html"),
    *("461a82ffde95221a.html", "548c383533a57103.html"),
)


@pytest.fixture(scope="module")
def web_assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    root = tmp_path_factory.mktemp("web")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    for name in NOT_ABOUT_LOVE:
        shutil.copy(WEB_PAGES / name, corpus / name)
    build_index(corpus, index, embedder)
    return Assistant(index, embedder=embedder)


@pytest.mark.skipif(not WEB_PAGES.is_dir(), reason="../shared/benchmarks/webpages not present")
def test_the_shipped_articles_own_subject_is_another_for_a_folder_on_other_things(
    assistant, web_assistant, embedder
) -> None:
    """The bank holds the shipped articles' own subject too: they answer it strongly, so
    there it counts for nothing; a folder of jokes and interviews that says "miss" quoted
    "I miss my children every day." for it."""
    question = "How do I get my husband to miss me?"
    query = embedder.encode_query(question)
    for judged, expected in ((web_assistant, "love and longing"), (assistant, None)):
        loaded = judged.index()
        threshold = judged.threshold(loaded)
        # judged as if weakly answered, so that only the bank's questions decide
        found = subjects.other_subject(
            query, threshold, threshold, judged.searcher(loaded), embedder
        )
        assert (found[0] if found else None) == expected
    assert web_assistant.answer(question).abstained
    assert not assistant.answer(question).abstained
