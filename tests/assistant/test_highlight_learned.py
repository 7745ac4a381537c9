"""The learned highlight score: its model file, how its trees are walked, the FAQ pages it
is trained on, and the real questions whose highlight it fixes.

The integration tests index the shipped articles and the Python pages of
tests/data/python-docs (not trained on: the training leaves out the FAQ pages kept there)
and check that questions the hand score got wrong are highlighted right with the learned
score, and not without it, so a missing or ignored model fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import highlight
from assistant.answer import Assistant
from assistant.evaluate import EvalQuestion, highlight_hits, load_questions
from assistant.highlight_learned import FEATURES, MODEL_PATH, load_model, sentence_features
from benchmarks.train_highlight import PYTHON_FAQ, _text_as_markdown, question_of

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _write_model(path: Path, **changes: object) -> Path:
    """A two-tree model: tree 0 splits on "echo" at 0.5, tree 1 is one leaf."""
    model = {
        "features": list(FEATURES),
        "baseline": -1.0,
        "depth": 1,
        "roots": [0, 3],
        "feature": [FEATURES.index("echo"), -1, -1, -1],
        "threshold": [0.5, 0.0, 0.0, 0.0],
        "left": [1, 1, 2, 3],
        "right": [2, 1, 2, 3],
        "value": [0.0, 2.0, -3.0, 0.25],
        "weight": 0.15,
    }
    model.update(changes)
    path.write_text(json.dumps(model), encoding="utf-8")
    return path


class TestTheModelFile:
    def test_the_shipped_model_is_there_with_trees_and_a_weight(self) -> None:
        model = load_model()
        assert len(model.roots) >= 50
        assert 0 < model.weight < 1
        assert (model.feature >= 0).any() and (model.value != 0).any()

    def test_a_missing_model_is_a_clear_error_naming_how_to_regenerate_it(
        self, tmp_path: Path
    ) -> None:
        with pytest.raises(RuntimeError, match=r"python -m benchmarks\.train_highlight"):
            load_model(tmp_path / "highlight_model.json")

    def test_a_model_fitted_over_other_features_is_refused(self, tmp_path: Path) -> None:
        path = _write_model(tmp_path / "m.json", features=["cosine"])
        with pytest.raises(RuntimeError, match="other features"):
            load_model(path)

    def test_the_trees_are_walked_as_their_arrays_say(self, tmp_path: Path) -> None:
        model = load_model(_write_model(tmp_path / "m.json"))
        rows = np.zeros((3, len(FEATURES)), dtype=np.float32)
        rows[:, FEATURES.index("echo")] = [0.2, 0.5, 0.9]
        # echo <= 0.5 reaches the +2 leaf, above it the -3 leaf; the second tree adds 0.25
        assert model.log_odds(rows) == pytest.approx([1.25, 1.25, -3.75])
        assert model.log_odds(rows[:0]).shape == (0,)


class TestFeatures:
    def test_each_feature_reads_its_sentence(self) -> None:
        texts = ["They knead because of milk.", "Why do cats knead?", "Run this command:"]
        zeros = np.zeros(3, dtype=np.float32)
        tokens = [frozenset({"knead", "milk"}), frozenset({"cat", "knead"}), frozenset({"run"})]
        rows = sentence_features(
            texts, np.asarray([0.5, 0.4, 0.1]), (zeros,) * 4, frozenset({"cat", "knead"}), tokens
        )
        column = {name: rows[:, i].tolist() for i, name in enumerate(FEATURES)}
        assert column["hand"] == pytest.approx([0.5, 0.4, 0.1])
        assert column["points_back"] == [1.0, 0.0, 0.0]
        assert column["asks"] == [0.0, 1.0, 0.0]
        assert column["setup"] == [0.0, 0.0, 1.0]
        assert column["echo"] == pytest.approx([0.5, 1.0, 0.0])


class TestTrainingData:
    def test_a_numbered_or_q_question_becomes_a_heading_and_its_answer_one_paragraph(
        self,
    ) -> None:
        text = (
            "1.5. What is the difference between Debian and other\n"
            "distributions?\n\n    These key features distinguish Debian\n"
            "    from other distributions.\n\nQ:  What do the letters XZ mean?\n\n"
            "A:  Nothing. They are two letters.\n"
        )
        lines = [line for line in _text_as_markdown(text).splitlines() if line]
        assert lines == [
            "## What is the difference between Debian and other distributions?",
            "These key features distinguish Debian from other distributions.",
            "## What do the letters XZ mean?",
            "Nothing. They are two letters.",
        ]

    def test_a_heading_is_a_question_only_when_it_asks(self) -> None:
        assert question_of("5.13.\xa0Where is VoIP software?") == "Where is VoIP software?"
        assert question_of("Chapter 3. Choosing a distribution") is None
        assert question_of("Lunch?") is None

    def test_the_evaluation_corpus_pages_are_not_trained_on(self) -> None:
        held = {p.stem.removeprefix("faq-") for p in (DATA / "python-docs").glob("faq-*.html")}
        assert held and not held & set(PYTHON_FAQ)
        sources = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["sources"]
        assert sources and not any(name.endswith(f"faq-{h}.html") for h in held for name in sources)


@pytest.fixture(scope="module")
def assistants(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict[str, Assistant]:
    """The shipped articles and the Python pages, each indexed."""
    from ingest.pipeline import build_index

    built = {}
    for name, corpus in (("shipped", ROOT / "corpus"), ("python", DATA / "python-docs")):
        index_dir = tmp_path_factory.mktemp(f"learned-highlight-{name}")
        build_index(corpus, index_dir, embedder)
        built[name] = Assistant(index_dir, embedder=embedder)
    return built


#: Questions whose highlight the hand score misses and the learned score finds
#: (docs/quality.md, "Learned from FAQ pages"): corpus, question set, question id.
FIXED = (
    ("shipped", "questions.jsonl", "q074"),
    ("shipped", "questions.jsonl", "q092"),
    ("python", "python_docs_questions.jsonl", "py008"),
    ("python", "python_docs_questions.jsonl", "py017"),
    ("python", "python_docs_questions.jsonl", "py038"),
)


@pytest.mark.parametrize(("corpus", "questions", "question_id"), FIXED)
def test_the_learned_score_finds_the_answer_the_hand_score_missed(
    assistants: dict[str, Assistant],
    monkeypatch: pytest.MonkeyPatch,
    corpus: str,
    questions: str,
    question_id: str,
) -> None:
    question = _question(questions, question_id)
    assert _highlighted(assistants[corpus], question), question.q
    monkeypatch.setattr(highlight, "LEARNED", False)
    assert not _highlighted(assistants[corpus], question), question.q


def _question(questions: str, question_id: str) -> EvalQuestion:
    [question] = [q for q in load_questions(DATA / questions) if q.id == question_id]
    return question


def _highlighted(assistant: Assistant, question: EvalQuestion) -> bool:
    """Whether some quote of the answer highlights one of the question's gold phrases."""
    answer = assistant.answer(question.q, k=5).to_dict()
    return any(highlight_hits(quote, question.phrases) for quote in answer["quotes"])


#: Questions answered by one item of a list whose setup the score picks (docs/quality.md,
#: "The answering item of a list"): corpus, question set, question id.
LIST_ITEMS = (
    ("shipped", "questions.jsonl", "q111"),
    ("python", "python_docs_questions.jsonl", "py007"),
)


@pytest.mark.parametrize(("corpus", "questions", "question_id"), LIST_ITEMS)
def test_a_setup_hands_the_highlight_to_its_answering_item(
    assistants: dict[str, Assistant],
    monkeypatch: pytest.MonkeyPatch,
    corpus: str,
    questions: str,
    question_id: str,
) -> None:
    question = _question(questions, question_id)
    assert _highlighted(assistants[corpus], question), question.q
    monkeypatch.setattr(highlight, "_answering_item", lambda text, spans, units, unit, *a: unit)
    assert not _highlighted(assistants[corpus], question), question.q
