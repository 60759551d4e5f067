"""Nothing a user typed is kept: marker details planted through every input route are found in
no table of any database and in no log file the servers wrote (issue 19).

The markers look like real personal details (a made-up full name, phone number, email, postcode
and date of birth), each with one unique random token, so a leak of any part is found.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conversation.sockets import SocketChat

pytestmark = pytest.mark.conversation


@dataclass(frozen=True)
class Markers:
    """Made-up personal details with a unique token; ``found_in`` says which of them a text holds."""

    token: str

    @property
    def name(self) -> str:
        return f"Marisol Quennevaux-Oduya{self.token}"

    @property
    def phone(self) -> str:
        return "07700 900461"

    @property
    def email(self) -> str:
        return f"marisol.quennevaux{self.token}@example.org"

    @property
    def postcode(self) -> str:
        return "LS11 9ZQ"

    @property
    def birth(self) -> str:
        return "14/03/1987"

    @property
    def details(self) -> str:
        return f"{self.name}, phone {self.phone}, {self.email}, {self.postcode}, born {self.birth}"

    def needles(self) -> list[str]:
        """Every part that must never be stored, in forms a store or log might write it."""
        parts = [self.token, "Quennevaux", "Oduya", "Marisol", self.phone, self.phone.replace(" ", ""), "900461",
                 self.postcode, self.postcode.replace(" ", ""), self.birth, "14\\/03\\/1987", self.email]
        return [p.casefold() for p in parts]

    def found_in(self, text: str) -> list[str]:
        folded = text.casefold()
        return [needle for needle in self.needles() if needle in folded]


@pytest.fixture(scope="module")
def markers() -> Markers:
    return Markers(uuid.uuid4().hex[:10])


class Rest:
    """One REST conversation that can send metadata too."""

    def __init__(self, url: str):
        self.url, self.sender = url, f"test-privacy-{uuid.uuid4().hex[:10]}"

    def send(self, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": self.sender, "message": text, **({"metadata": metadata} if metadata is not None else {})}
        response = requests.post(self.url, json=body, timeout=90)
        response.raise_for_status()
        return response.json()


def _said(replies: list[dict]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def _kinds(replies: list[dict]) -> set[str]:
    return {r["custom"]["type"] for r in replies if isinstance(r.get("custom"), dict) and r["custom"].get("type")}


@pytest.fixture(scope="module")
def routes(servers, markers) -> dict[str, list[dict]]:
    """Sends the markers through every input route; the replies each route got."""
    m, got = markers, {}

    def conversation(route: str, *texts: str, **kw) -> list[dict]:
        chat = Rest(servers.rest_url)
        got[route] = [reply for text in texts for reply in chat.send(text, **kw)]
        return got[route]

    # Typed questions, with metadata on the REST channel (one allow-listed key, free text besides).
    conversation("rest", "hi", f"what support is available for {m.name} and her children? {m.details}",
                 f"Jane's partner {m.name} ({m.phone}) hit her: is this conflict or abuse?", "tell me more",
                 metadata={"client": "test", "note": m.details, "user": {"name": m.name}})
    # Typed payloads whose values are not the buttons' ids.
    conversation("payloads", *(f'/inform_agency{{"agency": "{m.name}"}}', f'/choose_entry{{"entry_id": "{m.email}"}}',
                               f'/ask_local_services{{"area": "{m.postcode}"}}', f'/start_scenario{{"scenario_id": "{m.token}"}}',
                               f'/affirm{{"feedback": "{m.birth}"}}', f'/deny{{"question": "{m.name}", "answer": "yes"}}',
                               f'/scenario_answer{{"choice": "{m.email}"}}', f"/restart {m.details}"))
    # The practitioner's agency, said with a name.
    conversation("agency", f"I'm a health visitor, my name is {m.name}")
    # The directory: an unknown place, an area asked for, a service for a named person.
    conversation("directory", f"are there domestic abuse services in {m.name}?", "local services",
                 f"{m.name} {m.postcode}", f"refuge near {m.postcode} for {m.name}", "local services in Demoshire", "more")
    # A scenario: started by its button, answered in the practitioner's own words.
    conversation("scenario", '/start_scenario{"scenario_id":"both-called-police"}', f"I would speak to {m.name} on {m.phone}",
                 f"ask the school about {m.name}, born {m.birth}", "quit")
    # The guided reflection, answered in words.
    conversation("reflection", "let's go through the indicators", f"yes, {m.name} is scared of him",
                 f"not sure, ask {m.email}", f"no, {m.postcode}", "stop")
    # Feedback: a vote on an answer, a typed vote naming someone, and thanks with a name.
    feedback = Rest(servers.rest_url)
    answer = feedback.send("what is MARAC?")
    votes = [vote for r in answer if isinstance(r.get("custom"), dict) for vote in (r["custom"].get("feedback") or {}).values()]
    got["feedback"] = answer + (feedback.send(votes[0]) if votes else [])
    for text in (f'/deny{{"feedback": "{m.name}"}}', f"thanks, that was useful for {m.name} ({m.phone})"):
        got["feedback"] += feedback.send(text)
    # The web widget's socket.io channel, with metadata (as an object and as a JSON string).
    socket = SocketChat(servers.base_url)
    try:
        got["socket.io"] = socket.send(f"{m.name} lives at {m.postcode}: what is coercive control?",
                                       metadata={"client": "widget", "name": m.name, "phone": m.phone})
        got["socket.io"] += socket.send(f'/inform_agency{{"agency": "{m.token}"}}', metadata=f'{{"dob": "{m.birth}"}}')
    finally:
        socket.close()
    return got


@pytest.fixture(scope="module")
def planted(routes) -> list[dict]:
    return [reply for replies in routes.values() for reply in replies]


def test_every_route_reached_its_feature(routes):
    """The markers went where a user's words go: otherwise the scans below would prove nothing."""
    reached = {route: _kinds(replies) for route, replies in routes.items()}
    expected = {"rest": {"guidance"}, "socket.io": {"guidance"}, "directory": {"directory_ask_area", "directory_results"},
                "scenario": {"scenario_intro"}, "reflection": {"reflection_intro", "reflection_question"},
                "feedback": {"guidance", "feedback_thanks"}}
    missed = {route: sorted(kinds - reached[route]) for route, kinds in expected.items() if not kinds <= reached[route]}
    assert not missed, f"routes that did not reach their feature: {missed}; replies' kinds: {reached}"


