"""The conversation's state between turns: one immutable dataclass per feature.

Handlers never change a state in place: they return a new one (``dataclasses.replace``).
``actions/slots.py`` is the one place that turns these into Rasa slots and back; nothing here
holds words the user typed, only ids from the project's own vocabularies and counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Union

# An age as the directory reads it from a message: one age in years, or a (low, high) span.
Age = Union[int, tuple[int, int]]


@dataclass(frozen=True)
class TailoringState:
    """Who is asking: the practitioner's agency (an id from vocabulary.yml), and whether the
    offer to tailor answers to it has been made this conversation."""

    agency: str | None = None
    offered: bool = False


@dataclass(frozen=True)
class ReflectionState:
    """The guided reflection: offered and not started (``step`` None), or under way."""

    id: str
    step: int | None = None
    answers: Mapping[str, str] = field(default_factory=dict)  # question id -> yes / no / not_sure
    danger: bool = False  # immediate danger was described during it: the summary repeats the 999 line

    @property
    def started(self) -> bool:
        return self.step is not None


@dataclass(frozen=True)
class ScenarioState:
    """A training scenario under way (or paused): where the trainee is and what they covered.

    Answers are marked and forgotten: only key point and choice ids are kept.
    """

    scenario: str
    step: str | None
    path: tuple[str, ...] = ()  # steps shown so far, in order
    covered: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # step id -> key point ids
    choices: Mapping[str, str] = field(default_factory=dict)  # choice step id -> chosen option id
    paused: bool = False
    group: str | None = None  # the trainer's group session code, when playing in one


@dataclass(frozen=True)
class DirectorySearch:
    """A local-services search: to page through with "more", or waiting for its area."""

    area: str | None = None
    needs: tuple[str, ...] = ()
    age: Age | None = None
    audience: str | None = None
    offset: int = 0
    services: tuple[str, ...] = ()  # the matching services' directory ids in rank order (never user text)


@dataclass(frozen=True)
class DirectoryState:
    """The area asked about (remembered for the conversation) and the search "more" continues."""

    area: str | None = None
    search: DirectorySearch | None = None


@dataclass(frozen=True)
class ConversationState:
    """Everything the assistant remembers between turns."""

    notice_given: bool = False
    last_entry_id: str | None = None  # the last knowledge entry answered: "tell me more", "source?"
    tailoring: TailoringState = TailoringState()
    reflection: ReflectionState | None = None
    scenario: ScenarioState | None = None
    directory: DirectoryState = DirectoryState()

    def with_(self, **changes) -> "ConversationState":
        """A copy with ``changes`` (``dataclasses.replace`` under a shorter name)."""
        return replace(self, **changes)
