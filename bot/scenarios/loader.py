"""Read and validate training scenarios (``knowledge/scenarios/*.yml``).

Every problem is collected and reported with its file, step and field, so a trainer can
fix a whole file in one pass. Files whose names start with "_" hold the shared settings
(``_settings.yml``) and everyday synonyms (``_synonyms.yml``), not scenarios.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import PROJECT_ROOT, load_settings
from bot.knowledge.schema import Knowledge
from bot.scenarios.marking import Marker
from bot.scenarios.matching import Matcher, SynonymsError, load_vocabulary
from bot.scenarios.parse import Context, parse_scenario
from bot.scenarios.schema import Scenario, ScenarioLibrary, ScenarioSettings
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_mapping, read_yaml, reporter

if TYPE_CHECKING:
    from bot.scenarios.meaning import Meaning

SETTINGS_FILE = "_settings.yml"
SYNONYMS_FILE = "_synonyms.yml"
COMMANDS = ("quit", "pause", "repeat", "continue")
BUTTONS = ("continue", "repeat", "pause", "quit", "restart")
GROUP_PATTERNS = ("open", "join")
# Each text and the placeholders it may use (checked, so a typo is caught by validation).
TEXTS: dict[str, set[str]] = {
    "menu_prompt": set(), "menu_empty": set(), "menu_button": {"title", "audience"}, "unknown_scenario": set(),
    "intro": {"title"}, "audience": {"audience"}, "objectives_heading": set(), "based_on": {"citation"},
    "instructions": set(), "step_heading": {"number"}, "reminder": set(), "choose_prompt": set(),
    "covered_heading": set(), "missed_heading": set(), "nothing_covered": set(), "all_covered": set(),
    "empty_answer": set(), "not_a_choice": set(), "stale_choice": set(), "choice_feedback": {"label"}, "debrief_heading": set(),
    "summary_heading": {"title"}, "objective_line": {"objective", "covered", "total"}, "revisit_heading": set(),
    "choices_heading": set(), "choice_line": {"question", "label", "feedback"},
    "changed": {"title"}, "removed": set(), "group_opened": {"code", "title"}, "group_code_made": set(),
    "group_joined": {"code"}, "group_unknown": set(),
    "nothing_to_revisit": set(), "finished": set(), "paused": set(), "resumed": set(), "continue_offer": set(),
    "quit": set(), "not_playing": set(), "list_item": {"text"}, "cited": {"text", "citation"},
}
# The word lists of the settings, each as (section, key).
WORD_LISTS = (("questions", "question_openers"), ("questions", "answer_openers"), ("questions", "embedded_subjects"),
              ("requests", "generic_words"))


class ScenarioError(ContentError):
    """Scenarios do not validate; carries every problem found (file, step and field in each)."""


def display_path(path: Path) -> str:
    """A path as the trainer knows it: relative to the project when it is inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


# -- settings --------------------------------------------------------------------------------

