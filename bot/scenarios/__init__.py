"""Trainer scenarios: scripted case exercises, validated from YAML, played and marked in plain Python.

``load_scenarios`` / ``library_for`` read and validate ``knowledge/scenarios``; ``ScenarioEngine``
plays them over a ``ScenarioState``; ``bot.scenarios.handler`` has the conversation's three
scenario handlers; ``bot.scenarios.export`` turns a scenario's model answers into conversation
tests. See docs/scenarios.md.

The names below are imported on first use, so importing one submodule (the CLI imports the
loader only when a command runs) does not import the engine and what it needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "CHOOSE_SCENARIO": "engine", "CONTINUE_SCENARIO": "engine", "SCENARIO_CHOICE": "engine", "Play": "engine",
    "ScenarioEngine": "engine", "ScenarioError": "loader", "load_scenarios": "loader",
    "library_for": "live", "scenario_problems": "live",
    "Scenario": "schema", "ScenarioLibrary": "schema", "EngineSource": "engine",
    "ScenarioPlayHandler": "handler", "PausedScenarioHandler": "handler", "ScenarioRequestHandler": "handler",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
