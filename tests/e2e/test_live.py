"""A running `cited serve --watch` follows rebuilds without a restart and without a bad answer.

Clients keep asking while the index is rebuilt and swapped twice; every answer must come
whole from one version of the corpus (each quote and caveat is exactly that version's
text at its span), and new text must be answered soon after it is published. Then a
file dropped into the corpus folder is indexed by the server's own watcher.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from gradio_client import Client

from ingest.pipeline import build_index
from tests.e2e.conftest import Server, start_server, stop_server

pytestmark = pytest.mark.e2e

EX = "the-psychology-of-how-to-make-an-ex-miss-you.txt"
QUESTIONS = (
    "What is the peak-end rule?",
    "What happens to dopamine when a relationship ends?",
    "How long should no contact last?",
    "Why does space make someone miss you?",
)
JOURNAL = (
    "Keeping a journal during no contact helps: write down what you miss and what you do "
    "not miss, and read it again a week later before deciding anything."
)
LETTERS = (
    "Some couples exchange one handwritten letter a month while apart, which slows the "
    "conversation down and leaves room to miss each other."
)
LIGHTHOUSE = """Why the Lighthouse Keeper Misses the Mainland

A lighthouse keeper spends months on a bare rock with the lamp, the foghorn and the gulls.
Keepers describe a slow ache for the mainland: the bakery, the market, the voices of friends.
"""
HARBOUR = """The Harbour Pilot's Logbook

A harbour pilot guides cargo ships past the sandbanks at the river mouth in every weather.
The pilot's logbook records each tide table, each anchorage and each fog bank on the estuary.
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path):
    running = start_server(tmp_path_factory.mktemp("live"), shipped_corpus, "--watch")
    yield running
    stop_server(running)


def snapshot(corpus: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in corpus.iterdir() if p.is_file()}


def insert_after_intro(path: Path, paragraph: str) -> None:
    """A new paragraph after the article's first two lines: every later offset moves."""
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:2], paragraph, *lines[2:]]), encoding="utf-8")


def versions_matching(answer: dict, snapshots: list[dict[str, str]]) -> set[int]:
    """The corpus versions in which every quote and caveat is the text at its span."""
    matching = set(range(len(snapshots)))
    for item in [*answer["quotes"], *answer["caveats"]]:
        source = item["source"]
        matching &= {
            i
            for i, texts in enumerate(snapshots)
            if texts.get(source["file"], "")[source["start"] : source["end"]] == item["text"]
        }
    return matching


class Asker:
    """Threads asking QUESTIONS in turn until stopped; every answer or error is kept."""

    def __init__(self, url: str, threads: int = 2) -> None:
        self.url = url
        self.answers: list[tuple[int, dict]] = []  # (thread, answer) in arrival order
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def __enter__(self) -> Asker:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _run(self, number: int) -> None:
        client = Client(self.url, verbose=False)
        for turn in range(1000):  # bounded, whatever happens
            if self.stop.is_set():
                return
            question = QUESTIONS[(turn + number) % len(QUESTIONS)]
            try:
                answer = client.predict(question, 3, [], api_name="/ask")
            except Exception as error:
                with self.lock:
                    self.errors.append(f"{question}: {error}")
                continue
            with self.lock:
                self.answers.append((number, answer))

    def count(self) -> int:
        with self.lock:
            return len(self.answers)


def wait_until(condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout}s"
        time.sleep(0.5)


def ask(server: Server, question: str) -> dict:
    return Client(server.url, verbose=False).predict(question, 3, [], api_name="/ask")


def test_answers_stay_whole_while_the_index_is_swapped_twice(live, embedder):
    corpus, index = live.corpus, live.index
    snapshots = [snapshot(corpus)]
    with Asker(live.url) as asker:
        wait_until(lambda: asker.count() >= 4, "answers before the first rebuild")
        insert_after_intro(corpus / EX, JOURNAL)
        snapshots.append(snapshot(corpus))
        build_index(corpus, index, embedder, wait=True)
        seen = asker.count()
        wait_until(lambda: asker.count() >= seen + 4, "answers between the rebuilds")
        insert_after_intro(corpus / EX, LETTERS)
        (corpus / "lighthouse.txt").write_text(LIGHTHOUSE, encoding="utf-8")
        snapshots.append(snapshot(corpus))
        build_index(corpus, index, embedder, wait=True)
        lighthouse = lambda: any(  # noqa: E731
            q["source"]["file"] == "lighthouse.txt"
            for q in ask(live, "What does a lighthouse keeper miss?")["quotes"]
        )
        wait_until(lighthouse, "answer from the newly published article")
        seen = asker.count()
        wait_until(lambda: asker.count() >= seen + 6, "answers after the second rebuild")

    assert asker.errors == []
    floor = {0: 0, 1: 0}
    for thread, answer in asker.answers:
        assert answer["quotes"], answer["question"]
        matching = versions_matching(answer, snapshots)
        assert matching, f"answer mixes corpus versions: {answer}"
        assert max(matching) >= floor[thread], "an answer went back to an older version"
        floor[thread] = max(floor[thread], min(matching))
    last = {thread: answer for thread, answer in asker.answers}
    assert all(2 in versions_matching(a, snapshots) for a in last.values())
    only = [versions_matching(a, snapshots) for _, a in asker.answers]
    assert {0} in only and {2} in only  # quotes that only one version's offsets explain


def test_serve_watch_indexes_a_dropped_in_file(live):
    (live.corpus / "harbour-pilot.txt").write_text(HARBOUR, encoding="utf-8")

    def answered() -> bool:
        quotes = ask(live, "What does the harbour pilot's logbook record?")["quotes"]
        return bool(quotes) and quotes[0]["source"]["file"] == "harbour-pilot.txt"

    wait_until(answered, "answer from the dropped-in file")
    wait_until(lambda: "1 added" in live.output(), "rebuild report in the server log", 10)
