"""Validate one scenario's data: its fields, steps, key points, choices, model answers and step graph.

Problems go to the shared ``Context`` with their file, step and field; ``parse_scenario``
returns None for a scenario that cannot be used.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Iterator

from bot.knowledge.schema import Citation, Source, check_citation
from bot.scenarios.marking import Marker
from bot.scenarios.schema import Choice, KeyPoint, Objective, PoorAnswer, Scenario, Step
from bot.text.validation import Problem

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FIELDS = {
    "scenario": {"id", "title", "audience", "citation", "objectives", "steps", "debrief"},
    "step": {"id", "case", "question", "key_points", "choices", "model_answers", "next"},
    "key point": {"id", "objective", "phrases", "present", "missing", "citation", "entry"},
    "choice": {"id", "label", "feedback", "citation", "next", "best"},
    "model answers": {"good", "poor"},
    "poor answer": {"text", "covers"},
}
# What a step's list items hold, as said when one is not a mapping.
ITEM_FIELDS = {"key point": "id, objective, phrases, present, missing, citation, entry",
               "choice": "id, label, feedback, citation and next"}


@dataclass
class Context:
    """What validation checks references against, and where problems go."""

    sources: dict[str, Source]
    entries: dict[str, str]
    marker: Marker
    problems: list[Problem]


class _Place:
    """Reads the fields of one place in one file, reporting problems as "<file>: step 'x': <field>: <message>"."""

    def __init__(self, context: Context, file: str, step: str | None = None):
        self.context, self.file, self.step = context, file, step

    def at(self, step: str) -> "_Place":
        return _Place(self.context, self.file, step)

    def problem(self, field: str, message: str) -> None:
        self.context.problems.append(Problem(self.file, f"step '{self.step}'" if self.step else "", field, message))

    def text(self, raw: dict, key: str, field: str, required: bool = True) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field, "is required and must not be empty")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(field, "must be text")
            return ""
        return " ".join(str(value).split())

    def identifier(self, raw: dict, field: str) -> str:
        value = raw.get("id")
        if value is None:
            self.problem(field, "is required")
            return ""
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(field, f"'{value}' must be lower-case letters, digits, '-' or '_'")
            return ""
        return value

    def fields(self, raw: dict, kind: str, prefix: str = "") -> None:
        for key in raw:
            if key not in FIELDS[kind]:
                known = sorted(FIELDS[kind])
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (known fields: {', '.join(known)})"
                self.problem(f"{prefix}{key}", f"unknown field{hint}")

    def citation(self, raw: Any, field: str) -> Citation | None:
        """The citation, with a "did you mean" for an unknown source or section."""
        sources = self.context.sources

        def report(at: str, message: str) -> None:
            if at.endswith(".source") and isinstance(raw, dict):
                hint = did_you_mean(str(raw.get("source")), list(sources))
                message = message.replace(" (see knowledge/sources.yml)", hint) if hint else message
            elif at.endswith(".section") and isinstance(raw, dict) and raw.get("source") in sources:
                message += did_you_mean(str(raw.get("section")), [s.id for s in sources[raw["source"]].sections])
            self.problem(at, message)

        return check_citation(raw, field, sources, report)


def did_you_mean(value: str, known: list[str]) -> str:
    """' (did you mean 'x'?)' for the known id closest to an unknown one, or ''."""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_scenario(data: Any, file: str, context: Context) -> Scenario | None:
    """Validate one scenario's data, adding problems to ``context``; None if it cannot be used."""
    place = _Place(context, file)
    before = len(context.problems)
    if not isinstance(data, dict):
        place.problem("", "expected a mapping with id, title, audience, citation, objectives and steps")
        return None
    place.fields(data, "scenario")
    sid = place.identifier(data, "id")
    title = place.text(data, "title", "title")
    audience = place.text(data, "audience", "audience")
    citation = place.citation(data.get("citation"), "citation")
    objectives = _objectives(data.get("objectives"), place)
    objective_ids = {o.id for o in objectives} if objectives is not None else None
    objectives = objectives or []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        place.problem("steps", "must be a non-empty list of steps")
        raw_steps = []
    step_ids = _step_ids(raw_steps, place)
    steps = [
        _step(raw, place.at(step_ids[index]), objective_ids, set(step_ids))
        for index, raw in enumerate(raw_steps) if isinstance(raw, dict)
    ]
    steps = [s for s in steps if s is not None]
    if steps and len(steps) == len(raw_steps) and len(set(step_ids)) == len(step_ids):
        _check_graph(steps, place)
    served = {kp.objective for s in steps for kp in s.key_points}
    for index, objective in enumerate(objectives, start=1):
        if steps and len(steps) == len(raw_steps) and objective.id not in served:
            place.problem(f"objectives[{index}]", f"objective '{objective.id}' is not served by any key point")
    if len(context.problems) > before or citation is None:
        return None
    return Scenario(sid, title, audience, citation, tuple(objectives), tuple(steps),
                    debrief=place.text(data, "debrief", "debrief", required=False), file=file)


