"""Trainer scenarios: scripted case exercises, validated from YAML, played and marked in plain Python.

``load_scenarios`` / ``library_for`` read and validate ``knowledge/scenarios``; ``ScenarioEngine``
plays them over a JSON-serialisable state; ``bot.scenarios.export`` turns a scenario's model
answers into conversation tests. See docs/scenarios.md.
"""

from bot.scenarios.engine import CHOOSE_SCENARIO, CONTINUE_SCENARIO, SCENARIO_CHOICE, Play, ScenarioEngine
from bot.scenarios.loader import ScenarioError, library_for, load_scenarios
from bot.scenarios.schema import Scenario, ScenarioLibrary

__all__ = [
    "CHOOSE_SCENARIO", "CONTINUE_SCENARIO", "SCENARIO_CHOICE", "Play", "Scenario", "ScenarioEngine",
    "ScenarioError", "ScenarioLibrary", "library_for", "load_scenarios",
]
