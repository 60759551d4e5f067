"""The action behind the training-scenario intents (menu, choosing, branching, continuing)."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Action

from actions.knowledge import _AssistantAction


class ActionScenario(_AssistantAction, Action):
    """Shows the scenario menu, starts a scenario, takes a branch or an answer, continues."""

    method = "scenario"

    def name(self) -> Text:
        return "action_scenario"
