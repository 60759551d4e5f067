"""Which typed or clicked messages are the assistant's own button payloads.

Rasa reads any message that starts with "/" as ``/intent{entities}`` and skips NLU, so a user
typing ``/restart`` would wipe the conversation. The channels pass on as a payload only what the
project's buttons send (``bot.dialogue.types.payload``), with each value checked against its
vocabulary (entries, agencies, scenarios, their steps and choices, directory areas, reflection
questions); anything else that starts with "/" loses its leading slashes and is read as the words it is.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any, Callable

import yaml
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.dialogue.types import parse_payload, payload

log = logging.getLogger(__name__)

# The buttons' intents and, for each entity they carry, the vocabulary its value comes from
# (bot/dialogue/render.py, tailoring, scenarios, directory and reflection handlers make them).
BUTTONS: dict[str, dict[str, str]] = {
    "choose_entry": {"entry_id": "entries"},
    "inform_agency": {"agency": "agencies"},
    "start_scenario": {"scenario_id": "scenarios"},
    "scenario_answer": {"choice": "choices"},
    "ask_local_services": {"area": "areas"},
    "ask_more": {},
    "none_of_these": {},
    "start_reflection": {},
}
# Intents that are also typed ("yes", "no"), as buttons send them: an answer to a reflection
# question names the question it belongs to (bot/reflection/handler.py), a vote on an answer names
# the answer's entry (bot/feedback/handler.py); a scenario branch may name its step (issue 15).
SHAPED_BUTTONS: dict[str, tuple[dict[str, str], ...]] = {
    "affirm": ({"question": "questions", "answer": "answers"}, {"feedback": "entries"}),
    "deny": ({"question": "questions", "answer": "answers"}, {"feedback": "entries"}),
    "scenario_answer": ({"choice": "choices", "step": "steps"},),
}
REFLECTION_ANSWERS = frozenset({"yes", "no", "not_sure"})
_LEADING = re.compile(r"^[\s/]+")
AREAS_TTL = 5.0  # seconds: an area imported while the assistant runs is a valid button this soon


class Vocabularies:
    """The values button payloads may carry, read again when their files (or the directory) change."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._clock = clock
        self._files: dict[str, tuple[tuple, frozenset[str]]] = {}
        self._areas: tuple[float, frozenset[str]] | None = None
        self._engine: Any = None

    def values(self, vocabulary: str) -> frozenset[str]:
        if vocabulary == "areas":
            return self._area_names()
        if vocabulary == "answers":
            return REFLECTION_ANSWERS
        knowledge = self.settings.knowledge_dir
        if vocabulary == "questions":
            return self._read("questions", sorted((knowledge / "reflection").glob("*.yml")), _question_ids)
        if vocabulary == "entries":
            return self._read("entries", sorted(self.settings.entries_dir.glob("*.yml")), _entry_ids)
        if vocabulary == "agencies":
            return self._read("agencies", [self.settings.vocabulary_file], _agency_ids)
        scenario_files = sorted(p for p in (knowledge / "scenarios").glob("*.yml") if not p.name.startswith("_"))
        if vocabulary == "scenarios":
            return self._read("scenarios", scenario_files, _scenario_ids)
        if vocabulary == "choices":
            return self._read("choices", scenario_files, _choice_ids)
        if vocabulary == "steps":
            return self._read("steps", scenario_files, _step_ids)
        raise KeyError(vocabulary)

    def _read(self, name: str, paths: list[Path], read: Callable[[Any], set[str]]) -> frozenset[str]:
        fingerprint = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
        cached = self._files.get(name)
        if cached and cached[0] == fingerprint:
            return cached[1]
        values: set[str] = set()
        try:
            for path in paths:
                values |= read(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (OSError, yaml.YAMLError, AttributeError, TypeError) as exc:  # a file being edited
            log.warning("Could not read the %s for button payloads (%s); keeping the last good list.", name,
                        type(exc).__name__)
            return cached[1] if cached else frozenset()
        self._files[name] = (fingerprint, frozenset(values))
        return self._files[name][1]

    def _area_names(self) -> frozenset[str]:
        now = self._clock()
        if self._areas and now - self._areas[0] < AREAS_TTL:
            return self._areas[1]
        from bot.directory.store import area_names

        try:
            if self._engine is None:
                self._engine = create_engine(self.settings.database_url, future=True)
            names = frozenset(name.casefold() for name in area_names(self._engine))
        except SQLAlchemyError as exc:
            log.warning("Could not read the directory's areas for button payloads (%s).", type(exc).__name__)
            return self._areas[1] if self._areas else frozenset()
        self._areas = (now, names)
        return names


def _entry_ids(data: Any) -> set[str]:
    return {str(e["id"]) for e in data.get("entries") or [] if isinstance(e, dict) and e.get("id")}


def _agency_ids(data: Any) -> set[str]:
    return {str(a["id"]) for a in data.get("agencies") or [] if isinstance(a, dict) and a.get("id")}


def _scenario_ids(data: Any) -> set[str]:
    return {str(data["id"])} if data.get("id") else set()


def _choice_ids(data: Any) -> set[str]:
    return {str(c["id"]) for step in data.get("steps") or [] if isinstance(step, dict)
            for c in step.get("choices") or [] if isinstance(c, dict) and c.get("id")}


def _question_ids(data: Any) -> set[str]:
    return {str(q["id"]) for q in data.get("questions") or [] if isinstance(q, dict) and q.get("id")}


def _step_ids(data: Any) -> set[str]:
    return {str(s["id"]) for s in data.get("steps") or [] if isinstance(s, dict) and s.get("id")}


def button_payload(text: str, vocabularies: Vocabularies) -> str | None:
    """``text`` written as our buttons write it, if it is one of their payloads with known values."""
    parsed = parse_payload(text)
    if parsed is None:
        return None
    intent, entities = parsed
    shapes = ((BUTTONS[intent],) if intent in BUTTONS else ()) + SHAPED_BUTTONS.get(intent, ())
    expected = next((shape for shape in shapes if set(shape) == set(entities)), None)
    if expected is None:
        return None
    for name, value in entities.items():
        known = vocabularies.values(expected[name])
        if (value.casefold() if expected[name] == "areas" else value) not in known:
            return None
    return payload(intent, **entities)


def as_typed(text: str, vocabularies: Vocabularies) -> str:
    """What the assistant reads: our payloads as they are, any other "/..." text as plain words."""
    if not text.startswith("/"):
        return text
    return button_payload(text, vocabularies) or _LEADING.sub("", text)