def test_replies_do_not_say_back_what_was_typed(planted, markers):
    echoed = [(markers.found_in(_said([r])), r.get("text")) for r in planted if markers.found_in(_said([r]))]
    assert not echoed, f"replies repeat typed details: {echoed}"


def database_leaks(paths: list[Path], markers: Markers) -> tuple[list[tuple[str, str]], list[str]]:
    """Every table of every database scanned: the (file, table) pairs read, and each row holding a marker."""
    scanned, leaks = [], []
    for path in sorted(set(paths)):
        with sqlite3.connect(path) as db:
            tables = [row[0] for row in db.execute("select name from sqlite_master where type = 'table'")]
            for table in tables:
                scanned.append((path.name, table))
                for row in db.execute(f'select * from "{table}"'):
                    found = markers.found_in(" | ".join(map(str, row)))
                    if found:
                        leaks.append(f"{path.name}:{table}: {found} in {str(row)[:300]}")
    return scanned, leaks


def log_leaks(folder: Path, markers: Markers) -> tuple[list[Path], list[str]]:
    """Every log file under ``folder`` read: the files, and each line holding a marker."""
    logs = [p for p in folder.rglob("*") if p.is_file() and p.suffix in {".log", ".txt", ".out"}]
    leaks = []
    for path in logs:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            found = markers.found_in(line)
            if found:
                leaks.append(f"{path.name}:{number}: {found}: {' '.join(line.split())[:300]}")
    return logs, leaks


def test_the_scans_find_a_detail_wherever_it_is(tmp_path, markers):
    """The scans below fail on a leak: a row or a log line holding any one marker is reported."""
    db = tmp_path / "any.db"
    with sqlite3.connect(db) as connection:
        connection.execute("create table events (data text)")
        connection.execute("create table insight_counters (key text)")
        connection.executemany("insert into events values (?)", [("{}",), (f'{{"text": "call {markers.phone}"}}',)])
        connection.execute("insert into insight_counters values (?)", (f"area|{markers.postcode.lower()}",))
    scanned, leaks = database_leaks([db], markers)
    assert scanned == [("any.db", "events"), ("any.db", "insight_counters")] and len(leaks) == 2, leaks
    (tmp_path / "rasa.log").write_text(f"ok\nparsed {markers.email.upper()}\n", encoding="utf-8")
    assert [leak.split(":")[:2] for leak in log_leaks(tmp_path, markers)[1]] == [["rasa.log", "2"]]


def test_no_database_table_holds_a_typed_detail(planted, servers, markers):
    folder = Path(servers.tracker_db).parent
    paths = [Path(servers.tracker_db), Path(servers.database_url.removeprefix("sqlite:///")), *folder.glob("*.db")]
    scanned, leaks = database_leaks(paths, markers)
    assert ("tracker.db", "events") in scanned and ("knowledge.db", "entries") in scanned, scanned
    assert not leaks, "typed details were stored:\n" + "\n".join(leaks)


def test_the_tracker_keeps_intents_and_ids_not_words(routes, servers):
    with sqlite3.connect(servers.tracker_db) as db:
        senders = db.execute("select count(distinct sender_id) from events").fetchone()[0]
        bot_rows = db.execute("select data from events where type_name = 'bot'").fetchall()
        slots = db.execute("select data from events where type_name = 'slot'").fetchall()
    assert senders >= len(routes), "every route's conversation is in the tracker"
    assert bot_rows and all('"text": null' in data for (data,) in bot_rows), "bot events are kept without their text"
    assert not [d for (d,) in slots if '"session_started_metadata"' in d and '"note"' in d]


def test_no_log_file_holds_a_typed_detail(planted, servers, markers):
    logs, leaks = log_leaks(Path(servers.tracker_db).parent, markers)
    assert {p.name for p in logs} >= {"rasa.log", "actions.log"}
    assert not leaks, "typed details were logged:\n" + "\n".join(leaks[:40])


def test_a_group_code_a_trainer_types_is_not_kept(servers, markers):
    code = markers.token[:8]
    trainer = Rest(servers.rest_url)
    trainer.send(f"start scenario both-called-police for group {code}")
    stored = []
    for path in (Path(servers.tracker_db), Path(servers.database_url.removeprefix("sqlite:///"))):
        with sqlite3.connect(path) as db:
            for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
                rows = db.execute(f'select * from "{table}"').fetchall()
                stored += [f"{path.name}:{table}" for row in rows if code in " ".join(map(str, row)).casefold()]
    assert not stored, f"the group code was stored in {sorted(set(stored))}"
