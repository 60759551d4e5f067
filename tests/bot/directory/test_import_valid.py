"""Awkward but valid inputs (tests/data/directory_valid/) import, and the rows stored are right."""

from __future__ import annotations

from datetime import date

import pytest

from bot.directory.store import import_directory, list_areas, read_services
from bot.knowledge.store import make_engine
from tests.bot.directory.conftest import run
from tests.conftest import TEST_DATA

VALID = TEST_DATA / "directory_valid"


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'valid.db'}")


def stored(engine, area=None) -> dict:
    return {s.id: s for s in read_services(engine, area)}


def test_every_valid_file_imports_from_the_command_line(runner, tmp_path):
    files = sorted(p for p in VALID.iterdir() if p.name != "README.md")
    assert len(files) >= 10
    for number, path in enumerate(files):
        result = run(runner, f"sqlite:///{tmp_path / f'{number}.db'}", "import", path)
        assert result.exit_code == 0, (path.name, result.stderr)
        assert "Traceback" not in result.stderr


def test_trial_template_types_and_audiences(engine):
    report = import_directory(engine, VALID / "ambridge_vale.csv")
    assert report.services == 15
    services = stored(engine, "Ambridge Vale")
    assert services["av-changing-paths"].types == ("perpetrator_programme",)
    assert services["av-changing-paths"].audiences == ("adult_causing_harm",)
    assert services["av-fresh-start"].audiences == ("adult_causing_harm",)  # from its description
    assert services["av-starfish"].audiences == ("adult_victim", "child")
    assert services["av-turning-point"].audiences == ("adult_causing_harm",)  # "person causing harm", 18+
    assert dict(list_areas(engine)) == {"Ambridge Vale": 15, "Felpersham": 1}


@pytest.mark.parametrize("order", [("ambridge_vale.csv", "felpersham_oruk.json"), ("felpersham_oruk.json", "ambridge_vale.csv")])
def test_a_service_spanning_two_areas_stays_in_both_whichever_file_comes_first(engine, order):
    for name in order:
        import_directory(engine, VALID / name)
    assert sorted(stored(engine, "Felpersham")) == [
        "av-refuge", "fel-bump", "fel-hope-house", "fel-idva", "fel-rainbow", "fel-respect"]
    assert len(stored(engine, "Ambridge Vale")) == 15
    again = import_directory(engine, VALID / "felpersham_oruk.json")
    assert [(a.area, len(a.added), len(a.changed), len(a.removed)) for a in again.areas] == [("Felpersham", 0, 0, 0)]
    assert "av-refuge" in stored(engine, "Felpersham")


def test_trial_oruk_json_keeps_address_eligibility_and_dates(engine):
    report = import_directory(engine, VALID / "felpersham_oruk.json")
    assert report.unmapped_terms() == {}  # "Health visiting" names the health type by its keywords
    services = stored(engine)
    assert services["fel-idva"].eligibility.startswith("Adults at high risk")
    assert (services["fel-idva"].last_modified, services["fel-idva"].assured_date) == (date(2026, 10, 1), date(2026, 9, 15))
    assert services["fel-hope-house"].address == "Felpersham hub, 1 Example Street, Felpersham, FE1 1AA"
    assert services["fel-respect"].audiences == ("adult_causing_harm",)
    assert services["fel-rainbow"].audiences == ("child",)
    assert (services["fel-bump"].types, services["fel-bump"].audiences) == (("health",), ("adult_victim",))
    assert [how.audiences_from for _, s, how in report.inferred if s.id == "fel-bump"] == ["description"]


def test_bom_crlf_and_other_header_spellings(engine):
    report = import_directory(engine, VALID / "v_bom_crlf_template.csv")
    assert [str(w) for w in report.warnings] == [
        "v_bom_crlf_template.csv: row 1: notes for staff: is not a template column and is ignored"]
    helpline = stored(engine)["wb-helpline"]
    assert helpline.description == "Advice and safety planning by phone,\nfor anyone in Westbrook."
    assert helpline.opening_times == "Mon, Tue, Wed, Thu, Fri, Sat, Sun:\n9am to 9pm"
    assert (helpline.phone, helpline.email, helpline.website) == (
        "01632 960711 ext 2", "help@westbrook.example.org", "https://www.example.org/wb-helpline")
    assert stored(engine)["wb-kids"].types == ("children_da_support",)


def test_windows_1252_with_every_optional_column(engine):
    import_directory(engine, VALID / "v_windows_1252.csv")
    creche = stored(engine)["wb-creche"]
    assert creche.name == "Westbrook Crèche Café"
    assert (creche.fees, creche.languages) == ("£2 per session", ("English", "Polish"))
    assert creche.eligibility == "Parents and children under 5 affected by domestic abuse."
    assert (creche.assured_date, creche.last_modified) == (date(2024, 3, 15), date(2024, 3, 1))


def test_utf16_with_bom_and_an_inactive_service_left_out(engine):
    report = import_directory(engine, VALID / "v_utf16_bom.csv")
    assert report.left_out == [("v_utf16_bom.csv: row 3", "wb-old", "inactive")]
    [service] = read_services(engine)
    assert service.name == "Tŷ Diogel Westbrook"
    assert service.languages == ("English", "Welsh", "Urdu")
    assert service.address == "Westbrook Civic Centre, 1 Market Street, Westbrook, WB1 1AA"
    assert (service.fees, service.audiences) == ("Free", ("adult_victim",))