def load_settings_file(path: Path) -> ScenarioSettings:
    """Read ``_settings.yml``: texts (with known placeholders), buttons, commands, question words."""
    file = display_path(path)
    data = read_mapping(path, file, ScenarioError)
    problems: list[Problem] = []
    report = reporter(problems, file)
    texts = {}
    for key, allowed in TEXTS.items():
        value = (data.get("texts") or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            report(f"texts.{key}", "is required and must not be empty")
            continue
        used = set(re.findall(r"{(\w*)}", value))
        for name in sorted(used - allowed):
            report(f"texts.{key}", f"unknown placeholder '{{{name}}}' (allowed: {sorted(allowed)})")
        texts[key] = " ".join(value.split())
    buttons = {}
    for key in BUTTONS:
        value = (data.get("buttons") or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            report(f"buttons.{key}", "is required")
        buttons[key] = str(value or "")
    commands = {key: compile_patterns((data.get("commands") or {}).get(key), f"commands.{key}", report)
                for key in COMMANDS}
    groups = {key: compile_patterns((data.get("groups") or {}).get(key), f"groups.{key}", report)
              for key in GROUP_PATTERNS}
    lists = {}
    for section, key in WORD_LISTS:
        value = (data.get(section) or {}).get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            report(f"{section}.{key}", "must be a list of words")
            value = []
        lists[key] = tuple(sorted((normalise(v) for v in value), key=len, reverse=True))
    poor = data.get("default_poor_answer")
    if not isinstance(poor, str) or not poor.strip():
        report("default_poor_answer", "is required")
    if problems:
        raise ScenarioError(problems)
    return ScenarioSettings(texts=texts, buttons=buttons, commands=commands, groups=groups,
                            default_poor_answer=str(poor), **lists)


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
        folder = display_path(Path(config_dir))
        raise ScenarioError([Problem(f"{folder}/{p.file}", p.place, p.field, p.message) for p in exc.problems]) from exc


def load_scenarios(path: Path, knowledge: Knowledge, nlp, config_dir: Path | None = None,
                   matcher: Matcher | None = None, meaning: "Meaning | None" = None) -> ScenarioLibrary:
    """Read and validate every scenario at ``path``; raise ScenarioError listing every problem.

    ``knowledge`` supplies the sources, entries and terms the scenarios refer to; ``nlp`` is the
    project's spaCy pipeline (``analyser_for(knowledge_dir).nlp``). Settings and synonyms come
    from ``config_dir`` (default: the folder itself if it has ``_settings.yml``, else the
    shipped ``knowledge/scenarios``). With ``meaning`` (the sentence encoder's check) answers
    are marked in meaning too; model answers are checked by their words either way.
    """
    path = Path(path)
    if not path.exists():
        raise ScenarioError([f"{display_path(path)}: no such file or folder"])
    folder = path if path.is_dir() else path.parent
    if config_dir is None:
        config_dir = folder if (folder / SETTINGS_FILE).exists() else load_settings().scenarios_dir
    settings = load_settings_file(Path(config_dir) / SETTINGS_FILE)
    marker = Marker(matcher or build_matcher(knowledge, nlp, Path(config_dir)), meaning)
    context = new_context(knowledge, marker)
    scenarios: dict[str, Scenario] = {}
    files = scenario_files(path)
    if not files:
        context.problems.append(Problem(display_path(path), message="no scenario files (*.yml) found"))
    for file_path in files:
        scenario = read_scenario(file_path, context)
        if scenario is None:
            continue
        if scenario.id in scenarios:
            context.problems.append(duplicate(scenario, scenarios[scenario.id]))
            continue
        scenarios[scenario.id] = scenario
    if context.problems:
        raise ScenarioError(context.problems)
    marker.prepare(step for s in scenarios.values() for step in s.steps)
    return ScenarioLibrary(scenarios, settings, marker, knowledge.sources, context.entries,
                           {s.id: s.file for s in scenarios.values()})


def new_context(knowledge: Knowledge, marker: Marker) -> Context:
    """What scenario files are checked against, with an empty list of problems."""
    return Context(knowledge.sources, {e.id: e.title for e in knowledge.entries.values()}, marker, [])


def read_scenario(file_path: Path, context: Context) -> Scenario | None:
    """One scenario file, validated (its problems go to ``context``); None if it cannot be used."""
    file = display_path(file_path)
    before = len(context.problems)
    data = read_yaml(file_path, reporter(context.problems, file))
    if len(context.problems) > before:
        return None
    return parse_scenario(data, file, context)


def duplicate(scenario: Scenario, first: Scenario) -> Problem:
    return Problem(scenario.file, "", "id", f"'{scenario.id}' is already used in {first.file}")



def library_for(directory: Path | None = None, knowledge_dir: Path | None = None) -> ScenarioLibrary:
    """The running assistant's scenarios (``bot.scenarios.live.library_for``; kept here for its callers)."""
    from bot.scenarios.live import library_for as live_library

    return live_library(directory, knowledge_dir)
