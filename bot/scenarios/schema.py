"""Plain data classes for training scenarios, as read and validated from ``knowledge/scenarios``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.knowledge.schema import Citation, Source
from bot.scenarios.marking import Marker
from bot.scenarios.matching import Matcher, Phrase


@dataclass(frozen=True)
class Objective:
    """A learning objective; key points say which one they serve."""

    id: str
    text: str


@dataclass(frozen=True)
class KeyPoint:
    """Something a good answer to a step contains, the words that show it, and what it teaches."""

    id: str
    objective: str
    phrases: tuple[Phrase, ...]
    present: str  # feedback when the answer covers it
    missing: str  # feedback when it does not: what was missed and why it matters
    citation: Citation
    entry: str  # the knowledge entry (principle) it teaches

    def __repr__(self) -> str:
        return f"KeyPoint({self.id!r})"


@dataclass(frozen=True)
class PoorAnswer:
    """A model poor answer and the key points it is declared to cover."""

    text: str
    covers: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    """A button at a choice step: its feedback, and the step it leads to (None: the end)."""

    id: str
    label: str
    feedback: str
    citation: Citation
    next: str | None
    best: bool = False


@dataclass(frozen=True)
class Step:
    """One part of the case: what is revealed, the question, and how answers are judged."""

    id: str
    case: str
    question: str
    key_points: tuple[KeyPoint, ...] = ()
    choices: tuple[Choice, ...] = ()
    good_answers: tuple[str, ...] = ()
    poor_answers: tuple[PoorAnswer, ...] = ()
    next: str | None = None

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def successors(self) -> list[str | None]:
        """Where a play can go from here (None: the end)."""
        return [c.next for c in self.choices] if self.choices else [self.next]

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    def __repr__(self) -> str:
        return f"Step({self.id!r})"


@dataclass(frozen=True)
class Scenario:
    """A validated training scenario."""

    id: str
    title: str
    audience: str
    citation: Citation
    objectives: tuple[Objective, ...]
    steps: tuple[Step, ...]
    debrief: str = ""
    file: str = ""

    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str | None) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def __repr__(self) -> str:
        return f"Scenario({self.id!r})"


@dataclass(frozen=True)
class ScenarioSettings:
    """The wording around the cases, the command patterns and the question heuristics."""

    texts: dict[str, str]
    buttons: dict[str, str]
    commands: dict[str, tuple[re.Pattern, ...]]
    groups: dict[str, tuple[re.Pattern, ...]]  # "open" and "join": a trainer's group code
    question_openers: tuple[str, ...]
    answer_openers: tuple[str, ...]
    embedded_subjects: tuple[str, ...]
    generic_words: tuple[str, ...]  # words of a request that name no scenario in particular
    default_poor_answer: str


@dataclass
class ScenarioLibrary:
    """Every scenario in a folder, with what is needed to play and mark them."""

    scenarios: dict[str, Scenario]
    settings: ScenarioSettings
    marker: Marker
    sources: dict[str, Source]
    entry_titles: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)  # scenario id -> file it came from
    # Files that do not load as they are now ("<file>: step 'x': <field>: <message>"); the running
    # assistant keeps the last good version of each (see bot/scenarios/live.py).
    problems: tuple[str, ...] = ()

    @property
    def matcher(self) -> Matcher:
        return self.marker.matcher

    def get(self, scenario_id: str | None) -> Scenario | None:
        return self.scenarios.get(scenario_id or "")
