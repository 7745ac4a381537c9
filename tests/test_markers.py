"""Every test carries its kind, so `pytest -m unit` (or `integration`, `e2e`) selects it."""

from __future__ import annotations


def test_a_test_without_the_model_is_unit(request):
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("integration") is None


def test_a_test_with_the_model_is_integration(request, embedder):
    assert request.node.get_closest_marker("integration") is not None
    assert request.node.get_closest_marker("unit") is None
