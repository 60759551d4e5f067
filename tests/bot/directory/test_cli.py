"""The ``bot directory`` commands, run for real with CliRunner against temporary databases."""

from __future__ import annotations

import json
import shutil

from bot import cli
from bot.directory.store import list_areas, read_services
from bot.knowledge.store import make_engine
from tests.bot.directory.conftest import DIRECTORIES, ORUK, TEMPLATE, run, snapshot


def test_import_demoshire_json(runner, url):
    result = run(runner, url, "import", DIRECTORIES / "demoshire.json")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.startswith("Imported 30 services from demoshire.json (ORUK JSON)")
    assert "  Demoshire: 24 services: 24 added, 0 changed, 0 removed." in result.output
    assert dict(list_areas(make_engine(url))) == {"Demoshire": 24, "North Demoshire": 17}


def test_import_template_with_its_area_column(runner, url):
    result = run(runner, url, "import", TEMPLATE)
    assert result.exit_code == 0, result.stderr
    assert "Exampleton: 5 services: 5 added" in result.output
    services = {s.id: s for s in read_services(make_engine(url))}
    assert services["exa-kids-group"].types == ("children_da_support", "counselling_recovery")
    assert services["exa-kids-group"].audiences == ("child",)
    assert (services["exa-kids-group"].min_age, services["exa-kids-group"].max_age) == (5, 11)
    assert services["exa-kids-group"].website == "https://www.example.org/starling"


def test_oruk_csv_example_imports_with_warnings(runner, url):
    refused = run(runner, url, "import", ORUK / "csv")
    assert refused.exit_code == 1
    assert ("services.csv: row 2: service_areas.csv row 2: name: 'The service is available to all res...' is 177 "
            "characters long: not an area name (at most 80); give the place's name, or import with --area NAME"
            in refused.stderr)
    result = run(runner, url, "import", ORUK / "csv", "--area", "MyCity")
    assert result.exit_code == 0, result.stderr
    assert "Imported 1 service from csv (ORUK CSV)" in result.output
    assert "is not an area name (177 characters); the service is put in 'MyCity' (--area)" in result.stderr
    # a parent organisation and external taxonomy ids are not in the package: warnings, not errors
    assert "organizations.csv: row 2: parent_organization_id: 'cd09a387-91f4-4555-94ec-e799c35344cd' is not in this package" in result.stderr
    assert "taxonomy_terms.csv: row 2: taxonomy_id:" in result.stderr
    assert "schedule.csv: schedules.csv also present; read schedule.csv (named in datapackage.json)" in result.stderr
    assert "Not kept (the directory does not store these fields): accreditations (1 service), alert (1 service)" in result.output
    [service] = read_services(make_engine(url))
    assert service.name == "Community Counselling"
    assert service.organisation == "Example Organization Inc."
    assert service.phone == "+44 1234 234567"  # the example's stray quotes are dropped
    assert service.area == "MyCity"
    assert service.types == ("counselling_recovery",)  # from keywords: the example's term is a placeholder
    assert service.address == "MyCity Civic Center, 1-30 Main Street, MyCity, ABC 1234"
    assert service.fees == "fees_description; £35 per 1 hour session (Under 18s and Over 60s)"
    assert (str(service.last_modified), str(service.assured_date)) == ("2023-03-15", "2005-01-01")


