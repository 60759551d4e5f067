"""The directory search benchmark: full-text query and whole turn at 100,000 services (slow: --run-slow)."""

import pytest

from benchmarks.directory_search import run


@pytest.mark.slow
def test_full_text_and_turn_speed_at_100000_services():
    figures = run(services=100_000, queries=300, echo=lambda _: None)
    print(f"full-text p95 {figures.full_text_p95_ms:.2f} ms; turn p95 {figures.turn_p95_ms:.1f} ms "
          f"(encoder: {figures.encoder})")
    assert figures.full_text_p95_ms < 10
    assert figures.turn_p95_ms < 60


def test_the_benchmark_runs_on_a_small_directory():
    figures = run(services=500, queries=12, use_encoder=False, echo=lambda _: None)
    assert figures.services == 500 and figures.turn_p95_ms > 0 and not figures.encoder
