"""Scripted conversations (tests/conversation/scripts/*.yml): each turn's reply types, in order,
and, where a turn names one, the entry that answers it."""

from pathlib import Path

import pytest
import yaml

from tests.conversation.conftest import guidance, kinds

pytestmark = pytest.mark.conversation

SCRIPTS = sorted((Path(__file__).parent / "scripts").glob("*.yml"))
CONVERSATIONS = [c for path in SCRIPTS for c in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]]


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_scripted_conversation(new_chat, conversation):
    chat = new_chat()
    for number, turn in enumerate(conversation["turns"], start=1):
        replies = chat.send(turn["user"])
        assert kinds(replies) == turn["expect"], f"turn {number}: {turn['user']!r}"
        if "entry" in turn:
            assert [g["entry_id"] for g in guidance(replies)] == [turn["entry"]], f"turn {number}: {turn['user']!r}"
