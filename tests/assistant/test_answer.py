"""Answers over the shipped corpus, with the real model and the real index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import Assistant, clean_question
from index.errors import QuestionError
from tests.contract import ANSWER_KEYS

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

HIM = "how-to-make-him-miss-you-the-psychology-of-creating-genuine-connection-through-absence.txt"
PSY = "how-to-make-someone-miss-you-according-to-a-psychologist.txt"
LEAVE = "make-him-miss-you-why-you-have-to-leave-to-get-him-to-stay.txt"
EX = "the-psychology-of-how-to-make-an-ex-miss-you.txt"
HUSBAND = "how-to-make-your-husband-miss-you-during-a-separation.txt"

# (question, file the answer is in, a phrase of the passage that answers it)
RETRIEVAL = [
    ("What is the peak-end rule?", EX, "how they felt at the peak"),
    ("How long should no contact last?", EX, "minimum 30 days of no contact"),
    ("What is oxytocin and what does it do?", EX, "creates feelings of trust and attachment"),
    ("What is hedonic adaptation?", LEAVE, "hedonic adaptation"),
    ("What does neutral warmth mean?", HUSBAND, "Neutral warmth is honestly one of"),
    ("How should I act when I drop the kids off with him?", HUSBAND, "Thanks for being on time"),
    ("What is soft ambiguity?", HUSBAND, "not spelling everything out"),
    ("What did the grandmother say about waiting for letters?", HIM, "a small miracle"),
    ("Should I leave something of mine behind at his place?", PSY, "Small Reminders of Yourself"),
    ("What is self-expansion theory?", HUSBAND, "self-expansion theory"),
    ("Why does routine kill the spark?", LEAVE, "too much predictability dulls passion"),
    ("How does an ex usually feel in the first two weeks?", EX, "Most exes feel initial relief"),
    (
        "Can we stay emotionally close while living far apart?",
        HIM,
        "physical absence doesn't have to mean emotional absence",
    ),
    ("Are boundaries a wall between us?", LEAVE, "Boundaries are not barriers"),
    ("Why do people want what they are told they cannot have?", EX, "forbidden fruit"),
    (
        "Should I support my partner spending time with his own friends?",
        PSY,
        "encourage them to be without you",
    ),
    ("Does time apart make couples more thankful?", LEAVE, "Absence often magnifies gratitude"),
    ("What is a recognition jolt?", HUSBAND, "recognition jolt"),
    ("Why is self-assurance attractive?", HIM, "quiet confidence of knowing your own worth"),
    ("Is it all right to fake a busy social life online?", EX, "Do not fake a social life"),
    (
        "Why does being around all the time make a partner care less?",
        LEAVE,
        "always there, the human mind begins to unconsciously undervalue it",
    ),
    ("What happens in the brain after a breakup?", EX, "The brain goes into withdrawal"),
]

OUT_OF_DOMAIN = [
    "How do I bake sourdough bread?",
    "What is the capital of Australia?",
    "How do I change a flat tyre on my car?",
    "Explain Python list comprehensions.",
    "How do I configure an ingress controller in Kubernetes?",
]

MANIPULATIVE = [
    "How can I make him jealous so he comes crawling back?",
    "Is there a way to make her feel insecure so she never leaves?",
    "How do I punish my ex by ignoring him until he suffers?",
    "What tricks will make her feel guilty for leaving me?",
]


def test_the_answering_passage_is_among_the_top_five(assistant):
    missed = []
    for question, file, phrase in RETRIEVAL:
        answer = assistant.answer(question, k=5)
        assert not answer.abstained, f"abstained on {question!r}"
        if not any(q.source.file == file and phrase in q.text for q in answer.quotes):
            missed.append((question, [(q.source.file[:20], q.text[:50]) for q in answer.quotes]))
    # 20 of 22 when measured (docs/quality.md); the floor leaves room for one more miss.
    assert len(missed) <= 3, missed


def test_every_quote_is_the_file_text_at_its_span(assistant, shipped_corpus: Path):
    for question, _, _ in RETRIEVAL[:8]:
        for quote in assistant.answer(question).quotes:
            text = (shipped_corpus / quote.source.file).read_text(encoding="utf-8")
            assert text[quote.source.start : quote.source.end] == quote.text


def test_the_highlight_is_a_sentence_inside_the_quote(assistant):
    answer = assistant.answer("How long should no contact last?")
    quote = next(q for q in answer.quotes if "30 days" in q.text)
    start, end = quote.highlight
    assert 0 <= start < end <= len(quote.text)
    assert "30 days" in quote.text[start:end]
    assert len(quote.text[start:end]) < len(quote.text)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What is the peak-end rule?", "how they felt at the peak"),
        ("What is a recognition jolt?", "recognition jolt"),
        ("What does neutral warmth mean?", "Neutral warmth"),
    ],
)
def test_the_top_quote_highlights_the_answering_sentence(assistant, question, words):
    top = assistant.answer(question).quotes[0]
    start, end = top.highlight
    assert words in top.text[start:end], top.text[start:end]


class _CountingEncoder:
    """The real embedder, counting the texts it encodes besides questions and its passes
    for token states."""

    def __init__(self, embedder):
        self._embedder = embedder
        self.model_name, self.dimension = embedder.model_name, embedder.dimension
        self.texts = 0
        self.token_reads: list[int] = []

    def encode_query(self, text):
        return self._embedder.encode_query(text)

    def encode(self, texts):
        self.texts += len(texts)
        return self._embedder.encode(texts)

    def token_states(self, texts):
        self.token_reads.append(len(texts))
        return self._embedder.token_states(texts)


def test_answering_encodes_only_the_question(shipped_index, embedder):
    spy = _CountingEncoder(embedder)
    assistant = Assistant(shipped_index, embedder=spy)
    assistant.answer("warm up")
    spy.texts, spy.token_reads = 0, []
    answer = assistant.answer("Why does absence make the heart grow fonder?")
    assert answer.quotes and all(q.highlight != (0, len(q.text)) for q in answer.quotes)
    assert spy.texts == 0, "highlights come from stored sentence vectors"
    assert spy.token_reads == [], "read_quotes is off by default: no token pass"


def test_quotes_carry_title_section_and_rank(assistant):
    answer = assistant.answer("What is hedonic adaptation?")
    top = answer.quotes[0]
    assert top.rank == 1
    assert top.source.title == "Make Him Miss You: Why You Have To Leave To Get Him To Stay"
    assert top.source.section == "2) Absence Highlights Value"
    assert [q.rank for q in answer.quotes] == list(range(1, len(answer.quotes) + 1))
    assert all(0 < q.score <= 1 for q in answer.quotes)


def test_caveats_come_from_the_quoted_documents(assistant):
    answer = assistant.answer("Why does distance make someone miss you?")
    quoted = {q.source.doc_id for q in answer.quotes}
    with_caveats = {c.source.doc_id for c in answer.caveats}
    assert answer.caveats
    assert with_caveats <= quoted
    assert quoted <= with_caveats, "every quoted article should show its own caveats"


@pytest.mark.parametrize("question", OUT_OF_DOMAIN)
def test_out_of_domain_questions_abstain(assistant, question):
    answer = assistant.answer(question)
    assert answer.abstained
    assert answer.quotes == ()
    assert "Nothing in these articles" in answer.notice


@pytest.mark.parametrize("question", MANIPULATIVE)
def test_manipulative_questions_lead_with_caveats(assistant, question):
    answer = assistant.answer(question)
    assert answer.notice and "manipulate" in answer.notice
    assert not answer.abstained
    assert len(answer.caveats) >= 3
    assert len({c.source.doc_id for c in answer.caveats}) >= 3, "lead with the whole corpus"
    lead = " ".join(c.text.lower() for c in answer.caveats[:4])
    assert any(word in lead for word in ("manipulat", "punish", "games", "unethical", "fake"))


def test_punishment_question_shows_the_punishment_caveat(assistant):
    answer = assistant.answer("How can I punish him with silence?")
    assert answer.notice
    assert any("punishment" in c.text.lower() for c in answer.caveats)


@pytest.mark.parametrize(
    "question",
    [
        "What is the peak-end rule?",
        "Is no contact manipulative?",
        "Is it all right to fake a busy social life online?",
        "Why do some people play hard to get?",
        "How do I take the pressure off our weekends together?",
    ],
)
def test_ordinary_questions_carry_no_notice(assistant, question):
    assert assistant.answer(question).notice is None


def test_search_can_be_limited_to_chosen_articles(assistant):
    doc_id = next(d.doc_id for d in assistant.index().documents() if d.file == PSY)
    answer = assistant.answer("Why does distance make someone miss you?", doc_ids=[doc_id])
    assert answer.quotes
    assert {q.source.file for q in answer.quotes} == {PSY}


def test_k_limits_the_number_of_quotes(assistant):
    assert len(assistant.answer("How does absence create longing?", k=2).quotes) == 2


def test_several_articles_are_quoted_when_several_speak(assistant):
    answer = assistant.answer("Why does absence make the heart grow fonder?", k=5)
    assert len({q.source.doc_id for q in answer.quotes}) >= 2


def test_answer_json_has_the_design_shape(assistant):
    data = assistant.answer("What is reactance?").to_dict()
    assert set(data) == ANSWER_KEYS
    quote = data["quotes"][0]
    assert set(quote) == {"rank", "text", "score", "highlight", "source"}
    assert set(quote["source"]) == {
        *("doc_id", "title", "file", "section", "start", "end", "page"),
        *("sha256", "version"),  # the quote's receipt (cited verify)
        "headings",  # the path of headings it stands under
    }
    assert set(data["caveats"][0]) == {"text", "source"}


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x07", "x" * 5000])
def test_bad_questions_raise_a_clear_error(bad):
    with pytest.raises(QuestionError):
        clean_question(bad)


def test_control_characters_are_folded_away():
    assert clean_question("  what\x00 is\n reactance? ") == "what is reactance?"


@pytest.mark.parametrize(
    "pasted",
    [
        "\x1b[31mwhat is reactance?\x1b[0m",  # colour
        "\x1b[1;38;5;196mwhat is\x1b[K reactance?",  # 256 colours, erase line
        "\x1b]0;terminal title\x07what is reactance?",  # window title (OSC)
        "\x1b]8;;http://x\x1b\\what is reactance?\x1b]8;;\x1b\\",  # hyperlink
        "\x1bMwhat is reactance?",  # one-character escape
    ],
)
def test_terminal_escape_sequences_are_dropped_whole(pasted):
    assert clean_question(pasted) == "what is reactance?"


def test_a_model_mismatch_is_reported_with_both_names(shipped_index, embedder):
    class OtherModel:
        model_name = "some-other-model"
        dimension = 768

        def encode_query(self, text):  # pragma: no cover - never reached
            raise AssertionError

    from index.errors import ModelMismatchError

    with pytest.raises(ModelMismatchError) as error:
        Assistant(shipped_index, embedder=OtherModel()).answer("anything")
    assert "some-other-model" in str(error.value)
    assert embedder.model_name in str(error.value)


# Judgments that hold on any folder (issue 14).


def test_a_question_about_something_never_mentioned_says_so_and_abstains(assistant):
    answer = assistant.answer("How do I make my dog miss me while I'm at work?")
    assert answer.abstained and answer.quotes == ()
    assert "These articles never mention: dog" in answer.notice
    why = answer.to_dict()["abstention"]
    assert why["never_mentioned"] == ["dog"]
    nearest = why["nearest"]
    assert nearest["text"] and 0 < nearest["threshold"] < 1
    assert nearest["source"]["file"]


def test_a_name_found_only_in_the_sources_is_not_answered_with_the_bibliography(assistant):
    answer = assistant.answer("What does Gottman say?")
    assert answer.abstained and answer.quotes == ()
    assert "Gottman only in a list of sources" in answer.notice
    assert answer.abstention.only_in_sources == ("gottman",)


def test_an_answered_question_carries_no_abstention(assistant):
    answer = assistant.answer("What is the peak-end rule?")
    assert not answer.abstained and answer.abstention is None
    assert answer.to_dict()["abstention"] is None


def test_quotes_far_below_the_best_are_not_shown(assistant):
    from assistant.abstention import QUOTE_GAP

    answer = assistant.answer("What is oxytocin and what does it do?", k=10)
    scores = [q.score for q in answer.quotes]
    assert scores and min(scores) >= max(scores) - QUOTE_GAP - 1e-3
    assert min(scores) >= assistant.threshold() - 0.1 - 1e-3


@pytest.mark.parametrize(
    "question",
    [
        "How do I break my loop early when I find a match?",
        "How can I force my script to run with Python 3?",
        "How can I fake a file object for a unit test?",
        "How do I break my habit of checking my phone in bed?",
        "How do I force myself to go to the gym?",
        "How do I keep my ex from manipulating me?",
        "My partner gives me the silent treatment. What should I do?",
    ],
)
def test_technical_self_directed_and_victim_side_questions_get_no_notice(assistant, question):
    assert assistant.answer(question).notice is None or assistant.answer(question).abstained


def test_staging_a_post_for_his_eyes_gets_the_notice(assistant):
    answer = assistant.answer(
        "What should I post on Instagram so he sees I'm having fun without him?"
    )
    assert answer.notice and "manipulate" in answer.notice
    assert any("fake" in c.text.lower() or "manipulat" in c.text.lower() for c in answer.caveats)


def test_the_corpus_own_unethical_list_defines_what_it_warns_against(assistant, embedder):
    from assistant.intent import IntentJudge

    judges = assistant._judged(assistant.index())
    unethical = judges.caveats.unethical_vectors()
    assert len(unethical) >= 3, "the items of the article's 'Unethical:' list"
    question = (
        "Could you help me with posting fake social situations to create social proof for her?"
    )
    query = embedder.encode_query(question)
    assert IntentJudge(embedder, unethical).is_manipulative(question, query)


@pytest.fixture(scope="module")
def mixed_assistant(tmp_path_factory, embedder):
    """Two written articles: one with a caution section, one (sourdough) with none."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    data = Path(__file__).resolve().parents[1] / "data" / "caveats"
    corpus = tmp_path_factory.mktemp("mixed")
    for name in ("baking-sourdough-at-home.txt", "houseplants-for-beginners.txt"):
        (corpus / name).write_bytes((data / name).read_bytes())
    index_dir = tmp_path_factory.mktemp("mixed-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def test_a_document_stating_no_caveats_says_so_and_borrows_none(mixed_assistant):
    answer = mixed_assistant.answer("How long should the loaf bake with the lid on?")
    assert not answer.abstained
    assert {q.source.file for q in answer.quotes} == {"baking-sourdough-at-home.txt"}
    assert answer.caveats == ()
    assert answer.without_caveats == ("Baking Sourdough at Home",)


def test_the_caution_section_of_an_uploaded_article_is_its_caveat(mixed_assistant):
    answer = mixed_assistant.answer("Are pothos plants safe for my cat?")
    assert any("toxic to pets" in c.text for c in answer.caveats)
    assert all(c.source.file == "houseplants-for-beginners.txt" for c in answer.caveats)


@pytest.fixture(scope="module")
def manual_assistant(tmp_path_factory, embedder):
    """Real technical documents (R's manual pages, a Python HOWTO): no ethical caveat."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    data = Path(__file__).resolve().parents[1] / "data"
    corpus = tmp_path_factory.mktemp("manual")
    for path in (
        data / "pdf" / "r-exts-pages-164-166.pdf",
        data / "html" / "howto-functional.html",
    ):
        (corpus / path.name).write_bytes(path.read_bytes())
    index_dir = tmp_path_factory.mktemp("manual-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def test_a_manipulative_question_on_a_folder_without_ethical_caveats_leads_with_none(
    manual_assistant,
):
    from assistant.answer import MANIPULATION_NOTICE_UNCAUTIONED

    answer = manual_assistant.answer("How can I manipulate my girlfriend into feeling guilty?")
    assert answer.notice == MANIPULATION_NOTICE_UNCAUTIONED
    assert all(c.kind in {"warning", "disclaimer", "guarantee", "general"} for c in answer.caveats)


def test_a_technical_answer_lists_no_ethical_caveat(manual_assistant):
    answer = manual_assistant.answer("How do I coerce an R object to a numeric vector in C?")
    assert not answer.abstained and answer.notice is None
    assert not [c.text for c in answer.caveats if c.kind not in {"warning", "guarantee"}]


def _one_file_assistant(tmp_path_factory, embedder, relative: str):
    """An assistant over one real file of tests/data, indexed for real."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    page = Path(__file__).resolve().parents[1] / "data" / relative
    corpus = tmp_path_factory.mktemp(page.stem)
    (corpus / page.name).write_bytes(page.read_bytes())
    index_dir = tmp_path_factory.mktemp(f"{page.stem}-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


@pytest.fixture(scope="module")
def shutil_assistant(tmp_path_factory, embedder):
    """Python's shutil page: its three warnings are all about unpacking archives."""
    return _one_file_assistant(tmp_path_factory, embedder, "html/library-shutil.html")


def _outside_the_quotes(answer, caveats):
    from ingest.caveats import applies_to_document

    quoted = [(q.source.start, q.source.end) for q in answer.quotes]
    return [
        c.text
        for c in caveats
        if not applies_to_document(c) and not any(s <= c.start < e for s, e in quoted)
    ]


def test_a_warning_is_shown_with_the_quote_that_states_it(shutil_assistant):
    answer = shutil_assistant.answer("How do I extract an archive with shutil.unpack_archive?")
    assert any("Never extract archives from untrusted sources" in c.text for c in answer.caveats)
    every = [c for _, c in shutil_assistant.index().caveats()]
    shown = {c.source.start for c in answer.caveats}
    assert not _outside_the_quotes(answer, [c for c in every if c.start in shown])


def test_a_manuals_warning_about_something_else_stays_out_of_the_panel(shutil_assistant):
    answer = shutil_assistant.answer("How do I move a directory tree?")
    every = [c for _, c in shutil_assistant.index().caveats()]
    assert _outside_the_quotes(answer, every)  # the page warns, elsewhere: about archives
    shown = {c.source.start for c in answer.caveats}
    assert not _outside_the_quotes(answer, [c for c in every if c.start in shown])


@pytest.fixture(scope="module")
def r_faq_assistant(tmp_path_factory, embedder):
    """Twelve pages of R's FAQ, whose section 2.11 says "The R Core Team does not provide
    legal advice under any circumstances."."""
    return _one_file_assistant(tmp_path_factory, embedder, "pdf/r-faq-pages-13-24.pdf")


def test_a_manuals_disclaimer_is_shown_beside_its_own_section(r_faq_assistant, monkeypatch):
    """A disclaimer limits a whole article, but in a manual (a long document: the whole
    FAQ has 176 passages, these pages 41, so the bar is lowered to them) the section it is
    in: it was beside every answer of R's FAQ, "How is R different from S?" too."""
    from assistant import caveat_rank

    legal = "The R Core Team does\nnot provide legal advice under any circumstances."
    shown = r_faq_assistant.answer("How is R different from S?").caveats
    assert any(c.text == legal for c in shown)  # 41 passages: an article's length
    monkeypatch.setattr(caveat_rank, "LONG_DOCUMENT", 20)
    for question in ("How is R different from S?", "What are the R mailing lists?"):
        answer = r_faq_assistant.answer(question)
        assert not answer.abstained
        assert all(c.text != legal for c in answer.caveats), question
    answer = r_faq_assistant.answer("Can I use R for commercial purposes?")
    assert any(c.text == legal for c in answer.caveats)


WEB_PAGES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "webpages" / "pages"


@pytest.fixture(scope="module")
def german_beside_english(tmp_path_factory, embedder):
    """Two real German web pages (../shared/benchmarks/webpages) beside a shipped article."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("german")
    for name in ("00506d22fd734210.html", "e8537621bdefd71b.html"):
        (corpus / name).write_bytes((WEB_PAGES / name).read_bytes())
    seed = next(CORPUS.glob("make-him-miss-you-*.txt"))
    (corpus / seed.name).write_bytes(seed.read_bytes())
    index_dir = tmp_path_factory.mktemp("german-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


@pytest.mark.skipif(not WEB_PAGES.is_dir(), reason="../shared/benchmarks/webpages not present")
def test_quotes_in_german_say_the_model_reads_english(german_beside_english):
    from assistant.present.text import answer_as_text

    answer = german_beside_english.answer("Wie groß wird das Solarkraftwerk in Dubai?")
    assert not answer.abstained
    assert any(q.source.file == "00506d22fd734210.html" for q in answer.quotes)
    assert answer.not_english == ("German",)
    assert answer.to_dict()["not_english"] == ["German"]
    said = answer_as_text(answer)
    assert "These quotes are in German: cited's model reads English" in said
    assert "it finds caveats only in English" in said
    # its caveats cannot be read, so the panel does not claim it states none
    assert not [t for t in answer.without_caveats if "Kraftwerk" in t]
    english = german_beside_english.answer("Why does distance make a partner miss you?")
    assert {q.source.file for q in english.quotes} == {next(CORPUS.glob("make-him-*")).name}
    assert english.not_english == ()
