"""Area names in text, from the loaded directory, keeping up with imports made while running."""

from __future__ import annotations

from bot.directory.areas import AreaMatcher
from bot.directory.store import generation, import_directory
from tests.bot.directory.conftest import DIRECTORIES, demo_engine


def test_area_matcher_prefers_the_longest_name(demo):
    areas = AreaMatcher(demo)
    assert areas.find("services in NORTH DEMOSHIRE please") == "North Demoshire"
    assert areas.find("Demoshire's refuges") == "Demoshire"
    assert areas.find("Salford") is None
    assert areas.names() == ["Demoshire", "North Demoshire"]


def test_area_matcher_sees_an_area_imported_while_running(tmp_path):
    engine = demo_engine(tmp_path)
    matcher = AreaMatcher(engine, recheck_seconds=0)
    assert matcher.find("anything in Exampleton?") is None
    before = generation(engine)
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert generation(engine) == before + 1
    assert matcher.find("anything in Exampleton?") == "Exampleton"


def test_area_matcher_checks_the_database_at_most_every_few_seconds(tmp_path):
    engine = demo_engine(tmp_path)
    matcher = AreaMatcher(engine, recheck_seconds=3600)
    assert matcher.names() == ["Demoshire", "North Demoshire"]
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert matcher.find("Exampleton") is None  # not re-read yet
    assert matcher.refresh(force=True)
    assert matcher.find("Exampleton") == "Exampleton"
