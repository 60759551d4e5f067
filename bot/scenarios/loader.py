"""Read and validate training scenarios (``knowledge/scenarios/*.yml``).

Every problem is collected and reported with its file, step and field, so a trainer can
fix a whole file in one pass. Files whose names start with "_" hold the shared settings
(``_settings.yml``) and everyday synonyms (``_synonyms.yml``), not scenarios.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT, load_settings
from bot.knowledge.schema import Citation, Knowledge, Source
from bot.nlp.pipeline import normalise
from bot.scenarios.matching import Matcher, SynonymsError, load_vocabulary
from bot.scenarios.schema import (
    Choice,
    KeyPoint,
    Objective,
    PoorAnswer,
    Scenario,
    ScenarioLibrary,
    ScenarioSettings,
    Step,
)

logger = logging.getLogger(__name__)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SETTINGS_FILE = "_settings.yml"
SYNONYMS_FILE = "_synonyms.yml"
COMMANDS = ("quit", "pause", "repeat", "continue")
BUTTONS = ("continue", "repeat", "pause", "quit")
# Each text and the placeholders it may use (checked, so a typo is caught by validation).
TEXTS: dict[str, set[str]] = {
    "menu_prompt": set(), "menu_empty": set(), "menu_button": {"title", "audience"}, "unknown_scenario": set(),
    "intro": {"title"}, "audience": {"audience"}, "objectives_heading": set(), "based_on": {"citation"},
    "instructions": set(), "step_heading": {"number"}, "reminder": set(), "choose_prompt": set(),
    "covered_heading": set(), "missed_heading": set(), "nothing_covered": set(), "all_covered": set(),
    "empty_answer": set(), "not_a_choice": set(), "choice_feedback": {"label"}, "debrief_heading": set(),
    "summary_heading": {"title"}, "objective_line": {"objective", "covered", "total"}, "revisit_heading": set(),
    "nothing_to_revisit": set(), "finished": set(), "paused": set(), "resumed": set(), "continue_offer": set(),
    "quit": set(), "not_playing": set(),
}
FIELDS = {
    "scenario": {"id", "title", "audience", "citation", "objectives", "steps", "debrief"},
    "step": {"id", "case", "question", "key_points", "choices", "model_answers", "next"},
    "key point": {"id", "objective", "phrases", "present", "missing", "citation", "entry"},
    "choice": {"id", "label", "feedback", "citation", "next", "best"},
    "model answers": {"good", "poor"},
    "poor answer": {"text", "covers"},
}


class ScenarioError(Exception):
    """Scenarios do not validate; carries every problem found (file, step and field in each)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the scenarios:\n" + "\n".join(f"  - {p}" for p in problems))


