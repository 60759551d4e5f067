"""The one custom action: every user message goes to the router, whose reply is sent."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import slot_events, turn_from_tracker
from bot.dialogue.build import get_router
from bot.dialogue.logs import handling


class ActionRespond(Action):
    """Replies to the latest message: the router decides which feature answers it."""

    def name(self) -> Text:
        return "action_respond"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        turn = turn_from_tracker(tracker)
        with handling(turn.text):  # whatever logs a warning while this turn is handled, not its words
            reply = get_router().respond(turn)
        for message in reply.messages:
            buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
            dispatcher.utter_message(text=message.text, buttons=buttons or None, json_message=dict(message.custom))
        return slot_events(turn.state, reply.state)
