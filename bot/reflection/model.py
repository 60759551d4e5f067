"""The "is this conflict or abuse?" guided reflection: questions, answers, and the summary.

Plain Python over ``knowledge/reflection/*.yml``. The state is a small dict (kept in a Rasa
slot between turns): which question is next and the yes / no / not sure answers so far. No
free text is kept, so the reflection holds no personal details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

from bot.knowledge.schema import Citation
from bot.nlp.pipeline import normalise

ANSWERS = ("yes", "no", "not_sure")
KINDS = {"indicator", "gap", "unclear", "none"}
CITED_KINDS = {"indicator", "gap"}
COMMANDS = ("stop", "back", "restart")


class ReflectionError(Exception):
    """The reflection file does not validate; carries every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Outcome:
    """What one answer to one question means."""

    kind: str
    text: str = ""
    citation: Citation | None = None


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    outcomes: dict[str, Outcome]


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
    answer_patterns: dict[str, tuple[re.Pattern, ...]]
    command_patterns: dict[str, tuple[re.Pattern, ...]]
    buttons: dict[str, str]

    # -- state ---------------------------------------------------------------------------

    def start(self) -> dict:
        return {"id": self.id, "step": 0, "answers": {}, "danger": False}

    def current(self, state: dict) -> Question | None:
        step = state.get("step", 0)
        return self.questions[step] if 0 <= step < len(self.questions) else None

    def record(self, state: dict, answer: str) -> dict:
        """The state after answering the current question."""
        question = self.current(state)
        if question is None:
            return state
        answers = {**state.get("answers", {}), question.id: answer}
        return {**state, "answers": answers, "step": state.get("step", 0) + 1}

    def back(self, state: dict) -> dict:
        """The state with the previous question asked again (its answer forgotten)."""
        step = max(0, state.get("step", 0) - 1)
        answers = {k: v for k, v in state.get("answers", {}).items() if k != self.questions[step].id}
        return {**state, "answers": answers, "step": step}

    def finished(self, state: dict) -> bool:
        return state.get("step", 0) >= len(self.questions)

    # -- reading what the practitioner typed ---------------------------------------------

    def command(self, text: str) -> str | None:
        cleaned = normalise(text or "")
        return next((c for c in COMMANDS if any(p.search(cleaned) for p in self.command_patterns[c])), None)

    def parse_answer(self, text: str, intent: str | None = None) -> str | None:
        """'yes', 'no' or 'not_sure' from free text ("yeah he checks her phone"), else None."""
        cleaned = normalise(text or "")
        for answer in ("not_sure", "no", "yes"):
            if any(p.search(cleaned) for p in self.answer_patterns[answer]):
                return answer
        return {"affirm": "yes", "deny": "no"}.get(intent or "")

    # -- the summary -------------------------------------------------------------------------

    def findings(self, state: dict) -> dict[str, list[Outcome]]:
        """Outcomes of the answers so far, grouped by kind, in question order."""
        grouped: dict[str, list[Outcome]] = {kind: [] for kind in KINDS}
        for question in self.questions:
            answer = state.get("answers", {}).get(question.id)
            if answer is not None:
                outcome = question.outcomes[answer]
                grouped[outcome.kind].append(outcome)
        return grouped

    def summary_lines(self, state: dict, cite: Callable[[Citation], str]) -> list[str]:
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

    def citations(self, state: dict) -> list[Citation]:
        found = self.findings(state)
        cited = [o.citation for kind in ("indicator", "gap", "unclear") for o in found[kind] if o.citation]
        cited += [p.citation for p in self.consequences]
        return list(dict.fromkeys(cited))


# -- loading and validation ---------------------------------------------------------------

TEXT_KEYS = (
    "offer", "start_button", "skip_button", "intro", "summary_intro", "indicators_heading", "no_indicators",
    "unclear_heading", "consequences_heading", "not_a_verdict", "stopped", "not_understood", "resume",
    "back_at_start",
)


def _yes_no_keys(raw):
    """YAML reads unquoted `yes:` and `no:` keys as booleans; give them back their names."""
    if not isinstance(raw, dict):
        return raw
    return {({True: "yes", False: "no"}.get(k, k) if isinstance(k, bool) else k): v for k, v in raw.items()}


def _citation(raw, where: str, problems: list[str], sources: dict | None) -> Citation | None:
    if not isinstance(raw, dict) or not raw.get("source") or not raw.get("section"):
        problems.append(f"{where}: needs a citation with 'source' and 'section'")
        return None
    citation = Citation(str(raw["source"]), str(raw["section"]))
    if sources is not None:
        source = sources.get(citation.source)
        if source is None:
            problems.append(f"{where}: unknown source '{citation.source}'")
        elif source.section(citation.section) is None:
            problems.append(f"{where}: source '{citation.source}' has no section '{citation.section}'")
    return citation


