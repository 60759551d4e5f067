"""The directory store's library API: errors carry located problems, dry runs, progress, generations."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.directory.schema import DirectoryError
from bot.directory.store import (
    count_services,
    ensure_default_directory,
    export_oruk,
    generation,
    import_directory,
    list_areas,
    read_services,
    remove_area,
)
from bot.knowledge.store import make_engine, read_entries

DIRECTORIES = PROJECT_ROOT / "directories"


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'store.db'}")


def test_directory_error_carries_every_problem_with_file_row_and_field(engine, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,organisation,description,areas,minimum age,email\n"
                    "A,Org,Desc,Here,ten,a@example.org\n"
                    ",Org,Desc,Here,,nope\n")
    with pytest.raises(DirectoryError) as caught:
        import_directory(engine, path)
    located = {(p.file, p.row, p.field) for p in caught.value.problems}
    assert located == {("bad.csv", "row 2", "minimum age"), ("bad.csv", "row 3", "name"), ("bad.csv", "row 3", "email")}
    assert count_services(engine) == 0 and generation(engine) == 0


def test_import_report_and_dry_run(engine):
    dry = import_directory(engine, DIRECTORIES / "demoshire.json", dry_run=True)
    assert dry.dry_run and {a.area: len(a.added) for a in dry.areas} == {"Demoshire": 24, "North Demoshire": 17}
    assert list_areas(engine) == [] and generation(engine) == 0
    report = import_directory(engine, DIRECTORIES / "demoshire.json")
    assert (report.format, report.services, report.warnings) == ("ORUK JSON", 30, [])
    assert generation(engine) == 1


def test_progress_is_reported_while_saving(engine):
    calls = []
    import_directory(engine, DIRECTORIES / "demoshire.json", progress=lambda *a: calls.append(a))
    assert calls[-1] == ("Saving services", 41, 41)


def test_directory_tables_leave_the_knowledge_tables_alone(engine):
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert read_entries(engine) == []
    # ordered by name
    assert [s.id for s in read_services(engine, "exampleton")][:2] == ["exa-change", "exa-front-door"]


def test_export_lists_every_area_of_a_shared_service(engine):
    import_directory(engine, DIRECTORIES / "demoshire.json")
    helpline = next(s for s in export_oruk(engine) if s["id"] == "demo-da-helpline")
    assert [a["name"] for a in helpline["service_areas"]] == ["Demoshire", "North Demoshire"]
    assert remove_area(engine, "north demoshire") == 17 and generation(engine) == 2
    assert remove_area(engine, "Nowhere") == 0


def test_the_demonstration_directory_is_loaded_for_bot_run_only_when_none_is(engine, tmp_path):
    settings = Settings(knowledge_dir=PROJECT_ROOT / "knowledge", database_url="unused", var_dir=tmp_path)
    report = ensure_default_directory(engine, settings)
    assert report is not None and report.services == 30
    assert ensure_default_directory(engine, settings) is None  # only when empty


def test_an_lscp_directory_is_never_joined_by_the_demonstration_one(engine, tmp_path):
    import_directory(engine, DIRECTORIES / "template_example.csv")
    settings = Settings(knowledge_dir=PROJECT_ROOT / "knowledge", database_url="unused", var_dir=tmp_path)
    assert ensure_default_directory(engine, settings) is None
    assert [area for area, _ in list_areas(engine)] == ["Exampleton"]
