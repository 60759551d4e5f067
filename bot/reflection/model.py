"""The "is this conflict or abuse?" guided reflection: questions, answers, and the summary.

Plain Python over ``knowledge/reflection/*.yml``. The state is a ``ReflectionState`` (kept in a Rasa
slot between turns): which question is next and the yes / no / not sure answers so far. No
free text is kept, so the reflection holds no personal details. Reading a free-text answer
against a question is ``bot.reflection.reading``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from bot.dialogue.state import ReflectionState
from bot.knowledge.schema import Citation, check_citation
from bot.reflection.reading import ANSWERS, ReadingWords, answer_words
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, Report, compile_patterns, read_mapping, reporter

KINDS = {"indicator", "gap", "unclear", "none"}
CITED_KINDS = {"indicator", "gap"}
REQUEST_KEYS = ("asking", "about")  # both must match for a request to reflect
COMMANDS = ("stop", "back", "restart", "accept")  # "accept": a longer yes to the offer ("yes please, go through them")


class ReflectionError(ContentError):
    """The reflection file does not validate; carries every problem found."""


@dataclass(frozen=True)
class Outcome:
    """What one answer to one question means."""

    kind: str
    text: str = ""
    citation: Citation | None = None


@dataclass(frozen=True)
class Question:
    """One question: what each answer means for the summary, what a yes and a no look like in
    free text (``means``), and the short phrase that confirms each answer (``noted``)."""

    id: str
    text: str
    outcomes: dict[str, Outcome]
    means: dict[str, tuple[str, ...]]
    noted: dict[str, str]


@dataclass(frozen=True)
class Point:
    """A cited statement: a consequence, or the orientation."""

    text: str
    citation: Citation


@dataclass(frozen=True)
class Reflection:
    """A guided reflection, validated."""

    id: str
    entry: str
    title: str
    orientation: str
    orientation_citations: tuple[Citation, ...]
    questions: tuple[Question, ...]
    consequences: tuple[Point, ...]
    texts: dict[str, str]
    reading: ReadingWords
    command_patterns: dict[str, tuple[re.Pattern, ...]]
    buttons: dict[str, str]
    request_patterns: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)

    # -- state ---------------------------------------------------------------------------

    def start(self) -> ReflectionState:
        return ReflectionState(id=self.id, step=0)

    def offered(self) -> ReflectionState:
        """The state after offering to go through the indicators, before an answer."""
        return ReflectionState(id=self.id)

    def is_request(self, text: str) -> bool:
        """A message asking to be taken through this reflection ("can we go through it?" about
        a couple's rows): the asking words and something about a family or relationship."""
        cleaned = normalise(text or "")
        return all(any(p.search(cleaned) for p in self.request_patterns.get(key, ())) for key in REQUEST_KEYS)

    def current(self, state: ReflectionState) -> Question | None:
        step = state.step or 0
        return self.questions[step] if 0 <= step < len(self.questions) else None

    def record(self, state: ReflectionState, answer: str) -> ReflectionState:
        """The state after answering the current question."""
        question = self.current(state)
        if question is None:
            return state
        return replace(state, answers={**state.answers, question.id: answer}, step=(state.step or 0) + 1)

    def back(self, state: ReflectionState) -> ReflectionState:
        """The state with the previous question asked again (its answer forgotten)."""
        step = max(0, (state.step or 0) - 1)
        answers = {k: v for k, v in state.answers.items() if k != self.questions[step].id}
        return replace(state, answers=answers, step=step)

    def finished(self, state: ReflectionState) -> bool:
        return (state.step or 0) >= len(self.questions)

    def under_way(self, state: ReflectionState | None) -> bool:
        """Started, not finished, and for this reflection (not one since renamed)."""
        return state is not None and state.id == self.id and state.started and not self.finished(state)

    # -- reading what the practitioner typed ---------------------------------------------

    def command(self, text: str) -> str | None:
        cleaned = normalise(text or "")
        return next((c for c in COMMANDS if any(p.search(cleaned) for p in self.command_patterns[c])), None)

    def parse_answer(self, text: str, intent: str | None = None) -> str | None:
        """'yes', 'no' or 'not_sure' from the general answer words alone ("yeah", "no idea"),
        whatever the question; None when there are none or they disagree. Reading an answer
        against a question's descriptions is ``reading.AnswerReader``."""
        return answer_words(text, self.reading, intent)

    def noted(self, question: Question, answer: str) -> str:
        """The one line that confirms how an answer was read: "Noted: no planned separation."."""
        return self.texts["noted_line"].format(noted=question.noted[answer])

    # -- the summary -------------------------------------------------------------------------

    def findings(self, state: ReflectionState) -> dict[str, list[Outcome]]:
        """Outcomes of the answers so far, grouped by kind, in question order."""
        grouped: dict[str, list[Outcome]] = {kind: [] for kind in KINDS}
        for question in self.questions:
            answer = state.answers.get(question.id)
            if answer is not None:
                outcome = question.outcomes[answer]
                grouped[outcome.kind].append(outcome)
        return grouped

    def summary_lines(self, state: ReflectionState, cite: Callable[[Citation], str]) -> list[str]:
        """The summary as lines: indicators (cited), unclear points, what follows, not a verdict."""
        found = self.findings(state)
        lines = [self.texts["summary_intro"], self.texts["indicators_heading"]]
        if found["indicator"]:
            lines += [f"- {o.text} ({cite(o.citation)})" for o in found["indicator"]]
        else:
            lines.append(f"- {self.texts['no_indicators']}")
        unclear = found["gap"] + found["unclear"]
        if unclear:
            lines.append(self.texts["unclear_heading"])
            lines += [f"- {o.text}" + (f" ({cite(o.citation)})" if o.citation else "") for o in unclear]
        lines.append(self.texts["consequences_heading"])
        lines += [f"- {p.text} ({cite(p.citation)})" for p in self.consequences]
        lines.append(self.texts["not_a_verdict"])
        return lines

    def citations(self, state: ReflectionState) -> list[Citation]:
        found = self.findings(state)
        cited = [o.citation for kind in ("indicator", "gap", "unclear") for o in found[kind] if o.citation]
        cited += [p.citation for p in self.consequences]
        return list(dict.fromkeys(cited))


# -- loading and validation ---------------------------------------------------------------

TEXT_KEYS = (
    "offer", "start_button", "skip_button", "intro", "summary_intro", "indicators_heading", "no_indicators",
    "unclear_heading", "consequences_heading", "not_a_verdict", "stopped", "not_understood", "resume",
    "back_at_start", "question", "noted_line",
)


def _yes_no_keys(raw):
    """YAML reads unquoted `yes:` and `no:` keys as booleans; give them back their names."""
    if not isinstance(raw, dict):
        return raw
    return {({True: "yes", False: "no"}.get(k, k) if isinstance(k, bool) else k): v for k, v in raw.items()}


def _patterns(raw, section: str, keys, report: Report) -> dict[str, tuple[re.Pattern, ...]]:
    raw = raw if isinstance(raw, dict) else {}
    return {key: compile_patterns(raw.get(key), f"{section}.{key}", report) for key in keys}


def _text(raw, key: str) -> str:
    return " ".join(str((raw if isinstance(raw, dict) else {}).get(key) or "").split())


def _means(raw, report: Report) -> dict[str, tuple[str, ...]]:
    """What a yes and a no look like: a few short descriptions each."""
    means = _yes_no_keys((raw or {}).get("means") or {})
    found = {}
    for answer in ("yes", "no"):
        texts = means.get(answer)
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            report(f"means.{answer}", "give a list of short descriptions")
            texts = []
        found[answer] = tuple(" ".join(t.split()) for t in texts)
    return found


def _noted(raw, report: Report) -> dict[str, str]:
    noted = _yes_no_keys((raw or {}).get("noted") or {})
    for answer in ANSWERS:
        if not _text(noted, answer):
            report(f"noted.{answer}", "is required")
    return {answer: _text(noted, answer) for answer in ANSWERS}


def _words(raw, key: str, report: Report) -> frozenset[str]:
    words = (raw if isinstance(raw, dict) else {}).get(key) or []
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        report(f"reading.{key}", "must be a list of words")
        return frozenset()
    return frozenset(normalise(w) for w in words)


def _reading(data: dict, report: Report) -> ReadingWords:
    """The general answer words and the words that shape a reading (negators, hedges, contrast)."""
    raw = data.get("reading") if isinstance(data.get("reading"), dict) else {}
    if not raw.get("negators"):
        report("reading.negators", "give the words that negate a clause")
    return ReadingWords(
        answers=_patterns(_yes_no_keys(data.get("answers")), "answers", ANSWERS, report),
        fillers=_words(raw, "fillers", report),
        qualifiers=compile_patterns(raw.get("qualifiers"), "reading.qualifiers", report, required=False),
        negators=_words(raw, "negators", report),
        contrast=_words(raw, "contrast", report),
        neutral=_words(raw, "neutral", report),
        questions=_words(raw, "questions", report),
    )


def _outcomes(raw, report: Report, sources: Mapping | None) -> dict[str, Outcome]:
    outcomes = {}
    for answer in ANSWERS:
        out = _yes_no_keys((raw or {}).get("outcomes") or {}).get(answer)
        if not isinstance(out, dict) or out.get("kind") not in KINDS:
            report(f"outcomes.{answer}.kind", f"must be one of {sorted(KINDS)}")
            continue
        citation = None
        if out["kind"] in CITED_KINDS or out.get("citation"):
            citation = check_citation(out.get("citation"), f"outcomes.{answer}.citation", sources, report, parts=False)
        if out["kind"] != "none" and not _text(out, "text"):
            report(f"outcomes.{answer}.text", f"is required for kind '{out['kind']}'")
        outcomes[answer] = Outcome(out["kind"], _text(out, "text"), citation)
    return outcomes


def parse_reflection(data: dict, name: str, sources: Mapping | None = None) -> Reflection:
    """Validate one reflection's data; raise ReflectionError naming file, question and field."""
    if not isinstance(data, dict):
        raise ReflectionError([Problem(name, message="expected a mapping")])
    problems: list[Problem] = []
    report = reporter(problems, name)
    for key in ("id", "entry", "title") + TEXT_KEYS:
        if not _text(data, key):
            report(key, "is required and must not be empty")
    orientation = data.get("orientation") or {}
    orientation_citations = tuple(
        c for i, raw in enumerate(orientation.get("citations") or [], start=1)
        if (c := check_citation(raw, f"orientation.citations[{i}]", sources, report, parts=False))
    )
    if not _text(orientation, "text") or not orientation_citations:
        report("orientation", "needs 'text' and at least one citation")
    questions, seen = [], set()
    for index, raw in enumerate(data.get("questions") or [], start=1):
        qid = str((raw or {}).get("id") or f"#{index}")
        at_question = reporter(problems, name, f"question '{qid}'")
        if qid in seen:
            at_question("id", "is used twice")
        seen.add(qid)
        if not _text(raw, "text"):
            at_question("text", "is required")
        questions.append(Question(qid, _text(raw, "text"), _outcomes(raw, at_question, sources),
                                  _means(raw, at_question), _noted(raw, at_question)))
    if not questions:
        report("questions", "give at least one question")
    consequences = []
    for index, raw in enumerate(data.get("consequences") or [], start=1):
        citation = check_citation((raw or {}).get("citation"), f"consequences[{index}].citation", sources, report,
                                  parts=False)
        if not _text(raw, "text"):
            report(f"consequences[{index}].text", "is required")
        elif citation:
            consequences.append(Point(_text(raw, "text"), citation))
    reading = _reading(data, report)
    command_patterns = _patterns(data.get("commands"), "commands", COMMANDS, report)
    request_patterns = _patterns(data.get("requests"), "requests", REQUEST_KEYS, report)
    buttons = _yes_no_keys(data.get("buttons") or {})
    for key in ANSWERS + ("back", "stop"):
        if not str(buttons.get(key) or "").strip():
            report(f"buttons.{key}", "is required")
    if problems:
        raise ReflectionError(problems)
    return Reflection(
        id=str(data["id"]), entry=str(data["entry"]), title=str(data["title"]),
        orientation=_text(orientation, "text"), orientation_citations=orientation_citations,
        questions=tuple(questions), consequences=tuple(consequences),
        texts={k: _text(data, k) for k in TEXT_KEYS},
        reading=reading, command_patterns=command_patterns,
        buttons={k: str(v) for k, v in buttons.items()}, request_patterns=request_patterns,
    )


@lru_cache(maxsize=4)
def load_reflection(path: Path, sources: tuple | None = None) -> Reflection:
    """Read and validate a reflection file (``sources``: (id, Source) pairs to check citations)."""
    path = Path(path)
    data = read_mapping(path, path.name, ReflectionError)
    return parse_reflection(data, path.name, dict(sources) if sources else None)
