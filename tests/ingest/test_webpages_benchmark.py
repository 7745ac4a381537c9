"""The web-page benchmark (../shared/benchmarks/webpages, 618 real pages with gold snippets):
what cited indexes from them must keep its main-text F1 (before the registry: 0.802)."""

from __future__ import annotations

import pytest

from benchmarks.webpages import BENCHMARK, run_webpages

#: Issue 13's target. Round 6 measured 0.954 (precision 0.939, recall 0.970; half A 0.962,
#: half B 0.946); round 5 0.941, round 4 0.939, before the chrome, jusText and landmark
#: steps 0.922. The benchmark is deterministic, so the floor is the target itself.
MIN_F1 = 0.95
#: Round 6 (chrome known by its markup, more kinds of chrome lines): precision 0.939
#: (half A 0.949, half B 0.928), from 0.920; the floor sits a little under it.
MIN_PRECISION = 0.935
#: Round 6 (NFC, <br> as a space, leads in headings, one-block articles, recipes): 0.970.
MIN_RECALL = 0.965


@pytest.mark.slow
@pytest.mark.skipif(not BENCHMARK.is_dir(), reason="../shared/benchmarks/webpages not present")
def test_main_text_f1_on_real_web_pages():
    figures = run_webpages()
    assert figures["pages"] == 618 and figures["errors"] == 0
    assert figures["f1"] >= MIN_F1, figures
    assert figures["precision"] >= MIN_PRECISION, figures
    assert figures["recall"] >= MIN_RECALL, figures