def test_oruk_csv_reads_singular_and_plural_table_names(runner, url, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(ORUK / "csv", folder)
    (folder / "datapackage.json").unlink()
    (folder / "services.csv").rename(folder / "service.csv")
    (folder / "organizations.csv").rename(folder / "organization.csv")
    (folder / "phones.csv").rename(folder / "phone.csv")
    result = run(runner, url, "import", folder, "--area", "MyCity")
    assert result.exit_code == 0, result.stderr
    [service] = read_services(make_engine(url))
    assert (service.organisation, service.phone) == ("Example Organization Inc.", "+44 1234 234567")
    assert "schedules.csv: schedule.csv also present; read schedules.csv (the plural form)" in result.stderr


def test_oruk_full_service_json_keeps_locations_eligibility_fees_and_dates(runner, url):
    refused = run(runner, url, "import", ORUK / "service_full.json")
    assert refused.exit_code == 1
    assert "service_full.json: service: service_areas[0].name: 'The service is available to all res...' is 177 characters" \
        in refused.stderr
    result = run(runner, url, "import", ORUK / "service_full.json", "--area", "MyCity")
    assert result.exit_code == 0, result.stderr
    assert "parent organisation 'cd09a387-91f4-4555-94ec-e799c35344cd' is not in the file" in result.stderr
    assert "Not kept (the directory does not store these fields): accreditations (1 service), alert (1 service), " \
           "assurer_email (1 service), funding (1 service), languages (without a name or code) (1 service)" in result.output
    assert "Taxonomy terms that map to no service type: 'name' (1 service)" in result.output
    assert "ac148810-d857-441c-9679-408f346de14b (service): types counselling_recovery [keywords]; " \
           "for not stated [-]" in result.output
    [service] = read_services(make_engine(url))
    assert service.opening_times.startswith("The service is available from 10 am to 6pm weekdays.")
    assert service.area == "MyCity"
    assert service.address == "MyCity Civic Center, 1-30 Main Street, MyCity, ABC 1234"
    assert service.fees == "fees_description; £35 per 1 hour session (Under 18s and Over 60s)"
    assert (str(service.last_modified), str(service.assured_date)) == ("2023-03-15", "2005-01-01")


def test_oruk_services_page_needs_an_area_and_warns_about_other_pages(runner, url):
    without = run(runner, url, "import", ORUK / "service_list.json")
    assert without.exit_code == 1
    assert "service_list.json: contents[0]: service_areas: the service has no service area: give one, or import with --area NAME" in without.stderr
    assert list_areas(make_engine(url)) == []
    result = run(runner, url, "import", ORUK / "service_list.json", "--area", "Exampleton")
    assert result.exit_code == 0, result.stderr
    assert "this is page 1 of 10: only this page's services are loaded" in result.stderr
    assert list_areas(make_engine(url)) == [("Exampleton", 1)]


def test_one_export_may_cover_several_areas(runner, url, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(TEMPLATE.read_text().replace(",Exampleton,", ",Exampleton; Westbrook,", 1))
    result = run(runner, url, "import", path)
    assert result.exit_code == 0, result.stderr
    assert dict(list_areas(make_engine(url))) == {"Exampleton": 5, "Westbrook": 1}


def test_encodings_utf8_bom_and_windows_1252_are_read(runner, url, tmp_path):
    text = TEMPLATE.read_text().replace("Starling Children's Group", "Starling Café Group")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "ansi.csv").write_bytes(text.replace("Exampleton", "Ansiton").replace("exa-", "ans-").encode("cp1252"))
    bom = run(runner, url, "import", tmp_path / "bom.csv")
    assert bom.exit_code == 0, bom.stderr
    assert "warning" not in bom.stderr
    ansi = run(runner, url, "import", tmp_path / "ansi.csv")
    assert ansi.exit_code == 0, ansi.stderr
    assert "ansi.csv: line 4: not UTF-8: read as Windows-1252" in ansi.stderr
    names = {(s.area, s.name) for s in read_services(make_engine(url))}
    assert {("Exampleton", "Starling Café Group"), ("Ansiton", "Starling Café Group")} <= names


def test_dry_run_changes_nothing(runner, url, tmp_path):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    before = snapshot(url)
    changed = tmp_path / "demo.json"
    data = json.loads((DIRECTORIES / "demoshire.json").read_text())
    changed.write_text(json.dumps(data[1:]))
    result = run(runner, url, "import", changed, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.output.startswith("Dry run (nothing changed): would import 29 services")
    assert "Demoshire: 23 services: 0 added, 0 changed, 1 removed." in result.output
    assert snapshot(url) == before
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert run(runner, fresh, "import", TEMPLATE, "--dry-run").exit_code == 0
    assert list_areas(make_engine(fresh)) == []


def test_reimport_reports_added_changed_and_removed(runner, url, tmp_path):
    run(runner, url, "import", TEMPLATE)
    lines = TEMPLATE.read_text().splitlines()
    lines[2] = lines[2].replace("high risk of serious harm", "high risk of harm")  # exa-idva changes
    del lines[5]  # exa-change goes
    lines.append("exa-new,Exampleton Refuge,Exampleton Housing,Safe accommodation.,Exampleton,refuge,,,adult victim,"
                 "01632 960599,,,,")
    path = tmp_path / "update.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run(runner, url, "import", path)
    assert result.exit_code == 0, result.stderr
    assert "Exampleton: 5 services: 1 added, 1 changed, 1 removed." in result.output
    assert "    added: exa-new" in result.output
    assert "    changed: exa-idva" in result.output
    assert "    removed: exa-change" in result.output
    assert sorted(s.id for s in read_services(make_engine(url))) == [
        "exa-front-door", "exa-idva", "exa-kids-group", "exa-new", "exa-outreach"]


def test_reimport_leaves_other_areas_alone(runner, url):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    run(runner, url, "import", TEMPLATE)
    again = run(runner, url, "import", TEMPLATE)
    assert "Exampleton: 5 services: 0 added, 0 changed, 0 removed." in again.output
    assert dict(list_areas(make_engine(url))) == {"Demoshire": 24, "Exampleton": 5, "North Demoshire": 17}


def test_export_then_reimport_gives_the_same_services(runner, url, tmp_path):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    run(runner, url, "import", TEMPLATE)
    run(runner, url, "import", ORUK / "csv", "--area", "MyCity")
    out = tmp_path / "export.json"
    result = run(runner, url, "export", "-o", out)
    assert result.exit_code == 0, result.stderr
    exported = json.loads(out.read_text())
    assert len(exported) == 30 + 5 + 1
    again = f"sqlite:///{tmp_path / 'again.db'}"
    assert run(runner, again, "import", out).exit_code == 0
    assert snapshot(again) == snapshot(url)
    same = run(runner, url, "import", out)
    assert same.exit_code == 0
    assert same.output.count("0 added, 0 changed, 0 removed.") == 4


def test_export_one_area_to_stdout(runner, url):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    result = run(runner, url, "export", "--area", "north demoshire")
    assert result.exit_code == 0
    services = json.loads(result.output)
    assert len(services) == 17
    caring = next(s for s in services if s["id"] == "demo-caring-dads")
    assert caring["service_areas"][0]["name"] == "North Demoshire"
    assert caring["contacts"][0]["phones"][0]["number"] == "01632 960028"
    assert run(runner, url, "export", "--area", "Nowhere").exit_code == 1


def test_list_shows_each_area(runner, url):
    assert "No directory is loaded" in run(runner, url, "list").output
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    assert run(runner, url, "list").output.splitlines() == ["Demoshire\t24 services", "North Demoshire\t17 services"]


def test_remove_an_area_asks_first(runner, url):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    declined = runner.invoke(cli.cli, ["directory", "remove", "north demoshire", "--database-url", url], input="n\n")
    assert declined.exit_code == 1
    assert "Remove North Demoshire and its 17 services? [y/N]" in declined.stderr
    assert "Nothing removed." in declined.stderr
    assert len(list_areas(make_engine(url))) == 2
    accepted = runner.invoke(cli.cli, ["directory", "remove", "North Demoshire", "--database-url", url], input="y\n")
    assert accepted.output.strip().endswith("Removed North Demoshire: 17 services.")
    assert list_areas(make_engine(url)) == [("Demoshire", 24)]
    assert run(runner, url, "remove", "North Demoshire", "--yes").exit_code == 1
    result = run(runner, url, "remove", "DEMOSHIRE", "--yes")
    assert result.output.strip() == "Removed Demoshire: 24 services."
    assert list_areas(make_engine(url)) == []


def test_search_reads_the_request_like_the_assistant(runner, url):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    result = run(runner, url, "search", "perpetrator programme near North Demoshire?")
    assert result.exit_code == 0, result.stderr
    assert "Area: North Demoshire; needs: perpetrator_programme" in result.output
    assert "North Demoshire Caring Dads (Brighter Futures Behaviour Change (fictional))" in result.output


def test_a_large_file_shows_progress(runner, url, tmp_path):
    header, row = TEMPLATE.read_text().splitlines()[:2]
    rows = [row.replace("exa-outreach", f"exa-{i}") for i in range(2500)]
    path = tmp_path / "large.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    result = run(runner, url, "import", path)
    assert result.exit_code == 0, result.stderr
    assert "Checking services" in result.stderr and "Saving services" in result.stderr
    assert list_areas(make_engine(url)) == [("Exampleton", 2500)]


def test_directory_commands_have_examples():
    for name, command in cli.cli.commands["directory"].commands.items():
        assert "Example: bot directory " + name in command.help


def test_list_warns_when_the_demonstration_directory_is_beside_real_areas(runner, url):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    alone = run(runner, url, "list")
    assert alone.stderr == ""
    run(runner, url, "import", TEMPLATE)
    result = run(runner, url, "list")
    assert result.output.splitlines() == ["Demoshire\t24 services", "Exampleton\t5 services", "North Demoshire\t17 services"]
    assert result.stderr.startswith("Warning: the fictional demonstration directory (Demoshire, North Demoshire) is "
                                    "loaded beside real areas (Exampleton)")


def test_dry_run_explains_what_it_inferred_and_what_it_left_out(runner, url, tmp_path):
    from tests.conftest import TEST_DATA

    result = run(runner, url, "import", TEST_DATA / "directory_valid" / "ambridge_vale.csv", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "    av-changing-paths (row 12): types perpetrator_programme [keywords]; for adult_causing_harm [type]" \
        in result.output
    assert "    av-fresh-start (row 15): types none [-]; for adult_causing_harm [description]" in result.output
    assert list_areas(make_engine(url)) == []
    inactive = tmp_path / "inactive.json"
    inactive.write_text(json.dumps([
        {"id": "a", "name": "Open", "status": "active", "service_areas": [{"name": "Westbrook"}], "alert": "Moving"},
        {"id": "b", "name": "Shut", "status": "defunct", "service_areas": [{"name": "Westbrook"}]}]))
    result = run(runner, url, "import", inactive, "--dry-run")
    assert "Left out, not active: 1 service:\n    b (defunct; inactive.json: [1])" in result.output
    assert "Not kept (the directory does not store these fields): alert (1 service)" in result.output
    assert "    a ([0]): types none [-]; for not stated [-]" in result.output


def test_many_services_are_summarised_unless_verbose(runner, url, tmp_path):
    header, row = TEMPLATE.read_text().splitlines()[:2]
    path = tmp_path / "many.csv"
    path.write_text("\n".join([header, *(row.replace("exa-outreach", f"exa-{i}") for i in range(60))]) + "\n")
    short = run(runner, url, "import", path, "--dry-run")
    assert "    ... and 40 more (--verbose lists them all): 0 typed from keywords, 0 with who they are for not stated" \
        in short.output
    assert run(runner, url, "import", path, "--dry-run", "--verbose").output.count("[file]; for adult_victim [file]") == 60