def display_path(path: Path) -> str:
    """A path as the trainer knows it: relative to the project when it is inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


@dataclass
class _Context:
    """What validation checks references against, and where problems go."""

    sources: dict[str, Source]
    entries: dict[str, str]
    matcher: Matcher
    problems: list[str]


class _Place:
    """Builds problem strings for one place in one file: "<file>: step 'x': <field>: <message>"."""

    def __init__(self, context: _Context, file: str, step: str | None = None):
        self.context, self.file, self.step = context, file, step

    def at(self, step: str) -> "_Place":
        return _Place(self.context, self.file, step)

    def problem(self, field: str, message: str) -> None:
        where = f"{self.file}: step '{self.step}'" if self.step else self.file
        self.context.problems.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")

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
                close = difflib.get_close_matches(str(key), sorted(FIELDS[kind]), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (known fields: {', '.join(sorted(FIELDS[kind]))})"
                self.problem(f"{prefix}{key}", f"unknown field{hint}")

    def citation(self, raw: Any, field: str) -> Citation | None:
        if not isinstance(raw, dict) or not raw.get("source") or not raw.get("section"):
            self.problem(field, "needs a citation with 'source' and 'section'")
            return None
        citation = Citation(str(raw["source"]), str(raw["section"]))
        source = self.context.sources.get(citation.source)
        if source is None:
            self.problem(f"{field}.source", f"unknown source '{citation.source}' (see knowledge/sources.yml)")
            return None
        if source.section(citation.section) is None:
            self.problem(f"{field}.section", f"source '{citation.source}' has no section '{citation.section}'")
            return None
        return citation


# -- one scenario ----------------------------------------------------------------------------

def parse_scenario(data: Any, file: str, context: _Context) -> Scenario | None:
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
    good, poor = _model_answers(raw.get("model_answers"), place, key_points)
    return Step(sid, case, question, key_points=key_points, good_answers=good, poor_answers=poor, next=next_step)


def _next(value: Any, field: str, place: _Place, step_ids: set[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in step_ids:
        place.problem(field, f"unknown step '{value}'")
        return None
    return value


def _key_points(raw: Any, place: _Place, objectives: set[str] | None) -> tuple[KeyPoint, ...]:
    if not isinstance(raw, list) or not raw:
        place.problem("key_points", "must be a non-empty list of key points")
        return ()
    points, seen = [], set()
    for index, item in enumerate(raw, start=1):
        field = f"key_points[{index}]"
        if not isinstance(item, dict):
            place.problem(field, "expected a mapping with id, objective, phrases, present, missing, citation, entry")
            continue
        place.fields(item, "key point", f"{field}.")
        kid = place.identifier(item, f"{field}.id")
        if kid and kid in seen:
            place.problem(f"{field}.id", f"'{kid}' is used twice in this step")
        seen.add(kid)
        objective = place.text(item, "objective", f"{field}.objective")
        if objective and objectives is not None and objective not in objectives:
            place.problem(f"{field}.objective", f"unknown objective '{objective}'")
        phrases = _phrases(item.get("phrases"), f"{field}.phrases", place)
        entry = place.text(item, "entry", f"{field}.entry")
        if entry and entry not in place.context.entries:
            place.problem(f"{field}.entry", f"unknown knowledge entry '{entry}' (see knowledge/entries)")
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
        phrase = place.context.matcher.phrase(text)
        if not phrase.lemmas:
            place.problem(f"{field}[{index}]", f"'{text}' has no content words to match (only words like 'the', 'to')")
            continue
        phrases.append(phrase)
    return tuple(phrases)


def covered_points(matcher: Matcher, key_points, answer: str) -> list[str]:
    """Ids of the key points the answer covers, in the step's order."""
    tokens = matcher.analyse(answer)
    return [kp.id for kp in key_points if any(matcher.found(p, tokens) for p in kp.phrases)]


def _model_answers(raw: Any, place: _Place, key_points: tuple[KeyPoint, ...]):
    if not isinstance(raw, dict) or raw.get("good") in (None, "", []):
        place.problem("model_answers.good", "give at least one good model answer")
        return (), ()
    place.fields(raw, "model answers", "model_answers.")
    good_raw = raw["good"] if isinstance(raw["good"], list) else [raw["good"]]
    good = []
    complete = all(kp.id and kp.phrases for kp in key_points)
    for index, text in enumerate(good_raw, start=1):
        field = f"model_answers.good[{index}]"
        if not isinstance(text, str) or not text.strip():
            place.problem(field, "must be text")
            continue
        good.append(" ".join(text.split()))
        if complete:
            covered = covered_points(place.context.matcher, key_points, text)
            for kp in key_points:
                if kp.id not in covered:
                    phrases = ", ".join(f"'{p.text}'" for p in kp.phrases)
                    place.problem(field, f"does not cover key point '{kp.id}' (none of its phrases match: {phrases})")
    poor = []
    poor_raw = raw.get("poor")
    if poor_raw is not None:
        poor_raw = poor_raw if isinstance(poor_raw, list) else [poor_raw]
        ids = {kp.id for kp in key_points}
        for index, item in enumerate(poor_raw, start=1):
            field = f"model_answers.poor[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
                place.problem(field, "must be a mapping with 'text' and 'covers' (the key points it covers)")
                continue
            place.fields(item, "poor answer", f"{field}.")
            covers = item.get("covers") or []
            if not isinstance(covers, list) or not all(isinstance(c, str) for c in covers):
                place.problem(f"{field}.covers", "must be a list of key point ids (empty if it covers none)")
                continue
            for unknown in [c for c in covers if c not in ids]:
                place.problem(f"{field}.covers", f"unknown key point '{unknown}'")
            if complete:
                actual = covered_points(place.context.matcher, key_points, item["text"])
                for kid in [k for k in actual if k not in covers]:
                    place.problem(field, f"covers key point '{kid}', which 'covers' does not list")
                for kid in [k for k in covers if k in ids and k not in actual]:
                    place.problem(field, f"does not cover key point '{kid}', which 'covers' lists")
            poor.append(PoorAnswer(" ".join(item["text"].split()), tuple(covers)))
    return tuple(good), tuple(poor)


