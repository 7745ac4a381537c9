"""A quote stands under its headings: what it addresses and how its citation reads.

Before, "How do I install on a Mac?" over a guide whose Mac passage never says "Mac" (only
its heading "Install › On Mac" does) abstained with "The nearest passages do not address:
mac", and the Linux passage was cited as "Guide — On Linux".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.abstention import addressed_text, not_addressed
from assistant.answer import Assistant
from assistant.present.html import answer_html
from assistant.present.text import answer_as_markdown, answer_as_text, heading
from index.loaded import LoadedIndex
from ingest.pipeline import build_index

GUIDE = (
    "# Guide\n\n## Install\n\n### On Linux\n\n"
    "Run the installer with sudo. It takes a minute to finish and prints a summary.\n\n"
    "### On Mac\n\n"
    "Drag the app to Applications. Then open it once from Finder to approve it.\n\n"
    "## Usage\n\nStart it from the menu. It opens a window where you can type.\n"
)
QUESTION = "How do I install on a Mac?"


@pytest.fixture(scope="module")
def guide_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    corpus = tmp_path_factory.mktemp("guide")
    (corpus / "guide.md").write_text(GUIDE, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("guide-index")
    build_index(corpus, index_dir, embedder)
    return index_dir


@pytest.fixture(scope="module")
def answer(guide_index: Path, embedder):
    return Assistant(guide_index, embedder=embedder).answer(QUESTION)


def test_the_mac_passage_is_quoted_under_its_path(answer):
    assert not answer.abstained
    mac = [q for q in answer.quotes if "Applications" in q.text]
    assert mac, [q.text for q in answer.quotes]
    assert mac[0].source.headings == ("Install", "On Mac")
    assert mac[0].source.section == "On Mac"  # the JSON contract's field keeps its meaning
    sources = [q["source"] for q in json.loads(json.dumps(answer.to_dict()))["quotes"]]
    assert ["Install", "On Mac"] in [s["headings"] for s in sources]


def test_a_quote_addresses_the_words_of_its_headings_and_title(guide_index: Path, embedder):
    with LoadedIndex.load(guide_index) as loaded:
        mac = next(p for p in loaded.passages_of("guide") if "Applications" in p.text)
        assert not_addressed(QUESTION, [mac.text], embedder) == ["install", "mac"]
        assert not_addressed(QUESTION, [addressed_text(mac, loaded)], embedder) == []
        assert addressed_text(mac, loaded).startswith("Guide\nInstall\nOn Mac\n")


def test_the_heading_words_count_for_bm25(guide_index: Path):
    with LoadedIndex.load(guide_index) as loaded:
        passages = loaded.passages_of("guide")
        scores = loaded.lexical.scores("mac")
        best = passages[int(scores.argmax())]
        assert "Applications" in best.text and scores.max() > 0


def test_every_rendering_cites_the_path(answer):
    mac = next(q for q in answer.quotes if "Applications" in q.text)
    assert heading(mac.source) == "Guide — Install › On Mac"
    assert "Guide — Install › On Mac" in answer_as_text(answer)
    assert "Guide — Install › On Mac · `guide.md`" in answer_as_markdown(answer)
    html = answer_html(answer.to_dict())
    assert '<span class="cited-section"> — Install › On Mac</span>' in html