def test_old_causing_harm_audience_by_ages_and_one_area_however_written(engine):
    import_directory(engine, VALID / "v_legacy_audience_and_area_spellings.csv")
    assert list_areas(engine) == [("Westbrook", 4)]
    services = stored(engine)
    assert services["wb-yp-harm"].audiences == ("young_person_causing_harm",)  # 13 to 17
    assert services["wb-adult-harm"].audiences == ("adult_causing_harm",)  # 18 and over
    assert services["wb-both-harm"].audiences == ("adult_causing_harm", "young_person_causing_harm")  # 16 and over
    assert services["wb-cafe"].name == "Westbrook Café Drop-in"  # composed (NFC)
    assert services["wb-cafe"].audiences == ()


def test_markup_is_removed_completely(engine):
    import_directory(engine, VALID / "v_markup_everywhere.json")
    [service] = read_services(engine)
    assert service.name == "Westbrook scrAdvocacy"
    assert service.description == "Support & advocacy.\nNested text"
    assert service.eligibility == "Adults experiencing domestic abuse.\nNo referral needed."
    assert service.organisation == "Westbrook Advocacy Service"
    assert service.area == "Westbrook"
    for text in (service.name, service.description, service.eligibility, service.organisation, service.how_to_refer):
        assert "<" not in text and ">" not in text and "alert" not in text and "&lt;" not in text


def test_services_page_with_awkward_values(engine):
    report = import_directory(engine, VALID / "v_services_page.json")
    assert [(where, service_id, status) for where, service_id, status in report.left_out] == [
        ("v_services_page.json: contents[2]", "bri-3", "inactive"),
        ("v_services_page.json: contents[3]", "bri-4", "temporarily closed")]
    assert dict(list_areas(engine)) == {"Bristol, City of": 2, "South Gloucestershire": 1}
    advocacy, counselling = stored(engine)["bri-1"], stored(engine)["bri-2"]
    assert (advocacy.min_age, advocacy.max_age, counselling.min_age) == (16, None, 18)
    assert advocacy.languages == ("Polish", "British Sign Language")
    assert advocacy.fees == "Free (Everyone)"
    assert advocacy.address == "Bristol Hub, 2 Example Way, Bristol, BS1 1AA"  # the physical location, not "Online"
    assert counselling.fees == "Reduced fees on request.; £12.50 per session"
    assert advocacy.last_modified == date(2025, 1, 31)


def test_oruk_csv_package_with_singular_tables(engine):
    report = import_directory(engine, VALID / "v_oruk_csv_package")
    assert report.not_kept() == {"alert": 1}
    assert "v_oruk_csv_package: funding.csv: not read (the directory does not keep them)" in map(str, report.warnings)
    outreach, young = stored(engine, "Eastbrook")["eb-outreach"], stored(engine, "Eastbrook")["eb-young"]
    assert outreach.phone == "01632 960720"
    assert outreach.address == "Eastbrook Family Hub, 3 Sample Road, Eastbrook, EB2 2BB"
    assert outreach.languages == ("Urdu", "Punjabi")
    assert outreach.opening_times == "MO 09:00-17:00"
    assert (outreach.assured_date, outreach.last_modified) == (date(2024, 11, 30), date(2025, 2, 1))
    assert young.audiences == ("young_person_causing_harm",)
    assert young.fees == "Free (Young people and their families)"
    assert list(stored(engine, "Westbrook")) == ["eb-outreach"]


def test_a_single_service_object(engine):
    report = import_directory(engine, VALID / "v_single_service.json")
    assert "organisation 'org-northbrook-housing' is not in the file, so its name is unknown" in str(report.warnings)
    [service] = read_services(engine)
    assert (service.area, service.phone, service.min_age, service.max_age) == ("Northbrook", "+44 1632 960730", 0, 120)
    assert service.last_modified == date(2025, 3, 15)
    assert (service.types, service.audiences) == (("refuge",), ("adult_victim",))


def test_unicode_names_and_text_just_under_the_limit(engine):
    import_directory(engine, VALID / "v_unicode_and_limits.json")
    [service] = read_services(engine)
    assert service.id == "sb-\u00e9cole-1" and service.name == "Southbrook \U0001F3E0 Family Hub"
    assert len(service.description) == 4869
    assert service.languages == ("اردو", "Welsh")
    assert service.audiences == ()  # nothing says who it is for: not stated


def test_areas_separated_by_bars_and_semicolons_and_an_area_with_a_comma(engine):
    report = import_directory(engine, VALID / "v_areas_separated_differently.csv")
    assert dict(list_areas(engine)) == {"Brook Valley, North": 1, "Eastbrook": 1, "Northbrook": 1, "Southbrook": 1}
    assert ("v_areas_separated_differently.csv: row 3: areas: 'Brook Valley, North' is read as one area name (it has a "
            "comma); separate several areas with ';'") in map(str, report.warnings)


def test_export_and_import_again_keeps_the_new_fields(engine, tmp_path, runner):
    for name in ("felpersham_oruk.json", "v_services_page.json", "v_oruk_csv_package", "v_utf16_bom.csv"):
        import_directory(engine, VALID / name)
    url = str(engine.url)
    out = tmp_path / "export.json"
    assert run(runner, url, "export", "-o", out).exit_code == 0
    again = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    import_directory(again, out)
    assert read_services(again) == read_services(engine)
