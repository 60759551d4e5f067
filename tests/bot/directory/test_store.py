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


def fts_rows(engine) -> list[tuple]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT f.area_id, f.service_id, f.types FROM directory_services_fts f "
            "JOIN directory_services s ON s.rowid = f.rowid AND s.id = f.service_id AND s.area_id = f.area_id "
            "ORDER BY 1, 2")).all()


def fts_match(engine, query: str) -> list[str]:
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT service_id FROM directory_services_fts WHERE directory_services_fts MATCH :q "
                                 "ORDER BY rank"), {"q": query})
        return [row[0] for row in rows]


def test_the_full_text_index_follows_every_change(engine):
    from bot.directory.store import has_full_text

    assert has_full_text(engine)
    import_directory(engine, DIRECTORIES / "demoshire.json")
    assert len(fts_rows(engine)) == count_services(engine) == 41
    assert "demo-caring-dads" in fts_match(engine, '"cause harm"')  # by its type's label
    assert [a for a, s, _ in fts_rows(engine) if s == "demo-da-helpline"] == [1, 2]  # a row per area
    remove_area(engine, "North Demoshire")
    assert len(fts_rows(engine)) == count_services(engine) == 24
    import_directory(engine, DIRECTORIES / "demoshire.json")
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert len(fts_rows(engine)) == count_services(engine) == 46
    assert fts_match(engine, "starlings") == ["exa-kids-group"]  # porter stems


def test_an_old_database_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE directory_meta (key VARCHAR(64) PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE directory_areas (id INTEGER PRIMARY KEY, key VARCHAR(200) NOT NULL UNIQUE,
                name VARCHAR(200) NOT NULL, source TEXT NOT NULL, imported_at DATETIME NOT NULL);
            CREATE TABLE directory_services (area_id INTEGER NOT NULL, id VARCHAR(200) NOT NULL, name TEXT NOT NULL,
                organisation TEXT NOT NULL, organisation_id VARCHAR(200) NOT NULL, description TEXT NOT NULL,
                min_age INTEGER, max_age INTEGER, how_to_refer TEXT NOT NULL, phone VARCHAR(100) NOT NULL,
                email VARCHAR(320) NOT NULL, website TEXT NOT NULL, opening_times TEXT NOT NULL,
                audiences VARCHAR(200) NOT NULL, types VARCHAR(400) NOT NULL, fingerprint VARCHAR(32) NOT NULL,
                PRIMARY KEY (area_id, id));
            CREATE TABLE directory_service_tags (area_id INTEGER NOT NULL, service_id VARCHAR(200) NOT NULL,
                kind VARCHAR(16) NOT NULL, value VARCHAR(64) NOT NULL, position INTEGER NOT NULL,
                PRIMARY KEY (area_id, service_id, kind, value));
            INSERT INTO directory_areas VALUES (1, 'oldtown', 'Oldtown', 'old.csv', '2025-01-01 00:00:00');
            INSERT INTO directory_services VALUES (1, 'old-1', 'Oldtown Change', '', '', 'A programme.', 16, NULL,
                '', '01632 960999', '', '', '', ',person_causing_harm,', 'perpetrator_programme', 'x');
            INSERT INTO directory_services VALUES (1, 'old-2', 'Oldtown Youth', '', '', 'Youth work.', 12, 17,
                '', '01632 960998', '', '', '', ',person_causing_harm,', '', 'x');
        """)
    engine = make_engine(f"sqlite:///{path}")
    services = {s.id: s for s in read_services(engine)}
    assert services["old-1"].audiences == ("adult_causing_harm", "young_person_causing_harm")
    assert services["old-2"].audiences == ("young_person_causing_harm",)
    assert (services["old-1"].eligibility, services["old-1"].languages, services["old-1"].last_modified) == ("", (), None)
    assert fts_match(engine, "programmes") == ["old-1"]
    import_directory(engine, DIRECTORIES / "template_example.csv")  # imports work on the upgraded tables
    assert dict(list_areas(engine)) == {"Exampleton": 5, "Oldtown": 2}


def test_demonstration_directory_beside_real_areas_is_warned_about(engine):
    from bot.directory.store import demo_warning

    import_directory(engine, DIRECTORIES / "demoshire.json")
    assert demo_warning(engine) is None  # on its own it is what `bot run` loaded, and says so
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert demo_warning(engine) == (
        "Warning: the fictional demonstration directory (Demoshire, North Demoshire) is loaded beside real areas "
        "(Exampleton); its invented services could be offered to practitioners. Remove it: "
        'bot directory remove "Demoshire" --yes; bot directory remove "North Demoshire" --yes')


def test_area_option_is_normalised_and_checked(engine, tmp_path):
    path = tmp_path / "no-area.csv"
    path.write_text("name,organisation,description,areas,phone\nHelpline,Org,Support.,,01632 960000\n")
    import_directory(engine, path, area="  Ambridge\u200b   Vale ")
    assert list_areas(engine) == [("Ambridge Vale", 1)]
    with pytest.raises(DirectoryError) as caught:
        import_directory(engine, path, area="x" * 81)
    assert [str(p) for p in caught.value.problems] == ["--area: is 81 characters long; an area name has at most 80"]
    with pytest.raises(DirectoryError) as caught:
        import_directory(engine, path, area="\u200b")
    assert [str(p) for p in caught.value.problems] == [
        "--area: is empty (or only invisible characters): give the area's name"]


def test_a_service_listed_by_two_files_belongs_to_the_last_and_is_never_duplicated(engine, tmp_path):
    import_directory(engine, DIRECTORIES / "template_example.csv")
    other = tmp_path / "westbrook.csv"
    other.write_text("id,name,organisation,description,areas,phone\n"
                     "exa-idva,Exampleton IDVA Team,Exampleton Women's Centre,Now also in Westbrook.,Westbrook; Exampleton,"
                     "01632 960502\n"
                     "wb-1,Westbrook Helpline,Westbrook Aid,Support.,Westbrook,01632 960000\n")
    report = import_directory(engine, other)
    assert [(a.area, a.added, a.changed) for a in report.areas] == [
        ("Westbrook", ["exa-idva", "wb-1"], []), ("Exampleton", [], ["exa-idva"])]
    assert dict(list_areas(engine)) == {"Exampleton": 5, "Westbrook": 2}
    assert [s.description for s in read_services(engine, "Exampleton") if s.id == "exa-idva"] == ["Now also in Westbrook."]
    again = import_directory(engine, DIRECTORIES / "template_example.csv")  # Exampleton's own file wins back its row
    assert [(a.area, a.changed) for a in again.areas] == [("Exampleton", ["exa-idva"])]
    assert dict(list_areas(engine)) == {"Exampleton": 5, "Westbrook": 2}


def test_a_file_that_drops_an_area_from_a_service_removes_it_there(engine, tmp_path):
    both = tmp_path / "vale.csv"
    both.write_text("id,name,organisation,description,areas,phone\n"
                    "v-1,Vale Refuge,Vale Aid,Refuge.,Vale; Felpersham,01632 960000\n"
                    "v-2,Vale Outreach,Vale Aid,Outreach.,Vale,01632 960001\n")
    import_directory(engine, both)
    both.write_text(both.read_text().replace("Vale; Felpersham", "Vale"))
    report = import_directory(engine, both)
    assert [(a.area, a.removed) for a in report.areas] == [("Vale", []), ("Felpersham", ["v-1"])]
    assert list_areas(engine) == [("Vale", 2)]  # an area left with no services is no longer listed
