"""The HTML reader's shortcuts give what trafilatura's full run gives.

The reader asks trafilatura for the article without its metadata (whose date, author and
tag searches took a third of a page's CPU) and computes only the title, from the same
parsed page. These tests hold that title to the one trafilatura's `extract_metadata`
returns, on real pages, so a trafilatura upgrade that changes how it finds titles fails
here instead of changing titles silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.webpages import BENCHMARK
from ingest.formats.base import Limits
from ingest.formats.html import _config, _metadata_title
from ingest.text import squash

DATA = Path(__file__).resolve().parents[2] / "data" / "html"
#: Every 10th page of the web-page benchmark: 62 sites' markup, about 3 s.
WEB_PAGES = sorted((BENCHMARK / "pages").glob("*.html"))[::10]


def _full_metadata_title(raw: bytes) -> str | None:
    """The title as trafilatura's whole metadata extraction (what `bare_extraction` runs
    with `with_metadata=True`) finds it."""
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    title = extract_metadata(load_html(raw)).title
    return squash(title) if title else None


def _title(raw: bytes) -> str | None:
    from trafilatura.utils import load_html

    return _metadata_title(load_html(raw))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.html")))
def test_the_title_is_trafilaturas_on_sphinx_pages(name):
    raw = (DATA / name).read_bytes()
    assert _title(raw) == _full_metadata_title(raw)


@pytest.mark.skipif(not BENCHMARK.is_dir(), reason="../shared/benchmarks/webpages not present")
def test_the_title_is_trafilaturas_on_real_web_pages():
    differ = []
    for page in WEB_PAGES:
        raw = page.read_bytes()
        if _title(raw) != _full_metadata_title(raw):
            differ.append(page.name)
    assert len(WEB_PAGES) > 50 and not differ


def test_trafilaturas_settings_are_built_once_per_limit_and_minimum():
    small, large = Limits(max_bytes=1_000_000), Limits(max_bytes=2_000_000)
    assert _config(small, 250) is _config(small, 250)
    assert _config(small, 1) is not _config(small, 250)
    assert _config(small, 1).get("DEFAULT", "MIN_EXTRACTED_SIZE") == "1"
    assert _config(large, 250).get("DEFAULT", "MAX_FILE_SIZE") == "2000000"
    assert _config(small, 250).get("DEFAULT", "MAX_FILE_SIZE") == "1000000"
