"""Actions that answer from the knowledge store, keep the 999 check first and stay honest."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import send, turn_from_tracker
from bot.assistant import get_assistant


class _AssistantAction:
    """Runs one ``Assistant`` entry point for the latest user message.

    A mixin, not an ``Action`` subclass: rasa-sdk registers every ``Action`` subclass it finds.
    """

    method = "answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        turn = turn_from_tracker(tracker)
        reply = getattr(get_assistant(), self.method)(turn)
        return send(dispatcher, reply, turn)


class ActionAnswerQuestion(_AssistantAction, Action):
    """Answers a question from the knowledge store, or says honestly that it cannot."""

    method = "answer_question"

    def name(self) -> Text:
        return "action_answer_question"


class ActionImmediateDanger(_AssistantAction, Action):
    """Sends the 999 message first."""

    method = "immediate_danger"

    def name(self) -> Text:
        return "action_immediate_danger"


class ActionNotCovered(_AssistantAction, Action):
    """Says the sources do not cover the question, with what the assistant can help with."""

    method = "not_covered"

    def name(self) -> Text:
        return "action_not_covered"


class ActionSmallTalk(_AssistantAction, Action):
    """Greetings, thanks, goodbye, help, yes/no."""

    method = "small_talk"

    def name(self) -> Text:
        return "action_small_talk"


class ActionFollowUp(_AssistantAction, Action):
    """'Tell me more' and 'what's the source?' about the last answer."""

    method = "follow_up"

    def name(self) -> Text:
        return "action_follow_up"


class ActionSetAgency(_AssistantAction, Action):
    """Remembers the practitioner's agency for the conversation (they can change it)."""

    method = "set_agency"

    def name(self) -> Text:
        return "action_set_agency"
