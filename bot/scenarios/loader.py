"""Read and validate training scenarios (``knowledge/scenarios/*.yml``).

Every problem is collected and reported with its file, step and field, so a trainer can
fix a whole file in one pass. Files whose names start with "_" hold the shared settings
(``_settings.yml``) and everyday synonyms (``_synonyms.yml``), not scenarios.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bot.config import PROJECT_ROOT, load_settings
from bot.knowledge.schema import Knowledge
from bot.scenarios.matching import Matcher, SynonymsError, load_vocabulary
from bot.scenarios.parse import Context, parse_scenario
from bot.scenarios.schema import Scenario, ScenarioLibrary, ScenarioSettings
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_mapping, read_yaml, reporter

logger = logging.getLogger(__name__)
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
        folder = display_path(Path(config_dir))
        raise ScenarioError([Problem(f"{folder}/{p.file}", p.place, p.field, p.message) for p in exc.problems]) from exc


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
    context = Context(knowledge.sources, {e.id: e.title for e in knowledge.entries.values()}, matcher, [])
    scenarios: dict[str, Scenario] = {}
    files = scenario_files(path)
    if not files:
        context.problems.append(Problem(display_path(path), message="no scenario files (*.yml) found"))
    for file_path in files:
        file = display_path(file_path)
        before = len(context.problems)
        data = read_yaml(file_path, reporter(context.problems, file))
        if len(context.problems) > before:
            continue
        scenario = parse_scenario(data, file, context)
        if scenario is None:
            continue
        if scenario.id in scenarios:
            used_in = scenarios[scenario.id].file
            context.problems.append(Problem(file, "", "id", f"'{scenario.id}' is already used in {used_in}"))
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
