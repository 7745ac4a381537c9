"""Token states: every token's contextual vector with its place in the text, read once."""

from __future__ import annotations

import numpy as np
import pytest

from index.embed import Embedder


def test_each_state_is_placed_on_its_token_in_the_text(embedder: Embedder) -> None:
    text = "They knead because, as kittens, they pressed their mother's belly."
    [states] = embedder.token_states([text])
    assert states.states.shape == (embedder.count_tokens(text), embedder.dimension)
    pieces = [text[start:end] for start, end in states.spans]
    assert pieces[:4] == ["They", "kn", "ead", "because"]  # no [CLS] before them
    assert "".join(pieces) == text.replace(" ", "")
    assert states.states.dtype == np.float32


def test_states_are_read_in_context(embedder: Embedder) -> None:
    """The same word gets a different state in another sentence: the pass reads it whole."""
    river, money = embedder.token_states(
        ["We sat on the bank of the river.", "The bank lent us money."]
    )
    assert not np.allclose(river.states[4], money.states[1], atol=1e-3)
    assert (river.spans[4].tolist(), money.spans[1].tolist()) == ([14, 18], [4, 8])


def test_rows_in_a_span_are_the_tokens_that_begin_there(embedder: Embedder) -> None:
    text = "First sentence here. Second one."
    [states] = embedder.token_states([text])
    rows = states.rows_in(21, len(text))
    assert [text[s:e] for s, e in states.spans[rows]] == ["Second", "one", "."]


def test_a_text_past_the_token_limit_is_cut_there(embedder: Embedder) -> None:
    [states] = embedder.token_states(["word " * 400])
    assert len(states.spans) == embedder.max_tokens - 2  # [CLS] and [SEP] take two


def _count_reads(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The batches the model reads from now on, one list of texts a pass."""
    read: list[list[str]] = []
    real = embedder.model.token_states

    def counting(batch, batch_size):
        read.append(list(batch))
        return real(batch, batch_size)

    monkeypatch.setattr(embedder.model, "token_states", counting)
    return read


def test_a_text_read_recently_is_not_read_again(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["A passage quoted for one question.", "Another passage."]
    first = embedder.token_states(texts)
    read = _count_reads(embedder, monkeypatch)
    again = embedder.token_states(["A new question?", *texts])
    assert read == [["A new question?"]]
    assert all(kept is old for kept, old in zip(again[1:], first, strict=True))


def test_a_question_encoded_to_search_is_not_encoded_again_to_read_a_quote(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Why do cats knead soft blankets, asked only here?"
    embedder.forget()
    vector = embedder.encode_query(question)
    asked_once = embedder.model.token_states([question], 16)[0]
    read = _count_reads(embedder, monkeypatch)
    states, _ = embedder.token_states([question, "A quote read against it."])
    assert read == [["A quote read against it."]]  # the question's states came with its vector
    assert np.array_equal(states.spans, asked_once.spans)
    assert np.allclose(states.states, asked_once.states, atol=1e-6)
    embedder.forget()
    assert np.array_equal(vector, embedder.encode([question])[0])  # the same search vector
