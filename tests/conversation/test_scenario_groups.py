"""A trainer's group session through the running assistant: the assistant makes the code, ten
trainees join with it and play, then `bot scenarios report CODE` writes the page with the group's
counts (and no text)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conversation.conftest import kinds, texts

pytestmark = pytest.mark.conversation
GOOD_1 = ("I would speak with the children who are old enough, not rely on appearances, record what I saw and how "
          "I reached my view, and treat the children as victims in their own right.")
PARTIAL_1 = "I'd speak to the kids on their own before leaving."
GOOD_3 = ("His history and his behaviour, the risk to the baby given the baby's age, the children's views, and "
          "specialist support for the mother.")
POOR_3 = "Whether the mother can keep the children safe."
# Ten trainees: (answer to step 1, option at step 2, answer to step 3).
TRAINEES = ([(GOOD_1, "share_and_assess", GOOD_3)] * 6 + [(PARTIAL_1, "note_on_file", GOOD_3)] * 2
            + [(PARTIAL_1, "note_on_file", POOR_3), (GOOD_1, "advise_mother", POOR_3)])


def opened_code(replies) -> str:
    """The code the assistant made, as its "Group ... is open" message says it."""
    found = re.search(r"\bGroup ([A-Z0-9]{6}) is open\b", "\n".join(texts(replies)))
    assert found, texts(replies)
    return found.group(1)


@pytest.fixture(scope="module")
def played(servers):
    from tests.conversation.conftest import Chat

    trainer = Chat(servers.rest_url)
    opened = trainer.send("start scenario seemed_well for a group")
    assert "scenario_group_opened" in kinds(opened), texts(opened)
    code = opened_code(opened)
    for first, option, third in TRAINEES:
        chat = Chat(servers.rest_url)
        joined = chat.send(f"join group {code.lower()}")
        assert kinds(joined)[1:] == ["scenario_group_joined", "scenario_intro", "scenario_step"], texts(joined)
        assert "scenario_step" in kinds(chat.send(first))
        chat.send(f'/scenario_answer{{"choice":"{option}"}}')
        assert "scenario_summary" in kinds(chat.send(third))
    return servers, code


def test_the_trainer_is_told_how_trainees_join(servers):
    from tests.conversation.conftest import Chat

    replies = Chat(servers.rest_url).send("start scenario three_notifications for group")
    code = opened_code(replies)
    said = "\n".join(texts(replies))
    assert f"Group {code} is open for the scenario 'The three-month-old and three separate notifications'." in said
    assert f"join group {code}" in said and f"bot scenarios report {code}" in said


def test_a_code_the_trainer_types_is_replaced_by_one_the_assistant_makes(servers):
    from tests.conversation.conftest import Chat

    replies = Chat(servers.rest_url).send("start scenario three_notifications for group TRN555")
    said = "\n".join(texts(replies))
    assert "I make group codes myself, so the code you typed is not used." in said
    assert opened_code(replies) != "TRN555" and "TRN555" not in said


def test_a_wrong_code_is_said_so_without_repeating_it(servers):
    from tests.conversation.conftest import Chat

    replies = Chat(servers.rest_url).send("join group NOSUCH")
    assert "scenario_group_unknown" in kinds(replies)
    said = "\n".join(texts(replies))
    assert "I don't know that group code." in said and "NOSUCH" not in said


def test_the_report_counts_what_the_ten_trainees_did(played, tmp_path, monkeypatch):
    servers, code = played
    monkeypatch.setenv("DASG_DATABASE_URL", servers.database_url)
    out = tmp_path / "report.html"
    result = CliRunner(mix_stderr=False).invoke(cli, ["scenarios", "report", code, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    assert 'Trainees who joined: <strong data-count="joined">10</strong>' in html
    assert 'finished the scenario: <strong data-count="finished">10</strong>' in html

    def cell(key):
        start = html.index(f'<tr data-key="{key}">')
        return html[start:html.index("</tr>", start)].rsplit('<td class="count">', 1)[1].split("<")[0]

    assert cell("point:speak_with_children") == "10"
    assert cell("point:look_beyond_appearances") == "7"
    assert cell("point:his_behaviour_and_history") == "8"
    assert cell("choice:share_and_assess") == "6"
    assert cell("choice:note_on_file") == "fewer than 5"  # 3
    assert cell("choice:advise_mother") == "fewer than 5"  # 1
    assert "Trainees who answered: 10." in html
    most_missed = html[html.index('<ol id="most-missed">'):html.index("</ol>")]
    first = [item.split('"')[1] for item in most_missed.split("data-point=")[1:]]
    assert sorted(first[:3]) == ["children_as_victims", "look_beyond_appearances", "record_what_was_seen"]  # by 3
    assert len(first) == 5


def test_only_ids_and_counts_are_kept(played):
    servers, code = played
    path = servers.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute("select kind, key, count from insight_counters where key like ?", (f"{code}%",)).fetchall()
    assert rows and all(kind.startswith("scenario_group") for kind, _, _ in rows)
    ids = "(?:at_the_incident|new_partner|assessment)"
    shape = re.compile(rf"^{code}/seemed-well(?:/joined|/finished|/{ids}/(?:answered|point/[a-z_]+|choice/[a-z_]+))?$")
    assert [key for _, key, _ in rows if not shape.match(key)] == []
