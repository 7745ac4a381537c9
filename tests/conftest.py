"""Fixtures shared by every test package: the real model, loaded once per session, and
the shipped corpus indexed once into a session folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
#: Fixtures that bring in the real model (and so real FAISS indexes built with it).
_MODEL_FIXTURES = {"embedder", "shipped_index"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test is one of three kinds, so `pytest -m unit` is the quick loop: e2e (a
    real server, browser or cluster: marked in its file), integration (uses the real
    model), unit (neither)."""
    for item in items:
        if item.get_closest_marker("e2e"):
            continue
        uses_model = _MODEL_FIXTURES & set(getattr(item, "fixturenames", ()))
        item.add_marker(pytest.mark.integration if uses_model else pytest.mark.unit)


@pytest.fixture(scope="session")
def embedder():
    """The packaged all-MiniLM-L6-v2, loaded once for the whole run."""
    from index.embed import Embedder

    model = Embedder()
    model.encode_query("warm up")
    return model


@pytest.fixture(scope="session")
def shipped_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the shipped articles, so no test can touch the real corpus."""
    target = tmp_path_factory.mktemp("corpus")
    for path in CORPUS.iterdir():
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, embedder):
    """The shipped corpus indexed once; tests read it and must not rebuild it."""
    from ingest.pipeline import build_index

    index_dir = tmp_path_factory.mktemp("index")
    build_index(shipped_corpus, index_dir, embedder)
    return index_dir


@pytest.fixture(scope="session")
def assistant(shipped_index: Path, embedder):
    from assistant.answer import Assistant

    return Assistant(shipped_index, embedder=embedder)


@pytest.fixture(scope="session")
def python_docs_assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    """The second corpus, four pages of Python's documentation (tests/data/python-docs),
    indexed once; tests read it and must not rebuild it."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    index_dir = tmp_path_factory.mktemp("python-docs-index")
    build_index(Path(__file__).resolve().parent / "data" / "python-docs", index_dir, embedder)
    return Assistant(index_dir, embedder=embedder)
