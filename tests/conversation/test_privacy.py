"""What the tracker store keeps: intents and entity ids, never the words a user typed."""

import json
import sqlite3

import pytest

pytestmark = pytest.mark.conversation


def test_user_text_is_not_stored_but_the_conversation_still_works(servers, chat):
    chat.send("hi")
    chat.send("Jane Smith at 12 Acacia Avenue: is this conflict or abuse?")
    follow_up = chat.send("tell me more")
    assert follow_up and "Source:" in follow_up[0]["text"], "follow-ups work from slots, not stored text"

    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute(
            "select type_name, intent_name, data from events where sender_id = ?", (chat.sender,)
        ).fetchall()
    user_rows = [json.loads(data) for type_name, _, data in rows if type_name == "user"]
    assert len(user_rows) == 3
    stored = json.dumps([data for _, _, data in rows])
    assert "Jane" not in stored and "Acacia" not in stored
    assert all(row["text"] == "[redacted]" and row["parse_data"]["text"] == "[redacted]" for row in user_rows)
    assert [row["parse_data"]["intent"]["name"] for row in user_rows][0] == "greet"
    assert any(r[1] == "ask_conflict_vs_abuse" for r in rows if r[0] == "user")
