"""``bot directory import`` on malformed inputs: each gives its own located message, and nothing changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.directory.store import export_oruk, list_areas
from bot.knowledge.store import make_engine
from tests.bot.directory.conftest import DIRECTORIES, ORUK, TEMPLATE, run, snapshot

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
                 "template.csv: line 2: contains a NUL byte (character 0): not a text file, or a damaged one"),
    "no such file": (lambda t: t / "missing.csv", "missing.csv: no such file or folder"),
    "json not valid": (lambda t: json_file(t, '[{"id": "s1",}]'), "services.json: line 1: not valid JSON: Expecting property name"),
    "json wrong shape": (lambda t: json_file(t, {"services": []}), "services.json: wrong JSON shape: expected a /services page"),
    "json item not an object": (lambda t: json_file(t, {"contents": ["s1"]}), "services.json: contents[0]: expected a service object, not str"),
    "json no services": (lambda t: json_file(t, []), "services.json: the file lists no services"),
    "json missing id": (lambda t: json_file(t, [oruk_service(id=None)]), "services.json: [0]: id: is required: every service needs an id"),
    "json duplicate ids": (lambda t: json_file(t, [oruk_service(), oruk_service()]), "services.json: [1]: id: duplicate id 's1' (also [0])"),
    "json age as words": (lambda t: json_file(t, [oruk_service(minimum_age="twelve")]),
                          "services.json: [0]: minimum_age: must be a whole number of years, not 'twelve'"),
    "json name not text": (lambda t: json_file(t, [oruk_service(name=["a", "b"])]), "services.json: [0]: name: must be text, not a list"),
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
