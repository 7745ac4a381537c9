"""The web-page benchmark (../shared/benchmarks/webpages, 618 real pages with gold snippets):
what cited indexes from them must keep its main-text F1 (before the registry: 0.802)."""

from __future__ import annotations

import pytest

from benchmarks.webpages import BENCHMARK, run_webpages

#: Measured 0.941 (precision 0.919, recall 0.963; half A 0.946, half B 0.936); the floor
#: sits a little under it (round 4: 0.939; before the chrome, jusText and landmark steps: 0.922).
MIN_F1 = 0.935
#: Round 6 (chrome known by its markup, more kinds of chrome lines): precision 0.939
#: (half A 0.951, half B 0.928), from 0.920; the floor sits a little under it.
MIN_PRECISION = 0.935


@pytest.mark.slow
@pytest.mark.skipif(not BENCHMARK.is_dir(), reason="../shared/benchmarks/webpages not present")
def test_main_text_f1_on_real_web_pages():
    figures = run_webpages()
    assert figures["pages"] == 618 and figures["errors"] == 0
    assert figures["f1"] >= MIN_F1, figures
    assert figures["precision"] >= MIN_PRECISION, figures