def _objectives(raw: Any, place: _Place) -> list[Objective] | None:
    """The objectives, or None when they are not a list of mappings (then key points are not checked)."""
    if not isinstance(raw, list) or not raw or not all(isinstance(o, dict) for o in raw):
        place.problem("objectives", "must be a list of {id, text}, one per learning objective")
        return None
    objectives, seen = [], set()
    for index, item in enumerate(raw, start=1):
        oid = place.identifier(item, f"objectives[{index}].id")
        if oid in seen:
            place.problem(f"objectives[{index}].id", f"'{oid}' is used twice")
        seen.add(oid)
        text = place.text(item, "text", f"objectives[{index}].text")
        if oid and text:
            objectives.append(Objective(oid, text))
    return objectives


def _step_ids(raw_steps: list, place: _Place) -> list[str]:
    ids, seen = [], set()
    for index, raw in enumerate(raw_steps, start=1):
        if not isinstance(raw, dict):
            place.problem(f"steps[{index}]", "expected a mapping with id, case and question")
            ids.append(f"#{index}")
            continue
        sid = place.identifier(raw, f"steps[{index}].id") or f"#{index}"
        if sid in seen:
            place.at(sid).problem("id", "is used by another step")
        seen.add(sid)
        ids.append(sid)
    return ids


def _step(raw: dict, place: _Place, objectives: set[str] | None, step_ids: set[str]) -> Step | None:
    place.fields(raw, "step")
    sid = place.step
    case = place.text(raw, "case", "case")
    question = place.text(raw, "question", "question")
    has_points, has_choices = "key_points" in raw, "choices" in raw
    if has_points and has_choices:
        place.problem("choices", "a step has either key_points (a typed answer) or choices (buttons), not both")
        return None
    if not has_points and not has_choices:
        place.problem("key_points", "give the key points of a good answer (or choices, for a step with buttons)")
        return None
    next_step = _next(raw.get("next"), "next", place, step_ids)
    if has_choices:
        if "next" in raw:
            place.problem("next", "a choice step goes on from each choice's own 'next'")
        if "model_answers" in raw:
            place.problem("model_answers", "a choice step has no typed answers: mark the best choice with 'best: true'")
        choices = _choices(raw.get("choices"), place, step_ids)
        return Step(sid, case, question, choices=choices)
    key_points = _key_points(raw.get("key_points"), place, objectives)
    good, poor = _model_answers(raw.get("model_answers"), place, Step(sid, case, question, key_points=key_points))
    return Step(sid, case, question, key_points=key_points, good_answers=good, poor_answers=poor, next=next_step)