def _choices(raw: Any, place: _Place, step_ids: set[str]) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        place.problem("choices", "must be a list of at least two choices")
        return ()
    choices, seen = [], set()
    for index, item in enumerate(raw, start=1):
        field = f"choices[{index}]"
        if not isinstance(item, dict):
            place.problem(field, "expected a mapping with id, label, feedback, citation and next")
            continue
        place.fields(item, "choice", f"{field}.")
        cid = place.identifier(item, f"{field}.id")
        if cid and cid in seen:
            place.problem(f"{field}.id", f"'{cid}' is used twice in this step")
        seen.add(cid)
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


# -- settings --------------------------------------------------------------------------------

def load_settings_file(path: Path) -> ScenarioSettings:
    """Read ``_settings.yml``: texts (with known placeholders), buttons, commands, question words."""
    file = display_path(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError([f"{file}: cannot read: {' '.join(str(exc).split())}"]) from exc
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ScenarioError([f"{file}: expected a mapping"])
    texts = {}
    for key, allowed in TEXTS.items():
        value = (data.get("texts") or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{file}: texts.{key}: is required and must not be empty")
            continue
        used = set(re.findall(r"{(\w*)}", value))
        for name in sorted(used - allowed):
            problems.append(f"{file}: texts.{key}: unknown placeholder '{{{name}}}' (allowed: {sorted(allowed)})")
        texts[key] = " ".join(value.split())
    buttons = {}
    for key in BUTTONS:
        value = (data.get("buttons") or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{file}: buttons.{key}: is required")
        buttons[key] = str(value or "")
    commands = {}
    for key in COMMANDS:
        values = (data.get("commands") or {}).get(key)
        if not isinstance(values, list) or not values:
            problems.append(f"{file}: commands.{key}: give at least one regular expression")
            continue
        try:
            commands[key] = tuple(re.compile(v, re.IGNORECASE) for v in values)
        except re.error as exc:
            problems.append(f"{file}: commands.{key}: invalid regular expression: {exc}")
    questions = data.get("questions") or {}
    lists = {}
    for key in ("question_openers", "answer_openers", "embedded_subjects"):
        value = questions.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"{file}: questions.{key}: must be a list of words")
            value = []
        lists[key] = tuple(sorted((normalise(v) for v in value), key=len, reverse=True))
    poor = data.get("default_poor_answer")
    if not isinstance(poor, str) or not poor.strip():
        problems.append(f"{file}: default_poor_answer: is required")
    if problems:
        raise ScenarioError(problems)
    return ScenarioSettings(texts=texts, buttons=buttons, commands=commands, default_poor_answer=str(poor), **lists)


# -- a folder (or one file) ------------------------------------------------------------------

def scenario_files(path: Path) -> list[Path]:
    """The scenario files at ``path`` (a folder or one file); "_" files are settings."""
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.yml") if not p.name.startswith("_"))


def build_matcher(knowledge: Knowledge, nlp, config_dir: Path) -> Matcher:
    """The answer matcher for a knowledge folder's terms and a scenarios folder's synonyms."""
    try:
        return Matcher(nlp, load_vocabulary(Path(config_dir) / SYNONYMS_FILE, knowledge.terms))
    except SynonymsError as exc:
        raise ScenarioError([f"{display_path(Path(config_dir))}/{p}" for p in exc.problems]) from exc


def load_scenarios(path: Path, knowledge: Knowledge, nlp, config_dir: Path | None = None,
                   matcher: Matcher | None = None) -> ScenarioLibrary:
    """Read and validate every scenario at ``path``; raise ScenarioError listing every problem.

    ``knowledge`` supplies the sources, entries and terms the scenarios refer to; ``nlp`` is the
    project's spaCy pipeline (``analyser_for(knowledge_dir).nlp``). Settings and synonyms come
    from ``config_dir`` (default: the folder itself if it has ``_settings.yml``, else the
    shipped ``knowledge/scenarios``).
    """
    path = Path(path)
    if not path.exists():
        raise ScenarioError([f"{display_path(path)}: no such file or folder"])
    folder = path if path.is_dir() else path.parent
    if config_dir is None:
        config_dir = folder if (folder / SETTINGS_FILE).exists() else load_settings().scenarios_dir
    settings = load_settings_file(Path(config_dir) / SETTINGS_FILE)
    matcher = matcher or build_matcher(knowledge, nlp, Path(config_dir))
    context = _Context(knowledge.sources, {e.id: e.title for e in knowledge.entries.values()}, matcher, [])
    scenarios: dict[str, Scenario] = {}
    files = scenario_files(path)
    if not files:
        context.problems.append(f"{display_path(path)}: no scenario files (*.yml) found")
    for file_path in files:
        file = display_path(file_path)
        try:
            data = yaml.safe_load(file_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            context.problems.append(f"{file}: not valid YAML: {' '.join(str(exc).split())}")
            continue
        except UnicodeDecodeError as exc:
            context.problems.append(f"{file}: not UTF-8 text: {exc}")
            continue
        scenario = parse_scenario(data, file, context)
        if scenario is None:
            continue
        if scenario.id in scenarios:
            context.problems.append(f"{file}: id: '{scenario.id}' is already used in {scenarios[scenario.id].file}")
            continue
        scenarios[scenario.id] = scenario
    if context.problems:
        raise ScenarioError(context.problems)
    return ScenarioLibrary(scenarios, settings, matcher, knowledge.sources, context.entries,
                           {s.id: s.file for s in scenarios.values()})


# -- the running assistant's copy ------------------------------------------------------------

_cache: dict[tuple[str, str], tuple[tuple, ScenarioLibrary]] = {}


def _fingerprint(directory: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(Path(directory).glob("*.yml")))


def library_for(directory: Path | None = None, knowledge_dir: Path | None = None) -> ScenarioLibrary:
    """The scenarios in ``directory``, read again whenever a file there is added, changed or
    removed, so the running action server picks up a new scenario without a restart or retraining.

    If a changed file does not validate, the last good library is kept (and the problems logged)
    until the files change again; with no good library yet, the ScenarioError is raised.
    """
    from bot.knowledge.loader import load_knowledge
    from bot.nlp.pipeline import analyser_for

    settings = load_settings()
    directory = Path(directory or settings.scenarios_dir)
    knowledge_dir = Path(knowledge_dir or settings.knowledge_dir)
    key = (str(directory), str(knowledge_dir))
    fingerprint = _fingerprint(directory)
    cached = _cache.get(key)
    if cached and cached[0] == fingerprint:
        return cached[1]
    try:
        library = load_scenarios(
            directory, _knowledge(knowledge_dir, load_knowledge), analyser_for(knowledge_dir).nlp,
            matcher=cached[1].matcher if cached and _same_synonyms(cached[0], fingerprint) else None)
    except ScenarioError as exc:
        if cached is None:
            raise
        logger.warning("Keeping the scenarios loaded before: %s", exc)
        library = cached[1]
    _cache[key] = (fingerprint, library)
    return library


_knowledge_cache: dict[str, Knowledge] = {}


def _knowledge(knowledge_dir: Path, load) -> Knowledge:
    if str(knowledge_dir) not in _knowledge_cache:
        _knowledge_cache[str(knowledge_dir)] = load(knowledge_dir)
    return _knowledge_cache[str(knowledge_dir)]


def _same_synonyms(old: tuple, new: tuple) -> bool:
    def pick(fp):
        return [f for f in fp if f[0] == SYNONYMS_FILE]

    return pick(old) == pick(new)
