"""The action behind "what is available locally?": services from the LSCP's directory."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Action

from actions.knowledge import _AssistantAction


class ActionLocalServices(_AssistantAction, Action):
    """Lists local services for the area (asking for it first if unknown), a few at a time."""

    method = "local_services"

    def name(self) -> Text:
        return "action_local_services"