def _patterns(raw, where: str, keys, problems: list[str]) -> dict[str, tuple[re.Pattern, ...]]:
    compiled = {}
    for key in keys:
        values = (raw or {}).get(key)
        if not isinstance(values, list) or not values:
            problems.append(f"{where}.{key}: give at least one regular expression")
            compiled[key] = ()
            continue
        try:
            compiled[key] = tuple(re.compile(v, re.IGNORECASE) for v in values)
        except re.error as exc:
            problems.append(f"{where}.{key}: invalid regular expression: {exc}")
            compiled[key] = ()
    return compiled


def parse_reflection(data: dict, name: str, sources: dict | None = None) -> Reflection:
    """Validate one reflection's data; raise ReflectionError naming file, question and field."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ReflectionError([f"{name}: expected a mapping"])
    for key in ("id", "entry", "title") + TEXT_KEYS:
        if not str(data.get(key) or "").strip():
            problems.append(f"{name}: {key}: is required and must not be empty")
    orientation = data.get("orientation") or {}
    orientation_citations = tuple(
        c for i, raw in enumerate(orientation.get("citations") or [], start=1)
        if (c := _citation(raw, f"{name}: orientation.citations[{i}]", problems, sources))
    )
    if not str(orientation.get("text") or "").strip() or not orientation_citations:
        problems.append(f"{name}: orientation: needs 'text' and at least one citation")
    questions, seen = [], set()
    for index, raw in enumerate(data.get("questions") or [], start=1):
        qid = str((raw or {}).get("id") or f"#{index}")
        where = f"{name}: question '{qid}'"
        if qid in seen:
            problems.append(f"{where}: id: is used twice")
        seen.add(qid)
        if not str((raw or {}).get("text") or "").strip():
            problems.append(f"{where}: text: is required")
        outcomes = {}
        for answer in ANSWERS:
            out = _yes_no_keys((raw or {}).get("outcomes") or {}).get(answer)
            if not isinstance(out, dict) or out.get("kind") not in KINDS:
                problems.append(f"{where}: outcomes.{answer}.kind: must be one of {sorted(KINDS)}")
                continue
            citation = None
            if out["kind"] in CITED_KINDS or out.get("citation"):
                citation = _citation(out.get("citation"), f"{where}: outcomes.{answer}.citation", problems, sources)
            if out["kind"] != "none" and not str(out.get("text") or "").strip():
                problems.append(f"{where}: outcomes.{answer}.text: is required for kind '{out['kind']}'")
            outcomes[answer] = Outcome(out["kind"], " ".join(str(out.get("text") or "").split()), citation)
        questions.append(Question(qid, " ".join(str((raw or {}).get("text") or "").split()), outcomes))
    if not questions:
        problems.append(f"{name}: questions: give at least one question")
    consequences = []
    for index, raw in enumerate(data.get("consequences") or [], start=1):
        citation = _citation((raw or {}).get("citation"), f"{name}: consequences[{index}].citation", problems, sources)
        text = " ".join(str((raw or {}).get("text") or "").split())
        if not text:
            problems.append(f"{name}: consequences[{index}].text: is required")
        if citation and text:
            consequences.append(Point(text, citation))
    answer_patterns = _patterns(_yes_no_keys(data.get("answers")), f"{name}: answers", ANSWERS, problems)
    command_patterns = _patterns(data.get("commands"), f"{name}: commands", COMMANDS, problems)
    buttons = _yes_no_keys(data.get("buttons") or {})
    for key in ANSWERS + ("back", "stop"):
        if not str(buttons.get(key) or "").strip():
            problems.append(f"{name}: buttons.{key}: is required")
    if problems:
        raise ReflectionError(problems)
    return Reflection(
        id=str(data["id"]), entry=str(data["entry"]), title=str(data["title"]),
        orientation=" ".join(str(orientation["text"]).split()), orientation_citations=orientation_citations,
        questions=tuple(questions), consequences=tuple(consequences),
        texts={k: " ".join(str(data[k]).split()) for k in TEXT_KEYS},
        answer_patterns=answer_patterns, command_patterns=command_patterns,
        buttons={k: str(v) for k, v in buttons.items()},
    )


@lru_cache(maxsize=4)
def load_reflection(path: Path, sources: tuple | None = None) -> Reflection:
    """Read and validate a reflection file (``sources``: (id, Source) pairs to check citations)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReflectionError([f"{path.name}: not valid YAML: {exc}"]) from exc
    return parse_reflection(data, path.name, dict(sources) if sources else None)
