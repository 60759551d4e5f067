"""The action server's replies are checked against Rasa's schema exactly as Rasa checks them,
with the validator built once (bot/runtime/action_results.py)."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.runtime import action_results

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "agency", "value": "police", "timestamp": None}],
     "responses": [{"text": "MARAC is a meeting...", "buttons": [{"title": "More", "payload": "/ask_more"}]}]},
    {"events": [{"event": "action_execution_rejected", "name": "action_respond"}], "responses": []},
]
BAD = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


@pytest.fixture
def action():
    return RemoteAction("action_respond", None)


@pytest.mark.parametrize("result", GOOD)
def test_a_reply_rasa_accepts_is_accepted(action, result):
    assert action_results._ORIGINAL(action, result) is True
    assert action_results.validate_action_result(action, result) is True


@pytest.mark.parametrize("result", BAD)
def test_a_reply_rasa_refuses_is_refused_with_the_same_advice(action, result):
    with pytest.raises(ValidationError) as rasa_says:
        action_results._ORIGINAL(action, result)
    with pytest.raises(ValidationError) as we_say:
        action_results.validate_action_result(action, result)
    assert we_say.value.message == rasa_says.value.message
    assert "Failed to validate Action server response from API" in we_say.value.message


def test_installing_makes_every_remote_action_use_it(action):
    action_results.install()
    action_results.install()  # idempotent
    assert action_results.installed()
    with pytest.raises(ValidationError):
        action._validate_action_result(BAD[0])
    assert action._validate_action_result(GOOD[1]) is True
