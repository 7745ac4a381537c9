"""The README's JSON example is a real answer: this test makes it and compares.

Run with CITED_UPDATE_README=1 to write the fresh example into README.md (then commit it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"
QUESTION = "What is the peak-end rule?"
BLOCK = re.compile(r"(<!-- example: ask -->\n```json\n)(.*?)(\n```)", re.DOTALL)


def _shortened(text: str, keep: int = 60) -> str:
    return text if len(text) <= keep else text[:keep].rstrip() + " …"


def _steady(item: dict) -> dict:
    """An item with its text cut short, and the index version (new at every build) named."""
    source = dict(item["source"])
    if "version" in source:
        source["version"] = "<index version>"
    return item | {"text": _shortened(item["text"]), "source": source}


def readme_example(answer: dict) -> str:
    """The first quote and the first caveat of a real answer, their texts cut short."""
    quote = _steady(answer["quotes"][0])
    quote["score"] = round(quote["score"], 2)
    caveat = _steady(answer["caveats"][0])
    example = answer | {"quotes": [quote], "caveats": [caveat]}
    if "index_version" in example:
        example["index_version"] = "<index version>"
    return json.dumps(example, indent=2, ensure_ascii=False)


def test_the_readme_json_example_is_what_ask_returns(assistant):
    answer = assistant.answer(QUESTION, k=1).to_dict()
    fresh = readme_example(answer)
    text = README.read_text(encoding="utf-8")
    found = BLOCK.search(text)
    assert found, "README.md lost its <!-- example: ask --> block"
    if os.environ.get("CITED_UPDATE_README"):
        README.write_text(text[: found.start(2)] + fresh + text[found.end(2) :], encoding="utf-8")
        return
    assert found.group(2) == fresh, "README's example is stale: rerun with CITED_UPDATE_README=1"
