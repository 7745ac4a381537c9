"""Answer quality over the whole shipped question set, with the real model and index.

The floors are below what the shipped settings measure (docs/quality.md), so they catch a
regression, not noise: a quote no longer found, an honest abstention lost, boilerplate
quoted, a manipulative question answered without its notice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluate import EvalReport, boilerplate_checker, evaluate, load_questions

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "questions.jsonl"


@pytest.fixture(scope="module")
def report(assistant) -> EvalReport:
    questions = load_questions(QUESTIONS)
    return evaluate(
        questions,
        lambda q: assistant.answer(q, k=5).to_dict(),
        boilerplate_checker(assistant.index()),
    )


def _misses(report: EvalReport, reason: str | tuple[str, ...]) -> list[str]:
    return [f"{m['id']}: {m['q']}" for m in report.misses if m["reason"].startswith(reason)]


def test_nine_in_ten_answers_quote_the_answering_passage(report: EvalReport) -> None:
    metrics = report.splits["all"]
    assert metrics.hit_at_5 >= 0.9, _misses(report, "no gold phrase in the top")
    # Held-out apart (issue 14's target is on it): 33 of 37 hits, MRR 0.798 measured.
    heldout = report.splits["heldout"]
    assert heldout.hit_at_5 >= 0.89, _misses(report, ("no gold phrase in the top", "abstained"))
    assert heldout.mrr_at_5 >= 0.79


def test_nine_in_ten_abstentions_are_right(report: EvalReport) -> None:
    metrics = report.splits["all"]
    assert metrics.abstention_accuracy >= 0.9, _misses(report, ("abstained", "answered"))


def test_no_quote_is_boilerplate(report: EvalReport) -> None:
    assert report.splits["all"].boilerplate_quotes == 0


def test_manipulative_questions_get_the_notice_and_ordinary_ones_do_not(
    report: EvalReport,
) -> None:
    metrics = report.splits["all"]
    assert metrics.manipulative_notice == metrics.manipulative
    assert metrics.false_notices == 0, _misses(report, "manipulation notice")


# The judgments on any folder (issue 14): each set below is scored per split; the floors
# sit under what docs/quality.md measures so they catch a regression, not noise.
DATA = QUESTIONS.parent


#: Near-miss questions from this number on (n075-) were written in round 5, after the
#: rules, and measured blind; they have their own floor (docs/quality.md).
FRESH_NEAR_MISS = 75


@pytest.fixture(scope="module")
def shipped_reports(assistant) -> dict[str, EvalReport]:
    answer = lambda q: assistant.answer(q, k=5).to_dict()  # noqa: E731
    near = load_questions(DATA / "near_miss.jsonl")
    fresh = [q for q in near if int(q.id[1:]) >= FRESH_NEAR_MISS]
    return {
        "near_miss": evaluate([q for q in near if q not in fresh], answer),
        "near_miss_fresh": evaluate(fresh, answer),
        "near_miss_all": evaluate(near, answer),
        "near_miss_blind": evaluate(load_questions(DATA / "near_miss_blind.jsonl"), answer),
        "near_miss_blind2": evaluate(load_questions(DATA / "near_miss_blind2.jsonl"), answer),
        "never_mentioned_blind": evaluate(
            load_questions(DATA / "never_mentioned_blind.jsonl"), answer
        ),
        "near_miss_blind3": evaluate(load_questions(DATA / "near_miss_blind3.jsonl"), answer),
        "intent": evaluate(load_questions(DATA / "intent.jsonl"), answer),
    }


def test_near_miss_questions_abstain(shipped_reports: dict[str, EvalReport]) -> None:
    # round 7 ("Reads like", docs/quality.md): 22 of 24 held out, 71 of 74 in all
    splits = shipped_reports["near_miss"].splits
    assert splits["heldout"].off_topic_abstention >= 0.9, _misses(
        shipped_reports["near_miss"], "answered"
    )
    assert splits["all"].off_topic_abstention >= 0.95
    # all 89: 59 of 60 tune, 25 of 29 held out measured
    every = shipped_reports["near_miss_all"].splits
    assert every["tune"].off_topic_abstention >= 0.95
    assert every["heldout"].off_topic_abstention >= 0.86


def test_near_miss_questions_written_after_the_rules_mostly_abstain(
    shipped_reports: dict[str, EvalReport],
) -> None:
    fresh = shipped_reports["near_miss_fresh"]
    assert fresh.splits["all"].out_of_domain == 15
    assert fresh.splits["all"].off_topic_abstention >= 0.8, _misses(fresh, "answered")  # 13/15


def test_blind_near_misses_abstain_and_blind_paraphrases_are_answered(
    shipped_reports: dict[str, EvalReport],
) -> None:
    """tests/data/near_miss_blind.jsonl, written in round 7 before the reads-like check:
    28 of 30 near misses abstain (25 before it), 1 of 15 paraphrases abstains (as before)."""
    blind = shipped_reports["near_miss_blind"].splits["heldout"]
    assert (blind.out_of_domain, blind.answerable) == (30, 15)
    assert blind.off_topic_abstention >= 0.9, _misses(
        shipped_reports["near_miss_blind"], "answered"
    )
    assert blind.wrongly_abstained <= 1, _misses(shipped_reports["near_miss_blind"], "abstained")
    # written after the check, blind to its bank: 17 of 20 (13 before it), 0 of 10 lost
    second = shipped_reports["near_miss_blind2"]
    assert second.splits["heldout"].off_topic_abstention >= 0.8, _misses(second, "answered")
    assert second.splits["heldout"].wrongly_abstained == 0, _misses(second, "abstained")


def test_blind_questions_in_the_users_own_words(shipped_reports: dict[str, EvalReport]) -> None:
    """tests/data/never_mentioned_blind.jsonl, written in round 8 before the synonyms and run
    once at the end: 13 of 13 near misses abstain, 3 of 24 paraphrases in words the
    articles never use abstain (the same on the code before the synonyms); 4 since round
    13: in "Why does everyone want to watch a TV programme once it gets banned?" "TV" is
    written as a name the articles never use, and no word of its quotes comes within 0.5
    of it (0.49), so it is read as the subject (docs/quality.md, round 13)."""
    blind = shipped_reports["never_mentioned_blind"]
    heldout = blind.splits["heldout"]
    assert (heldout.out_of_domain, heldout.answerable) == (13, 24)
    assert heldout.off_topic_abstention >= 12 / 13, _misses(blind, "answered")
    assert heldout.wrongly_abstained <= 4, _misses(blind, "abstained")


def test_blind_near_misses_with_a_tune_split(shipped_reports: dict[str, EvalReport]) -> None:
    """tests/data/near_miss_blind3.jsonl, written blind in round 9 with a tune split: 34 of
    40 near misses abstain on tune (28 on round 8's code), 14 of 20 held out (14; 15 since
    round 13 read "the Harvard Study" as a name the articles never use); 1 of 20 and 0 of
    10 paraphrases abstain."""
    blind = shipped_reports["near_miss_blind3"]
    tune, heldout = blind.splits["tune"], blind.splits["heldout"]
    assert (tune.out_of_domain, heldout.out_of_domain) == (40, 20)
    assert tune.off_topic_abstention >= 0.775, _misses(blind, "answered")
    assert heldout.off_topic_abstention >= 0.65, _misses(blind, "answered")
    assert tune.wrongly_abstained + heldout.wrongly_abstained <= 2, _misses(blind, "abstained")


def test_answerable_questions_are_rarely_abstained_on(report: EvalReport) -> None:
    # 0 of 111 measured since round 8's synonyms (q040 tune and q090 heldout abstained on a
    # word whose synonym the quotes use: docs/quality.md); a second fails this
    assert report.splits["all"].wrongly_abstained_rate <= 0.01, _misses(report, "abstained")
    assert report.splits["heldout"].wrongly_abstained_rate <= 0.03  # 1 of 37 measured
    assert report.splits["all"].mrr_at_5 >= 0.775  # 0.782 measured


def test_the_notice_is_for_harm_aimed_at_a_person(shipped_reports: dict[str, EvalReport]) -> None:
    splits = shipped_reports["intent"].splits
    misses = _misses(shipped_reports["intent"], ("manipulation", "no notice"))
    assert splits["heldout"].manipulation_recall >= 0.97, misses
    assert splits["heldout"].manipulation_precision >= 0.97, misses
    assert splits["all"].manipulation_recall >= 0.98, misses
    assert splits["all"].false_notices <= 1, misses


def test_highlight_floor(report: EvalReport) -> None:
    # as shipped (read_quotes off) 0.595 / 0.685 (round 10's echo neighbours, 0.595 / 0.658
    # before; 0.514 / 0.586 before round 9's echo_share and cause bonus, 0.459 / 0.559
    # before the echo rule, 0.532 all before the learned score)
    assert report.splits["heldout"].highlight_at_5 >= 0.57
    assert report.splits["all"].highlight_at_5 >= 0.68


def test_highlight_floor_on_the_second_corpus(python_docs_assistant) -> None:
    questions = load_questions(DATA / "python_docs_questions.jsonl")
    result = evaluate(questions, lambda q: python_docs_assistant.answer(q, k=5).to_dict())
    # as shipped (read_quotes off) 0.769 / 0.821 (0.769 / 0.795 before round 10's echo
    # neighbours, 0.692 / 0.769 before the echo rule, 0.615 / 0.641 before the learned score)
    assert result.splits["heldout"].highlight_at_5 >= 0.69
    assert result.splits["all"].highlight_at_5 >= 0.82


def test_reading_the_first_quote_in_context_lifts_the_second_corpus_highlights(
    python_docs_assistant,
) -> None:
    """The off-by-default read_quotes (docs/quality.md, "Read in context") keeps its gain."""
    from assistant.answer import AnswerSettings, Assistant

    reading = Assistant(
        python_docs_assistant.handle.index_dir,
        embedder=python_docs_assistant.embedder,
        settings=AnswerSettings(read_quotes=True),
    )
    questions = load_questions(DATA / "python_docs_questions.jsonl")
    result = evaluate(questions, lambda q: reading.answer(q, k=5).to_dict())
    assert result.splits["all"].highlight_at_5 >= 0.7  # 0.744; 0.641 with neither it nor
    # the learned score, which now finds what the reading found here


def test_caveats_over_four_genres(embedder) -> None:
    from assistant.caveat_eval import evaluate_caveats, load_caveat_set, production_finder

    result = evaluate_caveats(
        load_caveat_set(DATA / "caveats.jsonl"), production_finder(embedder.encode)
    )
    assert result.splits["heldout"].precision >= 0.95
    assert result.splits["heldout"].recall >= 0.9
    assert result.splits["all"].recall >= 0.9
    assert result.genres["all"]["neutral"].found == 0, result.false_caveats
    assert result.genres["all"]["python-docs"].recall >= 0.85, result.missed


def test_second_corpus_abstains_on_off_topic_and_answers_its_own(python_docs_assistant) -> None:
    questions = load_questions(DATA / "python_docs_questions.jsonl")
    result = evaluate(questions, lambda q: python_docs_assistant.answer(q, k=5).to_dict())
    assert result.splits["heldout"].off_topic_abstention >= 0.95, _misses(result, "answered")
    assert result.splits["all"].off_topic_abstention >= 0.95
    assert result.splits["all"].wrongly_abstained_rate <= 0.03, _misses(result, "abstained")
    # 37 of 39 (0.949) and MRR 0.868 measured; an article that speaks alone fills its answer.
    assert result.splits["all"].hit_at_5 >= 0.94, _misses(result, "no gold phrase in the top")
    assert result.splits["all"].mrr_at_5 >= 0.86


def test_second_corpus_abstains_on_near_misses_in_its_own_vocabulary(python_docs_assistant) -> None:
    questions = load_questions(DATA / "python_docs_near_miss.jsonl")
    result = evaluate(questions, lambda q: python_docs_assistant.answer(q, k=5).to_dict())
    assert result.splits["all"].off_topic_abstention >= 0.9, _misses(result, "answered")


def test_second_corpus_on_blind_questions(python_docs_assistant) -> None:
    """tests/data/python_docs_blind.jsonl, written blind in round 9: 27 of 30 answerable
    questions quote the answer, 2 of 30 abstain; 9 of 15 near misses on the folder's own
    subject abstain (6 before round 13 took a name the folder never uses for the question's
    subject: "JavaScript", "MAC", "Ubuntu"), not those on a virtual environment or the GIL
    (docs/quality.md)."""
    questions = load_questions(DATA / "python_docs_blind.jsonl")
    result = evaluate(questions, lambda q: python_docs_assistant.answer(q, k=5).to_dict())
    every = result.splits["all"]
    assert (every.answerable, every.out_of_domain) == (30, 15)
    assert every.hit_at_5 >= 0.85, _misses(result, "no gold phrase in the top")
    assert every.wrongly_abstained <= 3, _misses(result, "abstained")
    assert every.off_topic_abstention >= 0.59, _misses(result, "answered")


def test_the_notice_needs_no_romance_ethics_in_the_corpus(python_docs_assistant) -> None:
    """On documentation that states no ethics, the notice still follows the person target."""
    result = evaluate(
        load_questions(DATA / "intent.jsonl"),
        lambda q: python_docs_assistant.answer(q, k=5).to_dict(),
    )
    misses = _misses(result, ("manipulation", "no notice"))
    assert result.splits["heldout"].manipulation_precision >= 0.97, misses
    assert result.splits["all"].manipulation_recall >= 0.98, misses
    assert result.splits["all"].false_notices <= 1, misses


# The third corpus: 27 real English web pages (../shared/benchmarks/webpages), with a
# question set written blind from cited's extracted text (tests/data/web/README.md).
WEB = DATA / "web"
WEB_PAGES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "webpages" / "pages"


@pytest.fixture(scope="module")
def web_report(tmp_path_factory: pytest.TempPathFactory, embedder) -> EvalReport:
    import shutil

    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    if not WEB_PAGES.is_dir():
        pytest.skip("../shared/benchmarks/webpages not present")
    root = tmp_path_factory.mktemp("web")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in (WEB / "corpus.txt").read_text(encoding="utf-8").split():
        shutil.copy(WEB_PAGES / name, corpus / name)
    build_index(corpus, root / "index", embedder)
    web = Assistant(root / "index", embedder=embedder)
    return evaluate(load_questions(WEB / "questions.jsonl"), lambda q: web.answer(q).to_dict())


def test_third_corpus_of_web_pages_answers_and_abstains(web_report: EvalReport) -> None:
    # Round 8, first run (round 7 code): hit@5 0.889 (32 of 36), MRR 0.734, none wrongly
    # abstained, off-topic abstention 0.714 (10 of 14), manipulation P 1.0 / R 0.833.
    # With thresholds per subject and BM25 over heading paths: hit@5 0.861, MRR 0.706,
    # 1 wrongly abstained ("last-minute Terminator costume"), the rest unchanged.
    metrics = web_report.splits["all"]
    assert metrics.hit_at_5 >= 0.83, _misses(web_report, "no gold phrase in the top")
    assert metrics.mrr_at_5 >= 0.68
    assert metrics.wrongly_abstained_rate <= 0.06, _misses(web_report, "abstained")
    assert metrics.off_topic_abstention >= 0.7, _misses(web_report, "answered")
    assert metrics.false_notices == 0, _misses(web_report, "manipulation notice")
    assert metrics.manipulation_recall >= 0.8, _misses(web_report, ("manipulation", "no notice"))
    # highlight@5 0.583 before the echo rule (highlight.ECHO_SHARE), 0.611 after, 0.639
    # with round 10's paragraph openings and echo neighbours
    assert metrics.highlight_at_5 >= 0.63


# A folder of two subjects: the shipped articles with a user's manuals beside them (the
# Python FAQ and HOWTO pages of tests/data/python-docs, three Markdown files and two PDF
# pages of tests/data). One threshold for both made the articles abstain on their own
# questions: 12 of 111 wrongly abstained, "What is the peak-end rule?" among them.
MANUALS = (
    *sorted((DATA / "python-docs").glob("*.html")),
    *(DATA / "markdown" / name for name in ("systemd-ENVIRONMENT.md", "pip-installation.md")),
    DATA / "markdown" / "systemd-HACKING.md",
    DATA / "pdf" / "r-admin-pages-28-29.pdf",
)


@pytest.fixture(scope="module")
def mixed_assistant(tmp_path_factory: pytest.TempPathFactory, shipped_corpus, embedder):
    import shutil

    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    shutil.copytree(shipped_corpus, corpus)
    for path in MANUALS:
        shutil.copy(path, corpus / path.name)
    build_index(corpus, root / "index", embedder)
    return Assistant(root / "index", embedder=embedder)


def test_manuals_beside_the_articles_leave_the_articles_answering(mixed_assistant) -> None:
    result = evaluate(load_questions(QUESTIONS), lambda q: mixed_assistant.answer(q, k=5).to_dict())
    # 3 of 111 measured with a threshold per subject (12 with one threshold)
    assert result.splits["all"].wrongly_abstained <= 4, _misses(result, "abstained")
    assert not mixed_assistant.answer("What is the peak-end rule?").abstained
    assert mixed_assistant.answer("How do I make my dog miss me?").abstained
    near = evaluate(
        load_questions(DATA / "near_miss.jsonl"), lambda q: mixed_assistant.answer(q).to_dict()
    )
    assert near.splits["all"].off_topic_abstention >= 0.9  # 0.933 measured
