"""The highlight lab's gate and learned weight: it scores them the way the highlight
decides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import highlight
from assistant.evaluate import EvalQuestion
from assistant.highlight_context import Evidence
from benchmarks.highlight_lab import Asked, ShownQuote, gated_at_5, learned_at_5

TEXT = "Cats knead blankets. Thistles grow in June. Kittens press for milk."
SPANS = [(0, 20), (21, 43), (44, 67)]
_SHIPPED_ECHO_SHARE = highlight.echo_share


def _asked(stored: list[float], qid: str, odds: tuple[float, ...] = (0.0, 0.0, 0.0)) -> Asked:
    question = EvalQuestion(qid, "Why do cats knead?", ("press for milk",), "answerable", "tune")
    # read in context, the third sentence (the answer) wins by far
    evidence = Evidence(np.zeros(3, np.float32), np.asarray([0.0, 0.0, 1.0], np.float32))
    learned = np.asarray(odds, np.float32)
    quote = ShownQuote(TEXT, SPANS, np.asarray(stored, np.float32), evidence, learned)
    return Asked(question, [quote])


def test_only_an_uncertain_first_quote_is_read_and_only_then_does_it_gain() -> None:
    close = _asked([0.60, 0.10, 0.58], "close")  # best two within 0.05: read, answer wins
    clear = _asked([0.90, 0.10, 0.20], "clear")  # clear winner: not read, stays wrong
    assert gated_at_5([close, clear], "tune", margin=0.05) == (0.5, 0.5)
    assert gated_at_5([close, clear], "tune", margin=0.0) == (0.0, 0.0)
    assert gated_at_5([close, clear], "tune", margin=10.0) == (1.0, 1.0)
    assert gated_at_5([close, clear], "heldout", margin=0.05) == (0.0, 0.0)


def test_the_learned_log_odds_count_at_the_weight_tried() -> None:
    # the learned score favours the answer by 2 in log-odds: 0.4 behind, it wins at 0.25
    behind = _asked([0.60, 0.10, 0.20], "behind", odds=(0.0, 0.0, 2.0))
    assert learned_at_5([behind], "tune", 0.0) == 0.0
    assert learned_at_5([behind], "tune", 0.1) == 0.0
    assert learned_at_5([behind], "tune", 0.25) == 1.0


def test_the_echo_table_scores_the_shipped_highlight_under_each_echo_measure(assistant) -> None:
    """On the shipped articles: the echo "Show Genuine Care and Understanding:
    Demonstrating empathy..." brings its answer under `highlight.echo_share`, not under
    the share of its own words alone, and the shipped measure is restored after."""
    from benchmarks.highlight_lab import collect, echo_at_5

    phrase = "the comfort and security that your understanding provides will be missed"
    question = EvalQuestion(
        "empathy", "How does empathy make someone feel my absence?", (phrase,), "answerable", "tune"
    )
    asked = collect(assistant, [question])
    loaded = assistant.index()
    shipped, longer = echo_at_5(loaded, asked, "tune", sentence_side_only=False, share=0.3)
    before, shorter = echo_at_5(loaded, asked, "tune", sentence_side_only=True, share=0.3)
    assert (shipped, before) == (1.0, 0.0)
    assert longer > shorter
    assert echo_at_5(loaded, asked, "tune", sentence_side_only=False, share=2.0)[0] == 0.0
    assert highlight.echo_share is _SHIPPED_ECHO_SHARE and highlight.ECHO_SHARE == 0.3


def test_the_cause_table_scores_the_shipped_highlight_at_each_weight(assistant) -> None:
    from benchmarks.highlight_lab import cause_at_5, collect

    phrase = "he suddenly feels out of sync with his old assumptions"
    question = EvalQuestion(
        "thrown",
        "Why does he seem thrown when I no longer fight with him?",
        (phrase,),
        "answerable",
        "tune",
    )
    asked = collect(assistant, [question])
    loaded = assistant.index()
    assert cause_at_5(loaded, asked, "tune", 0.3)[0] == 1.0
    assert cause_at_5(loaded, asked, "tune", 0.0)[0] == 0.0
    assert highlight.CAUSE_WEIGHT == 0.3


def test_the_meaning_echo_table_scores_the_shipped_highlight_at_each_cosine(assistant) -> None:
    from benchmarks.highlight_lab import collect, meaning_echo_at_5

    phrase = "Too much closeness without space often leads to emotional suffocation"
    question = EvalQuestion(
        "balance",
        "What goes wrong with too much togetherness, or too much distance?",
        (phrase,),
        "answerable",
        "tune",
    )
    asked = collect(assistant, [question])
    loaded = assistant.index()
    hit, wider = meaning_echo_at_5(loaded, asked, "tune", 0.6, 0.1)
    miss, narrower = meaning_echo_at_5(loaded, asked, "tune", 2.0, 0.1)
    assert (hit, miss) == (1.0, 0.0)
    assert wider > narrower
    assert (highlight.ECHO_COSINE, highlight.ECHO_TIE) == (0.6, 0.1)


@pytest.fixture(scope="module")
def python_docs_lab(tmp_path_factory: pytest.TempPathFactory, embedder):
    """The Python pages of tests/data/python-docs, indexed."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    index_dir = tmp_path_factory.mktemp("lab-python-docs")
    build_index(Path(__file__).resolve().parents[1] / "data" / "python-docs", index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)


def test_the_scene_table_sets_the_memoised_weights_aside(python_docs_lab) -> None:
    from benchmarks.highlight_lab import collect, scene_at_5

    assistant = python_docs_lab
    phrase = "use that application’s uninstaller rather than removing Python directly"
    question = EvalQuestion(
        "scene",
        "Some other program put Python on my PC. How should I remove it?",
        (phrase,),
        "answerable",
        "tune",
    )
    asked = collect(assistant, [question])
    loaded = assistant.index()
    assert scene_at_5(loaded, asked, "tune", 0.5)[0] == 1.0
    assert scene_at_5(loaded, asked, "tune", 1.0)[0] == 0.0
    assert highlight.SCENE_WEIGHT == 0.5
