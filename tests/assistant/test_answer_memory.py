"""What answering remembers between questions (passages read, per-sentence judgments)
never changes an answer: not after a rebuild, not under concurrent requests."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

from assistant.answer import Assistant
from ingest.pipeline import build_index

# Answerable, manipulative, and with words the articles never mention.
QUESTIONS = [
    "What is the peak-end rule?",
    "How long should I boil an egg for a runny yolk?",
    "Why is a holiday with an awful last day remembered as bad?",
    "How do I make him jealous so he comes crawling back",
    "Why do crowded restaurants draw more diners, and what has that got to do with my social life?",
]


def test_an_assistant_following_a_rebuild_quotes_the_new_text(tmp_path, shipped_corpus, embedder):
    """Passages remembered from the old version are never quoted from the new one."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_corpus, corpus)
    build_index(corpus, index, embedder)
    assistant = Assistant(index, embedder=embedder, check_interval=0)
    before = assistant.answer(QUESTIONS[0])
    top = before.quotes[0]
    path = corpus / top.source.file
    text = path.read_text(encoding="utf-8")
    start = top.source.start
    changed = text[:start] + "Lighthouse keepers count days. " + text[start:]
    path.write_text(changed, encoding="utf-8")
    build_index(corpus, index, embedder)

    after = assistant.answer(QUESTIONS[0])
    assert after.index_version != before.index_version
    for quote in after.quotes:
        if quote.source.file == top.source.file:
            assert changed[quote.source.start : quote.source.end] == quote.text


def test_concurrent_requests_get_the_answers_asked_one_by_one(shipped_index, embedder):
    """The server answers several requests at once from one Assistant."""
    assistant = Assistant(shipped_index, embedder=embedder)
    one_by_one = [assistant.answer(q) for q in QUESTIONS]
    embedder.forget()
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(assistant.answer, QUESTIONS * 2))
    assert together == one_by_one * 2
