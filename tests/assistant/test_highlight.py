"""The highlight: the answering sentence, with the sentence it cannot be read without.

Unit tests pin how sentences group into answer units; the integration tests index real
articles with the real model and check that the highlight hands over from the sentence
that echoes the question to the one that answers it, and that reading the quotes in
context (`highlight_context`) finds the answer the stored sentence vectors miss.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant import highlight, highlight_context
from assistant.answer import Assistant
from assistant.highlight import answer_units, highlights, uncertain

CATS = """\
# Why cats knead

Many owners wonder why cats knead soft blankets with their front paws.
They knead because as kittens they pressed their mother's belly for milk, a habit kept for life.
Some cats also drool a little while they do it.

# Cleaning the cache of the cachetool program

The cache grows with every build and is never trimmed by itself.
To remove every cached file at once, run the following command:

    cachetool purge --all --older-than 0 --yes --quiet

A purge takes a few seconds on a large cache.

# Gloaming walks

Readers ask us what a gloaming walk is almost every week.
A gloaming walk is a slow stroll taken at dusk, while the light fades and the birds go quiet.
We recommend one after a long day indoors.
"""


class TestAnswerUnits:
    def test_a_sentence_that_points_back_joins_the_one_it_continues(self) -> None:
        texts = ["The best hosts never chase their guests.", "They are too busy cooking."]
        assert answer_units(texts) == [(0, 1)]

    @pytest.mark.parametrize("opening", ["This", "These", "It", "But", "Instead,", "“They"])
    def test_each_backward_opening_joins(self, opening: str) -> None:
        assert answer_units(["A plain statement here.", f"{opening} goes on."]) == [(0, 1)]

    def test_a_setup_ending_in_a_colon_joins_its_completion(self) -> None:
        texts = ["Run the following command:", "tool purge --all", "A purge is quick."]
        assert answer_units(texts) == [(0, 1), (2,)]

    def test_independent_sentences_stay_alone_and_a_unit_holds_two_at_most(self) -> None:
        texts = ["Cats knead.", "Thistles grow in June.", "They flower.", "It rains.", "So?"]
        assert answer_units(texts) == [(0,), (1, 2), (3, 4)]
        assert answer_units([]) == []

    def test_a_sentence_that_opens_a_paragraph_starts_a_unit_whatever_its_opener(self) -> None:
        texts = ["The grid cut power on Friday.", "But experts were bewildered.", "They said so."]
        assert answer_units(texts) == [(0, 1), (2,)]
        assert answer_units(texts, [False, True, False]) == [(0,), (1, 2)]

    def test_paragraph_openings_are_the_sentences_after_a_blank_line(self) -> None:
        text = "One here. Two here.\n\nThree here.\nFour here."
        spans = [(0, 9), (10, 19), (21, 32), (33, 43)]
        assert highlight.paragraph_openings(text, spans) == [False, False, True, False]


class TestTheAnsweringItemOfAList:
    """A setup that introduces a list ("…have an additional suffix:") says what the list
    answers; the highlight goes to the item that answers it, not to the first item."""

    TEXT = (
        "Versions have a suffix:\n\n- The suffix for an alpha is aN.\n\n"
        "- The suffix for a release candidate is rcN.\n\nOther text follows."
    )

    def spans(self) -> list[tuple[int, int]]:
        starts = [
            self.TEXT.index(t)
            for t in ("Versions", "The suffix for an", "The suffix for a r", "Other")
        ]
        ends = [self.TEXT.index(":") + 1, *(self.TEXT.index(".", a) + 1 for a in starts[1:])]
        return list(zip(starts, ends, strict=True))

    def best(self, scores: list[float], weights: dict[str, float]) -> str:
        spans = self.spans()
        start, end = highlight._best_unit(self.TEXT, spans, np.asarray(scores), weights)
        return self.TEXT[start:end]

    def test_the_item_holding_the_question_words_wins_over_the_first(self) -> None:
        weights = {"suffix": 1.0, "releas": 2.0, "candid": 2.0}
        assert (
            self.best([0.9, 0.5, 0.5, 0.1], weights) == "The suffix for a release candidate is rcN."
        )

    def test_the_setup_keeps_its_first_item_when_no_item_says_more(self) -> None:
        found = self.best([0.9, 0.5, 0.5, 0.1], {"suffix": 1.0})
        assert found.startswith("Versions have a suffix:") and found.endswith("aN.")

    def test_an_item_that_scores_best_itself_is_not_moved(self) -> None:
        weights = {"suffix": 1.0, "releas": 2.0, "candid": 2.0}
        found = self.best([0.5, 0.9, 0.4, 0.1], weights)
        assert found.endswith("The suffix for an alpha is aN.")

    def test_a_setup_followed_by_prose_is_one_unit_with_it(self) -> None:
        text = "Run the following command:\n\ntool purge --all\n\nA purge is quick."
        spans = [(0, 26), (28, 44), (46, 63)]
        start, end = highlight._best_unit(text, spans, np.asarray([0.9, 0.2, 0.1]), {"purg": 1.0})
        assert text[start:end] == "Run the following command:\n\ntool purge --all"


class TestAPointerIsNoAnswer:
    @pytest.mark.parametrize(
        "sentence",
        [
            "Section 2.10 [What is CRAN?], page 9).",
            "See Section 7.31 [Why doesn’t R think these\nnumbers are equal?], page 37, for more"
            " details.",
            "See Section C.3 [macOS], page 66, and Section C.3.7 [Java (macOS)], page 70.",
        ],
    )
    def test_a_bare_cross_reference_scores_as_a_heading(self, sentence: str) -> None:
        assert highlight.bonus_parts(None, sentence, {"cran": 1.0})[2] == 1.0

    def test_a_sentence_that_says_something_besides_its_reference_is_an_answer(self) -> None:
        sentence = (
            "CRAN mirrors carry the same packages everywhere; see Section 2.10 "
            "[What is CRAN?], page 9, for the list of mirrors."
        )
        assert highlight.bonus_parts(None, sentence, {"cran": 1.0})[2] == 0.0


@pytest.fixture(scope="module")
def r_faq_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    """The first ten pages of the R FAQ (tests/data/pdf), whose cross-references name the
    questions they point to ("Section 2.10 [What is CRAN?], page 9")."""
    from pathlib import Path

    from ingest.pipeline import build_index

    pdf = Path(__file__).resolve().parents[1] / "data" / "pdf" / "r-faq-pages-1-10.pdf"
    corpus = tmp_path_factory.mktemp("r-faq")
    (corpus / pdf.name).write_bytes(pdf.read_bytes())
    index_dir = tmp_path_factory.mktemp("r-faq-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


@pytest.mark.parametrize("question", ["What is CRAN?", "What are the differences between R and S?"])
def test_the_highlight_is_never_a_pointer_to_the_question_asked(
    r_faq_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    def pointers() -> list[str]:
        quotes = r_faq_assistant.answer(question).quotes
        marked = [q.text[q.highlight[0] : q.highlight[1]] for q in quotes]
        # a cross-reference and at most a few words besides the title it cites
        return [
            m for m in marked if "], page" in m and len(re.sub(r"\[[^]]*\]", "", m).split()) <= 10
        ]

    assert not pointers()
    monkeypatch.setattr(highlight, "_is_pointer", lambda sentence: False)
    # without the rule the cited title's echo wins (shown bare: its neighbour left out)
    monkeypatch.setattr(highlight, "_with_the_neighbour_of_an_echo", lambda t, s, unit, *a: unit)
    assert pointers()


class TestWhenToReadInContext:
    """The model pass is paid only when the cheap score cannot tell the best unit."""

    TEXTS = ("Cats knead.", "Thistles grow in June.", "Rain falls often.")

    def test_a_clear_best_unit_is_not_read(self) -> None:
        assert not uncertain(self.TEXTS, np.asarray([0.9, 0.5, 0.2]), margin=0.05)

    def test_two_units_within_the_margin_are_read(self) -> None:
        assert uncertain(self.TEXTS, np.asarray([0.62, 0.6, 0.2]), margin=0.05)

    def test_a_sentence_and_the_one_it_continues_are_one_unit_not_two_rivals(self) -> None:
        texts = ["The best hosts never chase their guests.", "They are too busy cooking."]
        assert not uncertain(texts, np.asarray([0.6, 0.6]), margin=0.05)

    def test_a_heading_that_wins_is_read(self) -> None:
        texts = ["Why cats knead", "Cats knead.", "Thistles grow in June."]
        assert uncertain(texts, np.asarray([0.9, 0.3, 0.1]), margin=0.05)


@pytest.fixture(scope="module")
def article_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("highlight-corpus")
    (corpus / "household-notes.md").write_text(CATS, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("highlight-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def _highlighted(assistant: Assistant, question: str, marker: str) -> str:
    """The highlight `highlights` picks in the passage holding `marker`."""
    loaded = assistant.index()
    ids = loaded.passage_ids_for_docs([d.doc_id for d in loaded.documents()])
    pid, passage = next(
        (int(i), p) for i, p in zip(ids, loaded.passages(ids), strict=True) if marker in p.text
    )
    query = assistant.embedder.encode_query(question)
    [(start, end)] = highlights(loaded, assistant.embedder, [(pid, passage)], question, query)
    return passage.text[start:end]


def _closest_sentence(assistant: Assistant, question: str, marker: str) -> str:
    """The single sentence unit of that passage whose vector is closest to the question."""
    loaded = assistant.index()
    ids = loaded.passage_ids_for_docs([d.doc_id for d in loaded.documents()])
    pid, passage = next(
        (int(i), p) for i, p in zip(ids, loaded.passages(ids), strict=True) if marker in p.text
    )
    rows, _ = loaded.sentence_rows([pid])
    cosines = loaded.sentence_vectors(rows.tolist()) @ assistant.embedder.encode_query(question)
    start, end = loaded.sentence_span(int(rows[int(np.argmax(cosines))]))
    return passage.text[start:end]


class TestOnARealArticle:
    def test_the_echo_of_a_why_question_hands_over_to_its_cause(self, article_assistant) -> None:
        question = "Why do cats knead blankets?"
        # The sentence closest in meaning only restates the question...
        assert "wonder why" in _closest_sentence(article_assistant, question, "knead")
        # ...so the highlight carries on to the sentence that answers it.
        highlight = _highlighted(article_assistant, question, "knead")
        assert "because as kittens they pressed" in highlight
        assert "drool" not in highlight

    def test_a_setup_ending_in_a_colon_brings_the_command_it_introduces(
        self, article_assistant
    ) -> None:
        highlight = _highlighted(article_assistant, "How do I remove every cached file?", "purge")
        assert "run the following command:" in highlight
        assert "cachetool purge --all --older-than 0" in highlight
        assert "takes a few seconds" not in highlight

    def test_a_what_is_question_picks_the_defining_sentence(self, article_assistant) -> None:
        highlight = _highlighted(article_assistant, "What is a gloaming walk?", "gloaming")
        assert highlight.startswith("A gloaming walk is a slow stroll taken at dusk")
        assert "Readers ask" not in highlight


def test_on_the_shipped_articles_the_answer_after_the_echo_is_highlighted(assistant) -> None:
    answer = assistant.answer("Do the most magnetic people try hard to be missed?")
    top = answer.quotes[0]
    start, end = top.highlight
    assert "too busy pursuing their passions" in top.text[start:end]


def test_the_highlight_maps_into_the_document_for_the_read_view(assistant) -> None:
    """The Read view marks source.start + highlight in the article: it must be the same text."""
    answer = assistant.answer("What do psychologists recommend to make someone miss you?")
    for quote in answer.quotes:
        document = assistant.index().document(quote.source.doc_id)
        assert document is not None
        start, end = quote.highlight
        offset = quote.source.start
        assert document.text[offset + start : offset + end] == quote.text[start:end]
        assert quote.text[start:end].strip() == quote.text[start:end]


def test_read_in_context_the_cause_beats_the_echo_of_a_why_question(reading, monkeypatch) -> None:
    # What reading in context finds, whatever the gate would decide for this question.
    monkeypatch.setattr(highlight, "READ_MARGIN", 10.0)
    question = "Why do people care less about someone who is always available?"
    # By stored vectors alone the echo of the question wins ("being available 24/7")...
    echo = _closest_sentence(reading, question, "Over-availability can reduce excitement")
    assert "available 24/7" in echo
    # ...read in its passage, the sentence that gives the cause does.
    top = reading.answer(question).quotes[0]
    start, end = top.highlight
    assert "because it removes the sense of anticipation" in top.text[start:end]
    assert "available 24/7" not in top.text[start:end]


def test_contextual_scores_rank_the_answer_first_and_skip_what_the_model_cannot_read(
    embedder,
) -> None:
    text = (
        "Many owners wonder why cats knead soft blankets. "
        "They do it because as kittens they pressed their mother's belly for milk. "
        "The weather was mild that spring. " + "More words follow here. " * 80
    )
    spans = [(0, 48), (49, 122), (123, 156), (len(text) - 24, len(text))]
    question = "Why do cats knead?"
    shown = embedder.encode([text, "Dogs bark at the postman."])
    [scores] = highlight_context.contextual_scores(
        embedder, question, embedder.encode_query(question), [(text, spans)], shown
    )
    assert scores.shape == (4,)
    assert scores[1] > scores[2] and scores[0] > scores[2]
    assert scores[3] == 0.0  # past the token limit: no evidence, not a guess


@pytest.fixture(scope="module")
def reading(shipped_index, embedder) -> Assistant:
    """The shipped index answered with read_quotes on (off by default: docs/quality.md)."""
    from assistant.answer import AnswerSettings

    return Assistant(shipped_index, embedder=embedder, settings=AnswerSettings(read_quotes=True))


def _counting_token_states(embedder, monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = embedder.token_states

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "token_states", counting)
    return calls


def test_an_uncertain_answer_makes_one_model_call_over_the_question_and_first_quote(
    reading, monkeypatch
) -> None:
    calls = _counting_token_states(reading.embedder, monkeypatch)
    # The first quote's best two units are within the margin by stored vectors alone...
    question = "What goes wrong with too much togetherness, or too much distance?"
    answer = reading.answer(question)
    assert len(answer.quotes) > 1
    assert calls == [[question, answer.quotes[0].text]]
    # ...and read in context, the sentence that says what goes wrong wins over the setup.
    start, end = answer.quotes[0].highlight
    assert "emotional suffocation" in answer.quotes[0].text[start:end]


def test_a_confident_answer_makes_no_model_call(reading, monkeypatch) -> None:
    calls = _counting_token_states(reading.embedder, monkeypatch)
    for question in (
        "What do psychologists recommend to make someone miss you?",
        "Do the most magnetic people try hard to be missed?",
    ):
        answer = reading.answer(question)
        assert answer.quotes and not answer.abstained
    assert calls == []
    start, end = answer.quotes[0].highlight
    assert "too busy pursuing their passions" in answer.quotes[0].text[start:end]


def test_by_default_no_model_call_is_made_even_when_uncertain_and_highlights_stay_sentences(
    assistant, monkeypatch
) -> None:
    def refuse(texts):  # pragma: no cover - reached only if the setting is ignored
        raise AssertionError("read_quotes is off by default: the quotes must not be read")

    monkeypatch.setattr(assistant.embedder, "token_states", refuse)
    answer = assistant.answer("What goes wrong with too much togetherness, or too much distance?")
    assert len(answer.quotes) > 1
    assert all(0 <= q.highlight[0] < q.highlight[1] <= len(q.text) for q in answer.quotes)
    answer = assistant.answer("Do the most magnetic people try hard to be missed?")
    start, end = answer.quotes[0].highlight
    assert "too busy pursuing their passions" in answer.quotes[0].text[start:end]


WEB_PAGES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "webpages" / "pages"
#: A real recipe page (../shared/benchmarks/webpages): "Buckeyes are actually super
#: similar to chocolate peanut butter balls, with just one difference." echoes the
#: question and the next sentence says the difference.
TRUFFLES = "853d7742d581e240.html"


@pytest.fixture(scope="module")
def recipe_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    from ingest.pipeline import build_index

    if not WEB_PAGES.is_dir():
        pytest.skip("../shared/benchmarks/webpages not present")
    corpus = tmp_path_factory.mktemp("recipe-corpus")
    shutil.copy(WEB_PAGES / TRUFFLES, corpus / TRUFFLES)
    index_dir = tmp_path_factory.mktemp("recipe-index")
    build_index(corpus, index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def test_a_sentence_that_echoes_the_question_brings_the_one_after_it(recipe_assistant) -> None:
    question = "What makes a buckeye different from a regular chocolate peanut butter ball?"
    highlight = _highlighted(recipe_assistant, question, "with just one difference")
    assert highlight.startswith("Buckeyes are actually super similar")
    assert "only coated" in highlight


def test_a_paragraph_opening_with_but_keeps_the_answer_that_follows_it() -> None:
    """As on the blackouts page of the web set (its tune question "Why do some energy
    experts think the California blackouts were unnecessary?"): joined to the paragraph
    before by its "But", the best sentence rode on the weather, and the next one, which
    answers, was left out."""
    text = (
        "As temperatures rose on Friday, the grid's manager cut power to customers.\n\n"
        "But the blackouts left some energy experts bewildered. "
        "They said that the utilities had plenty of power available."
    )
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n.]+\.", text)]
    start, end = highlight._best_unit(text, spans, np.asarray([0.2, 0.7, 0.6]), {"x": 1.0})
    assert text[start:end] == text[spans[1][0] : spans[2][1]]


@pytest.mark.parametrize(
    ("question", "echo", "answer"),
    [
        (
            "How does empathy make someone feel my absence?",
            "Demonstrating empathy and understanding",
            "the comfort and security that your understanding provides will be missed",
        ),
        (
            "I'm about to send a third text in a row; what should I ask myself first?",
            "send that third text in a row",
            "Am I acting from a place of confidence and self-respect",
        ),
    ],
)
def test_an_echo_holding_the_question_among_many_words_of_its_own_brings_the_next(
    assistant, question: str, echo: str, answer: str
) -> None:
    """Under a third of these echoes' words are the question's, so the share of its words
    alone would keep them bare; they hold most of what the question asks (its key words,
    by rarity), which `echo_share` counts too."""
    quote = next(q for q in assistant.answer(question).quotes if echo in q.text)
    start, end = quote.highlight
    highlighted = quote.text[start:end]
    assert echo in highlighted
    assert answer in highlighted
    assert len(highlight.sentence_spans(highlighted)) <= 2


@pytest.fixture(scope="module")
def python_docs_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    from ingest.pipeline import build_index

    index_dir = tmp_path_factory.mktemp("highlight-python-docs")
    build_index(Path(__file__).resolve().parents[1] / "data" / "python-docs", index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def _highlight_of_quote_with(assistant: Assistant, question: str, echo: str) -> str:
    """The highlighted text of the first quote of `question`'s answer holding `echo`."""
    quote = next(q for q in assistant.answer(question).quotes if echo in q.text)
    return quote.text[quote.highlight[0] : quote.highlight[1]]


@pytest.mark.parametrize(
    ("corpus", "question", "echo", "answer"),
    [
        (
            "python",
            "Why is the language called Python?",
            "so he decided to call the language Python",
            "Monty Python’s Flying Circus",
        ),
        (
            "shipped",
            "Is love about being there every second?",
            "Being there every second of the day may feel safe",
            "Love is not about constant presence",
        ),
    ],
)
def test_an_echo_that_concludes_brings_the_answer_before_it(
    request: pytest.FixtureRequest, corpus: str, question: str, echo: str, answer: str
) -> None:
    """These echoes follow their answer in the paragraph; taking the sentence after them,
    as an echo that introduces does, highlighted what comes next instead."""
    fixture = "python_docs_assistant" if corpus == "python" else "assistant"
    highlighted = _highlight_of_quote_with(request.getfixturevalue(fixture), question, echo)
    assert answer in highlighted
    assert echo in highlighted
    assert len(highlight.sentence_spans(highlighted)) <= 2


def test_an_echo_takes_the_better_scoring_neighbour_of_its_paragraph() -> None:
    text = "A heading\n\nThe cause comes first. The echo of the question. A later remark."
    spans = [(0, 9), (11, 33), (34, 59), (60, 75)]
    weights = {token: 1.0 for token in highlight._tokens("the echo of the question")}
    before = np.asarray([0.0, 0.5, 0.9, 0.3])
    after = np.asarray([0.0, 0.3, 0.9, 0.5])
    assert highlight._best_unit(text, spans, before, weights) == (11, 59)
    assert highlight._best_unit(text, spans, after, weights) == (34, 75)
    # The paragraph's first sentence takes the one after it, whatever the one before scores.
    first = np.asarray([0.0, 0.9, 0.2, 0.1])
    weights = {token: 1.0 for token in highlight._tokens("the cause comes first")}
    assert highlight._best_unit(text, spans, first, weights) == (11, 59)


@pytest.mark.parametrize(
    ("question", "echo", "answer"),
    [
        (
            "What goes wrong with too much togetherness, or too much distance?",
            "Every relationship thrives when partners strike a balance",
            "Too much closeness without space often leads to emotional suffocation",
        ),
        (
            "Does looking after my own health and rest help my relationship?",
            "When you invest in your physical, emotional, and mental health",
            "Self-care is often viewed as a personal wellness practice",
        ),
    ],
)
def test_an_echo_in_other_words_brings_a_neighbour_that_scores_as_well(
    assistant, monkeypatch, question: str, echo: str, answer: str
) -> None:
    """These echoes hold few of the question's words (under `ECHO_SHARE`) but say what it
    asks (stored cosine over `ECHO_COSINE`), and their neighbour, the answer, scores within
    `ECHO_TIE` of them."""

    def highlighted() -> str:
        quote = next(q for q in assistant.answer(question).quotes if echo in q.text)
        return quote.text[quote.highlight[0] : quote.highlight[1]]

    assert echo in highlighted()
    assert answer in highlighted()
    monkeypatch.setattr(highlight, "ECHO_COSINE", 1.01)
    assert answer not in highlighted()


def test_an_echo_in_other_words_stays_alone_when_its_neighbour_scores_far_lower() -> None:
    text = "The first remark here. The echo in other words. The last remark here."
    spans = [(0, 22), (23, 47), (48, 70)]
    weights = {"question": 1.0}  # no sentence holds the question's words
    cosines = np.asarray([0.3, 0.7, 0.5])
    near = np.asarray([0.1, 0.6, 0.55])
    assert highlight._best_unit(text, spans, near, weights, cosines) == (23, 70)
    far = np.asarray([0.1, 0.6, 0.45])
    assert highlight._best_unit(text, spans, far, weights, cosines) == (23, 47)
    assert highlight._best_unit(text, spans, near, weights, cosines - 0.2) == (23, 47)


def test_the_words_that_set_the_scene_weigh_less_than_those_that_ask(
    python_docs_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Some other program put Python on my PC." weighed as much as "How should I remove
    it?", and the highlight went to the sentence about removing Python in general."""
    question = "Some other program put Python on my PC. How should I remove it?"
    answer = "You should use that application’s uninstaller rather than removing Python"

    def highlighted() -> list[str]:
        quotes = python_docs_assistant.answer(question).quotes
        return [q.text[q.highlight[0] : q.highlight[1]] for q in quotes]

    assert any(answer in h for h in highlighted())
    monkeypatch.setattr(highlight, "SCENE_WEIGHT", 1.0)
    monkeypatch.setattr(highlight, "_WEIGHTS", {})  # the weights are memoised
    assert not any(answer in h for h in highlighted())


def test_the_asking_sentence_is_the_last_of_the_question() -> None:
    assert highlight._asking_sentence("It broke. Again! Why?") == "Why?"
    assert highlight._asking_sentence("Why does 3.11.2 differ?") == "Why does 3.11.2 differ?"
    assert highlight._asking_sentence("I'm late; what now?") == "I'm late; what now?"


def test_echo_share_is_the_mean_of_the_sentence_side_and_the_question_side() -> None:
    [empathy], [absence] = (highlight._tokens(word) for word in ("empathy", "absence"))
    weights = {empathy: 3.0, absence: 1.0}
    # "empathy" is 1 of the sentence's 4 kept words and 3 of the question's 4 weight.
    share = highlight.echo_share("Kind empathy builds trust quickly.", weights)
    words = highlight._tokens("Kind empathy builds trust quickly.")
    assert share == pytest.approx((1 / len(words) + 0.75) / 2)


@pytest.mark.parametrize(
    ("question", "cause"),
    [
        (
            "Why does he seem thrown when I no longer fight with him?",
            "that rewriting creates emotional pull because he suddenly feels out of sync",
        ),
        (
            "Why is self-assurance so appealing to a partner?",
            "This confidence is magnetic because it signals",
        ),
    ],
)
def test_a_why_question_highlights_the_sentence_that_gives_the_cause(
    assistant, monkeypatch, question: str, cause: str
) -> None:
    """On the shipped articles: without the cause bonus these highlight what the passage
    retells around the cause ("He's forced to rewrite it: ..."), never the cause itself."""

    def causes_highlighted() -> bool:
        quotes = assistant.answer(question).quotes
        return any(cause in q.text[q.highlight[0] : q.highlight[1]] for q in quotes)

    assert causes_highlighted()
    monkeypatch.setattr(highlight, "CAUSE_WEIGHT", 0.0)
    assert not causes_highlighted()


def test_the_cause_bonus_is_for_why_questions_and_sentences_that_give_a_cause() -> None:
    texts = [["He left because the rent rose.", "He left in May.", "It was due to rain."]]
    [why] = highlight.cause_bonuses("Why did he leave?", texts)
    [when] = highlight.cause_bonuses("When did he leave?", texts)
    assert why.tolist() == pytest.approx([highlight.CAUSE_WEIGHT, 0.0, highlight.CAUSE_WEIGHT])
    assert when.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("question", "echo", "answer"),
    [
        (
            "What was the title of the very first paper written about Python?",
            "The very first article about Python was written in 1991",
            "Interactively Testing Remote Servers Using the Python Programming Language",
        ),
        (
            "Why is it difficult to get an exact count of how many people use Python?",
            "There are probably millions of users, though it’s difficult to obtain an exact count",
            "Python is available for free download, so there are no sales figures",
        ),
    ],
)
def test_an_echo_that_is_a_paragraph_of_its_own_brings_the_next_paragraph(
    python_docs_assistant: Assistant, question: str, echo: str, answer: str
) -> None:
    """Python's FAQ answers in a paragraph after a one-sentence paragraph that repeats
    the question; with the neighbour sought in the echo's paragraph only, the highlight
    stopped at the echo (`highlight.LEAD_IN` off)."""
    highlighted = _highlight_of_quote_with(python_docs_assistant, question, echo)
    assert echo in highlighted
    assert answer in highlighted
    assert len(highlight.sentence_spans(highlighted)) <= 2


def test_a_lead_in_never_brings_a_heading_nor_joins_list_items() -> None:
    weights = {token: 1.0 for token in highlight._tokens("the echo of the question")}
    scores = np.asarray([0.9, 0.3])
    for text, spans, expected in [
        ("The echo of the question.\n\nThe answer follows here.", [(0, 25), (27, 51)], (0, 51)),
        ("The echo of the question.\n\nA Heading\n\nThe answer.", [(0, 25), (27, 36)], (0, 25)),
        ("- The echo of the question.\n\n- The next item here.", [(2, 27), (31, 50)], (2, 27)),
    ]:
        assert highlight._best_unit(text, spans, scores, weights) == expected, text


#: Python's FAQ: "If you find Python installed on your system but don't remember
#: installing it, there are several possible ways it could have gotten there." and then
#: a list of the ways (tests/data/python-docs/faq-installed.html).
SEVERAL_WAYS = "there are several possible ways it could have gotten there"


@pytest.mark.parametrize(
    "question",
    [
        "How could Python be on my computer if I never installed it?",
        "Python is on my PC but I don't remember installing it. Where did it come from?",
    ],
)
def test_a_sentence_announcing_a_list_hands_the_highlight_to_an_item(
    python_docs_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    """The announcement echoes the question and says only that the list answers it; one of
    the ways listed is the answer."""
    highlighted = _highlight_of_quote_with(python_docs_assistant, question, SEVERAL_WAYS)
    assert SEVERAL_WAYS not in highlighted
    assert "installed it" in highlighted or "Python installation" in highlighted
    monkeypatch.setattr(highlight, "INTRODUCES_LISTS", False)
    assert SEVERAL_WAYS in _highlight_of_quote_with(python_docs_assistant, question, SEVERAL_WAYS)


def _spans_of(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    """The span of each sentence in `text`, in order."""
    spans, at = [], 0
    for sentence in sentences:
        start = text.index(sentence, at)
        spans.append((start, start + len(sentence)))
        at = start + len(sentence)
    return spans


@pytest.mark.parametrize(
    "lead",
    [
        "A few examples:\n\n  • You stop volunteering updates.",  # kept with its item
        "A few examples:",  # a line of its own
    ],
)
def test_an_announced_list_through_a_short_lead_gives_the_item_with_the_questions_words(
    lead: str,
) -> None:
    """The item's later sentence ("Suddenly he has to guess.") is passed over; the item
    holding the question's "tension" answers."""
    sentences = [
        "There are certain shifts that renew his interest.",
        *([lead] if lead.endswith("updates.") else [lead, "You stop volunteering updates."]),
        "Suddenly he has to guess.",
        "You show steadiness during tension.",
    ]
    body = " ".join(sentences[:-1]).replace("examples: You", "examples:\n\n  • You")
    text = f"{body}\n  • {sentences[-1]}"
    spans = _spans_of(text, sentences)
    weights = {token: 1.0 for token in highlight._tokens("what renews interest in tension?")}
    scores = np.asarray([0.9, *[0.2] * (len(sentences) - 2), 0.4])
    assert highlight._best_unit(text, spans, scores, weights) == spans[-1]


def test_a_sentence_that_sums_up_the_list_after_it_keeps_the_highlight() -> None:
    """ "These strategies revolve around creating positive associations..." answers "What
    do psychologists recommend?"; the list after "Here's how:" only spells it out."""
    sentences = [
        "These strategies revolve around positive associations.",
        "Here’s how:\n\n  1. Be present when you meet.",
        "Share new experiences together.",
    ]
    text = f"{sentences[0]} {sentences[1]}\n  2. {sentences[2]}"
    spans = _spans_of(text, sentences)
    weights = {token: 1.0 for token in highlight._tokens("what strategies are recommended?")}
    scores = np.asarray([0.9, 0.3, 0.2])
    assert highlight._best_unit(text, spans, scores, weights) == spans[0]
    announcing = text.replace("These strategies revolve", "There are several strategies,")
    spans = _spans_of(
        announcing, ["There are several strategies, around positive associations.", *sentences[1:]]
    )
    assert highlight._best_unit(announcing, spans, scores, weights) != spans[0]


@pytest.mark.parametrize("question", ["Is Python stable?", "How stable is the Python language?"])
def test_a_question_heading_is_answered_by_the_first_sentence_under_it(
    python_docs_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    """Python's FAQ answers "How stable is Python?" with "Very stable. New, stable releases
    have been coming out...": the later "The latest stable releases can always be found on
    the Python download page." holds the question's words as well and won without
    `LEAD_WEIGHT`."""
    heading = "How stable is Python?"

    def highlighted() -> str:
        quote = next(
            q for q in python_docs_assistant.answer(question).quotes if q.source.section == heading
        )
        return quote.text[quote.highlight[0] : quote.highlight[1]]

    assert highlighted().startswith("Very stable.")
    monkeypatch.setattr(highlight, "LEAD_WEIGHT", 0.0)
    assert not highlighted().startswith("Very stable.")


@pytest.mark.parametrize(
    ("question", "heading", "asks"),
    [
        ("Is Python stable?", "How stable is Python?", True),
        ("Why is Python installed on my computer?", "Why is Python Installed on my Machine?", True),
        # The topic, not the question:
        (
            "Are donations to the Python Software Foundation tax deductible?",
            "What is the Python Software Foundation?",
            False,
        ),
        # A tutorial's heading names a topic; its first sentence sets the scene:
        ("What is a key function?", "Key Functions", False),
    ],
)
def test_a_heading_asks_the_question_when_it_is_a_question_holding_most_of_its_words(
    python_docs_assistant: Assistant, question: str, heading: str, asks: bool
) -> None:
    weights = highlight._term_weights(python_docs_assistant.index(), question)
    assert highlight._asks_the_question(heading, weights) is asks


def test_only_the_first_passage_of_a_section_opens_it(python_docs_assistant: Assistant) -> None:
    loaded = python_docs_assistant.index()
    passages = loaded.passages(list(range(loaded.passage_count)))
    seen: set[tuple[str, str]] = set()
    for pid, passage in enumerate(passages):
        key = (passage.doc_id, passage.section)
        assert highlight._opens_section(loaded, pid, passage) is (key not in seen), key
        seen.add(key)
    assert len(seen) < len(passages)  # some section runs over several passages