def _next(value: Any, field: str, place: _Place, step_ids: set[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in step_ids:
        place.problem(field, f"unknown step '{value}'{did_you_mean(str(value), sorted(step_ids))}")
        return None
    return value


def _items(raw: list, place: _Place, name: str, kind: str) -> Iterator[tuple[str, dict, str]]:
    """(field, mapping, id) for each item of a step's ``name`` list, its fields and unique id checked."""
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        field = f"{name}[{index}]"
        if not isinstance(item, dict):
            place.problem(field, f"expected a mapping with {ITEM_FIELDS[kind]}")
            continue
        place.fields(item, kind, f"{field}.")
        iid = place.identifier(item, f"{field}.id")
        if iid and iid in seen:
            place.problem(f"{field}.id", f"'{iid}' is used twice in this step")
        seen.add(iid)
        yield field, item, iid


def _key_points(raw: Any, place: _Place, objectives: set[str] | None) -> tuple[KeyPoint, ...]:
    if not isinstance(raw, list) or not raw:
        place.problem("key_points", "must be a non-empty list of key points")
        return ()
    points = []
    for field, item, kid in _items(raw, place, "key_points", "key point"):
        objective = place.text(item, "objective", f"{field}.objective")
        if objective and objectives is not None and objective not in objectives:
            place.problem(f"{field}.objective", f"unknown objective '{objective}'{did_you_mean(objective, sorted(objectives))}")
        phrases = _phrases(item.get("phrases"), f"{field}.phrases", place)
        entry = place.text(item, "entry", f"{field}.entry")
        if entry and entry not in place.context.entries:
            hint = did_you_mean(entry, list(place.context.entries)) or " (see `bot knowledge entries`)"
            place.problem(f"{field}.entry", f"unknown knowledge entry '{entry}'{hint}")
        point = KeyPoint(
            id=kid, objective=objective, phrases=phrases,
            present=place.text(item, "present", f"{field}.present"),
            missing=place.text(item, "missing", f"{field}.missing"),
            citation=place.citation(item.get("citation"), f"{field}.citation"), entry=entry,
        )
        points.append(point)
    return tuple(points)


def _phrases(raw: Any, field: str, place: _Place):
    if not isinstance(raw, list) or not raw:
        place.problem(field, "must be a non-empty list")
        return ()
    phrases = []
    for index, text in enumerate(raw, start=1):
        if not isinstance(text, str) or not text.strip():
            place.problem(f"{field}[{index}]", "must be a non-empty phrase")
            continue
        phrase = place.context.marker.matcher.phrase(text)
        if not phrase.lemmas:
            place.problem(f"{field}[{index}]", f"'{text}' has no content words to match (only words like 'the', 'to')")
            continue
        phrases.append(phrase)
    return tuple(phrases)


def _model_answers(raw: Any, place: _Place, step: Step):
    """The model answers, checked by their words (so the check does not need the encoder): a good
    answer covers every key point; a poor answer covers exactly what its ``covers`` lists."""
    key_points = step.key_points
    if not isinstance(raw, dict) or raw.get("good") in (None, "", []):
        place.problem("model_answers.good", "give at least one good model answer")
        return (), ()
    place.fields(raw, "model answers", "model_answers.")
    good_raw = raw["good"] if isinstance(raw["good"], list) else [raw["good"]]
    good = []
    marker = place.context.marker
    complete = all(kp.id and kp.phrases for kp in key_points)
    for index, text in enumerate(good_raw, start=1):
        field = f"model_answers.good[{index}]"
        if not isinstance(text, str) or not text.strip():
            place.problem(field, "must be text")
            continue
        good.append(" ".join(text.split()))
        if complete:
            covered = marker.mark_points(step, key_points, text, lexical_only=True).covered
            for kp in key_points:
                if kp.id not in covered:
                    phrases = ", ".join(f"'{p.text}'" for p in kp.phrases)
                    place.problem(field, f"does not cover key point '{kp.id}' (none of its phrases match: {phrases})")
    poor = []
    poor_raw = raw.get("poor")
    if poor_raw is not None:
        poor_raw = poor_raw if isinstance(poor_raw, list) else [poor_raw]
        for index, item in enumerate(poor_raw, start=1):
            answer = _poor_answer(item, f"model_answers.poor[{index}]", place, step, complete)
            if answer is not None:
                poor.append(answer)
    return tuple(good), tuple(poor)


def _poor_answer(item: Any, field: str, place: _Place, step: Step, complete: bool) -> PoorAnswer | None:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
        place.problem(field, "must be a mapping with 'text' and 'covers' (the key points it covers)")
        return None
    place.fields(item, "poor answer", f"{field}.")
    covers = item.get("covers") or []
    if not isinstance(covers, list) or not all(isinstance(c, str) for c in covers):
        place.problem(f"{field}.covers", "must be a list of key point ids (empty if it covers none)")
        return None
    ids = [kp.id for kp in step.key_points]
    for unknown in [c for c in covers if c not in ids]:
        place.problem(f"{field}.covers", f"unknown key point '{unknown}'{did_you_mean(unknown, ids)}")
    if complete:
        covered = place.context.marker.mark_points(step, step.key_points, item["text"], lexical_only=True).covered
        for kid in [k for k in covered if k not in covers]:
            place.problem(field, f"covers key point '{kid}', which 'covers' does not list")
        for kid in [k for k in covers if k in ids and k not in covered]:
            place.problem(field, f"does not cover key point '{kid}', which 'covers' lists")
    return PoorAnswer(" ".join(item["text"].split()), tuple(covers))


def _choices(raw: Any, place: _Place, step_ids: set[str]) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        place.problem("choices", "must be a list of at least two choices")
        return ()
    choices = []
    for field, item, cid in _items(raw, place, "choices", "choice"):
        best = item.get("best", False)
        if not isinstance(best, bool):
            place.problem(f"{field}.best", "must be true or false")
        choices.append(Choice(
            id=cid, label=place.text(item, "label", f"{field}.label"),
            feedback=place.text(item, "feedback", f"{field}.feedback"),
            citation=place.citation(item.get("citation"), f"{field}.citation"),
            next=_next(item.get("next"), f"{field}.next", place, step_ids), best=best is True,
        ))
    if sum(c.best for c in choices) != 1:
        place.problem("choices", "mark exactly one choice with 'best: true' (the one the sources support)")
    return tuple(choices)


def _check_graph(steps: list[Step], place: _Place) -> None:
    """Every step is reachable from the first, and every step can reach an end."""
    by_id = {s.id: s for s in steps}
    reachable, todo = set(), [steps[0].id]
    while todo:
        sid = todo.pop()
        if sid in reachable:
            continue
        reachable.add(sid)
        todo += [n for n in by_id[sid].successors() if n]
    for step in steps:
        if step.id not in reachable:
            place.at(step.id).problem("id", "is unreachable: no 'next' leads to this step from the first step")
    ends = {s.id for s in steps if None in s.successors()}
    changed = True
    while changed:
        before = len(ends)
        ends |= {s.id for s in steps if any(n in ends for n in s.successors())}
        changed = len(ends) != before
    for step in steps:
        if step.id in reachable and step.id not in ends:
            place.at(step.id).problem("next", "goes round in a cycle that never reaches an end")
