"""The ``bot directory`` commands, run for real with CliRunner against temporary databases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import cli
from bot.config import PROJECT_ROOT
from bot.directory.store import export_oruk, list_areas, read_services
from bot.knowledge.store import make_engine
from tests.conftest import TEST_DATA

DIRECTORIES = PROJECT_ROOT / "directories"
ORUK = TEST_DATA / "oruk"
TEMPLATE = DIRECTORIES / "template_example.csv"


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'directory.db'}"


def run(runner, url, *args):
    return runner.invoke(cli.cli, ["directory", *[str(a) for a in args], "--database-url", url])


def snapshot(url):
    """Everything stored, to compare before and after a failed import."""
    return sorted((s.area, s.id, s.content()) for s in read_services(make_engine(url)))


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
    result = run(runner, url, "import", ORUK / "csv")
    assert result.exit_code == 0, result.stderr
    assert "Imported 1 services from csv (ORUK CSV)" in result.output
    # a parent organisation and external taxonomy ids are not in the package: warnings, not errors
    assert "organizations.csv: row 2: parent_organization_id: 'cd09a387-91f4-4555-94ec-e799c35344cd' is not in this package" in result.stderr
    assert "taxonomy_terms.csv: row 2: taxonomy_id:" in result.stderr
    assert "schedule.csv: schedules.csv also present; read schedule.csv (named in datapackage.json)" in result.stderr
    [service] = read_services(make_engine(url))
    assert service.name == "Community Counselling"
    assert service.organisation == "Example Organization Inc."
    assert service.phone == "+44 1234 234567"  # the example's stray quotes are dropped
    assert service.area.startswith("The service is available to all residents of the MyCity area")
    assert service.types == ("counselling_recovery",)  # from keywords: the example's term is a placeholder


def test_oruk_csv_reads_singular_and_plural_table_names(runner, url, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(ORUK / "csv", folder)
    (folder / "datapackage.json").unlink()
    (folder / "services.csv").rename(folder / "service.csv")
    (folder / "organizations.csv").rename(folder / "organization.csv")
    (folder / "phones.csv").rename(folder / "phone.csv")
    result = run(runner, url, "import", folder)
    assert result.exit_code == 0, result.stderr
    [service] = read_services(make_engine(url))
    assert (service.organisation, service.phone) == ("Example Organization Inc.", "+44 1234 234567")
    assert "schedules.csv: schedule.csv also present; read schedules.csv (the plural form)" in result.stderr


def test_oruk_full_service_json_takes_its_area_from_service_areas(runner, url):
    result = run(runner, url, "import", ORUK / "service_full.json")
    assert result.exit_code == 0, result.stderr
    assert "parent organisation 'cd09a387-91f4-4555-94ec-e799c35344cd' is not in the file" in result.stderr
    [service] = read_services(make_engine(url))
    assert service.opening_times.startswith("The service is available from 10 am to 6pm weekdays.")
    assert "MyCity area" in service.area


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
    (tmp_path / "ansi.csv").write_bytes(text.replace("Exampleton", "Ansiton").encode("cp1252"))
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
    run(runner, url, "import", ORUK / "csv")
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


def test_remove_an_area(runner, url):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    result = run(runner, url, "remove", "North Demoshire")
    assert result.output.strip() == "Removed North Demoshire: 17 services."
    assert list_areas(make_engine(url)) == [("Demoshire", 24)]
    assert run(runner, url, "remove", "North Demoshire").exit_code == 1


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


# --- malformed inputs: each gives its own message, and nothing changes --------------------

GOOD_HEADER, GOOD_ROW, SECOND_ROW = TEMPLATE.read_text(encoding="utf-8").splitlines()[:3]


def template(tmp_path, *rows, header=GOOD_HEADER):
    path = tmp_path / "template.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def cell(row: str, column: str, value: str) -> str:
    """GOOD_ROW with one column's value replaced (the row has no quoted commas before 'opening times')."""
    import csv
    import io

    names = GOOD_HEADER.split(",")
    values = next(csv.reader(io.StringIO(row)))
    values[names.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


def json_file(tmp_path, data, name="services.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def raw_file(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def oruk_service(**changes):
    service = {"id": "s1", "name": "Exampleton Outreach", "status": "active", "email": "a@example.org",
               "service_areas": [{"id": "a1", "name": "Exampleton"}]}
    service.update(changes)
    return {k: v for k, v in service.items() if v is not None}


def package(tmp_path, change=None):
    folder = tmp_path / "package"
    shutil.copytree(ORUK / "csv", folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    if change:
        change(folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_bytes().decode("utf-8")  # keep the examples' own line endings
    assert old in text
    path.write_bytes(text.replace(old, new).encode("utf-8"))


def duplicate_last_row(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    last = text.replace("\r\r\n", "\n").splitlines()[-1]
    path.write_bytes((text.rstrip("\r\n") + "\r\n" + last + "\r\n").encode("utf-8"))


SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"

BAD_INPUTS = {
    "empty file": (lambda t: template(t, header=""), "template.csv: the file is empty"),
    "header but no rows": (lambda t: template(t), "template.csv: the file has a header but no services"),
    "missing required column": (
        lambda t: template(t, header=GOOD_HEADER.replace("description,", "summary,")),
        "template.csv: row 1: description: required column is missing"),
    "missing name": (lambda t: template(t, cell(GOOD_ROW, "name", "")), "template.csv: row 2: name: is required and must not be empty"),
    "age not a number": (
        lambda t: template(t, cell(GOOD_ROW, "minimum age", "ten")),
        "template.csv: row 2: minimum age: must be a whole number of years, not 'ten'"),
    "age with a fraction": (
        lambda t: template(t, cell(GOOD_ROW, "maximum age", "17.5")),
        "row 2: maximum age: must be a whole number of years, not '17.5'"),
    "negative age": (lambda t: template(t, cell(GOOD_ROW, "minimum age", "-3")), "row 2: minimum age: must not be negative (-3)"),
    "implausible age": (lambda t: template(t, cell(GOOD_ROW, "maximum age", "150")), "row 2: maximum age: must be at most 120 (150)"),
    "minimum above maximum": (
        lambda t: template(t, cell(cell(GOOD_ROW, "minimum age", "12"), "maximum age", "5")),
        "row 2: minimum age: is greater than maximum age (12 > 5)"),
    "unknown service type": (
        lambda t: template(t, cell(GOOD_ROW, "service types", "refuge; yoga")),
        "row 2: service types: unknown service type 'yoga'"),
    "unknown who it is for": (
        lambda t: template(t, cell(GOOD_ROW, "who it is for", "aliens")),
        "row 2: who it is for: unknown group 'aliens'"),
    "duplicate id": (
        lambda t: template(t, GOOD_ROW, cell(SECOND_ROW, "id", "exa-outreach")),
        "template.csv: row 3: id: duplicate service 'exa-outreach', also row 2"),
    "duplicate name without ids": (
        lambda t: template(t, cell(GOOD_ROW, "id", ""), cell(GOOD_ROW, "id", "")),
        "row 3: name: duplicate service 'exampleton-women-s-centre-exampleton-domestic-abuse-support', also row 2"),
    "bad email": (lambda t: template(t, cell(GOOD_ROW, "email", "support at example")),
                  "row 2: email: 'support at example' is not an email address"),
    "bad website": (lambda t: template(t, cell(GOOD_ROW, "website", "javascript:alert(1)")),
                    "row 2: website: 'javascript:alert(1)' is not a web address"),
    "bad phone": (lambda t: template(t, cell(GOOD_ROW, "phone", "ring reception")),
                  "row 2: phone: 'ring reception' is not a phone number"),
    "no way to make contact": (
        lambda t: template(t, cell(cell(cell(GOOD_ROW, "phone", ""), "email", ""), "website", "")),
        "row 2: phone: give at least one way to make contact"),
    "no area": (lambda t: template(t, cell(GOOD_ROW, "areas", "")),
                "row 2: areas: is required: name the area(s) served, or import with --area NAME"),
    "undecodable bytes": (
        lambda t: raw_file(t, "template.csv", f"{GOOD_HEADER}\n{GOOD_ROW}\n".encode() + b"bad \x81 byte,x\n"),
        "template.csv: line 3: byte 0x81 is neither UTF-8 nor Windows-1252 text"),
    "too many values": (lambda t: template(t, GOOD_ROW + ",extra,more"),
                        "template.csv: row 2: has 16 values but the header has 14 columns"),
    "two columns for one field": (
        lambda t: template(t, GOOD_ROW + ",Other Org", header=GOOD_HEADER + ",organization"),
        "template.csv: row 1: organization: is a second 'organisation' column"),
    "nul byte": (lambda t: raw_file(t, "template.csv", f"{GOOD_HEADER}\n".encode() + b"a\x00b,c\n"),
                 "template.csv: line 2: not valid CSV"),
    "no such file": (lambda t: t / "missing.csv", "missing.csv: no such file or folder"),
    "json not valid": (lambda t: json_file(t, '[{"id": "s1",}]'), "services.json: line 1: not valid JSON: Expecting property name"),
    "json wrong shape": (lambda t: json_file(t, {"services": []}), "services.json: wrong JSON shape: expected a /services page"),
    "json item not an object": (lambda t: json_file(t, {"contents": ["s1"]}), "services.json: contents[0]: expected a service object, not str"),
    "json no services": (lambda t: json_file(t, []), "services.json: the file lists no services"),
    "json missing id": (lambda t: json_file(t, [oruk_service(id=None)]), "services.json: [0]: id: is required: every service needs an id"),
    "json duplicate ids": (lambda t: json_file(t, [oruk_service(), oruk_service()]), "services.json: [1]: id: duplicate id 's1' (also [0])"),
    "json age as words": (lambda t: json_file(t, [oruk_service(minimum_age="twelve")]),
                          "services.json: [0]: minimum_age: must be a whole number of years, not 'twelve'"),
    "json name not text": (lambda t: json_file(t, [oruk_service(name=["a", "b"])]), "services.json: [0]: name: must be text, not list"),
    "json unknown status": (lambda t: json_file(t, [oruk_service(status="paused")]), "[0]: status: 'paused' is not an ORUK status"),
    "json service areas not a list": (lambda t: json_file(t, [oruk_service(service_areas="Exampleton")]),
                                      "[0]: service_areas: must be a list"),
    "json bad phone": (
        lambda t: json_file(t, [oruk_service(contacts=[{"id": "c", "phones": [{"id": "p", "number": "none"}]}])]),
        "[0]: contacts[0].phones[0].number: 'none' is not a phone number"),
    "json non-UTF-8 undecodable": (lambda t: raw_file(t, "s.json", b'[{"id": "\x81"}]'),
                                   "s.json: line 1: byte 0x81 is neither UTF-8 nor Windows-1252 text"),
    "csv package without services": (
        lambda t: package(t, lambda f: (f / "services.csv").unlink()), "no services.csv (or service.csv) in this folder"),
    "csv package unresolved organization_id": (
        lambda t: package(t, lambda f: edit(f, "services.csv", f"{SERVICE_ID},d9d5e0f5", f"{SERVICE_ID},00000000")),
        "services.csv: row 2: organization_id: '00000000-d3ce-4f73-9a2f-4dd0ecc6c610' is not an id in organizations.csv"),
    "csv package unresolved contact_id": (
        lambda t: package(t, lambda f: edit(f, "phones.csv", ",1e7efce3-", ",ffffffff-")),
        "phones.csv: row 2: contact_id: 'ffffffff-639b-4880-940c-b95cd30cdb50' is not an id in contacts.csv"),
    "csv package unresolved service_id": (
        lambda t: package(t, lambda f: edit(f, "service_areas.csv", f",{SERVICE_ID},", ",ghost,")),
        "service_areas.csv: row 2: service_id: 'ghost' is not an id in services.csv"),
    "csv package unresolved taxonomy term": (
        lambda t: package(t, lambda f: edit(f, "attribute.csv", ",3f7b145d-", ",00000000-")),
        "attribute.csv: row 2: taxonomy_term_id: '00000000-84af-42d7-8fae-eaca714b02b2' is not an id in taxonomy_terms.csv"),
    "csv package duplicate service ids": (
        lambda t: package(t, lambda f: duplicate_last_row(f / "services.csv")),
        "services.csv: row 3: id: duplicate id 'ac148810-d857-441c-9679-408f346de14b' (also row 2)"),
    "csv package missing column": (
        lambda t: package(t, lambda f: edit(f, "services.csv", "organization_id,name,", "organization_id,title,")),
        "services.csv: row 1: name: required column is missing"),
    "csv package bad age": (
        lambda t: package(t, lambda f: edit(f, "services.csv", ",12,100,", ",12,-1,")),
        "services.csv: row 2: maximum_age: must not be negative (-1)"),
    "csv package empty table": (
        lambda t: package(t, lambda f: (f / "contacts.csv").write_bytes(b"")), "contacts.csv: the file is empty"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_malformed_input_is_reported_and_changes_nothing(runner, url, tmp_path, case):
    run(runner, url, "import", DIRECTORIES / "demoshire.json")
    run(runner, url, "import", TEMPLATE)
    before = snapshot(url)
    make, message = BAD_INPUTS[case]
    path = make(tmp_path)
    result = run(runner, url, "import", path)
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert "nothing was imported" in result.stderr or "no such file" in result.stderr
    assert snapshot(url) == before
    assert dict(list_areas(make_engine(url))) == {"Demoshire": 24, "Exampleton": 5, "North Demoshire": 17}


def test_every_problem_is_reported_in_one_pass(runner, url, tmp_path):
    path = template(tmp_path, cell(GOOD_ROW, "minimum age", "ten"), cell(SECOND_ROW, "email", "nope"))
    result = run(runner, url, "import", path)
    assert "2 problem(s)" in result.stderr
    assert "row 2: minimum age" in result.stderr and "row 3: email" in result.stderr
    assert export_oruk(make_engine(url)) == []


def test_directory_commands_have_examples():
    for name, command in cli.cli.commands["directory"].commands.items():
        assert "Example: bot directory " + name in command.help
