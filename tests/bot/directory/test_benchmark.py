"""The directory benchmark at full size (slow: run with --run-slow)."""

import pytest

from benchmarks.directory import run


@pytest.mark.slow
def test_import_and_query_speed_at_100000_services():
    figures = run(services=100_000, queries=500, echo=lambda _: None)
    print(f"{figures.services_per_second:,.0f} services/s; query p95 {figures.query_p95_ms:.2f} ms")
    assert figures.services == 100_000
    assert figures.services_per_second >= 5000
    assert figures.query_p95_ms < 10


def test_generated_package_imports(tmp_path):
    """The benchmark's generator writes a valid ORUK CSV package (a small one, in the default run)."""
    figures = run(services=300, queries=20, echo=lambda _: None)
    assert figures.services == 300 and figures.query_p95_ms > 0
