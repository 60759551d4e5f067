"""The running assistant's scenarios: read again when a file changes, each file on its own.

A scenario file that does not validate as it is now keeps its last good version in play (or is
left out, if it never loaded), and the others load as usual; its problems (file, step, field)
are kept on the library (``problems``), logged once, and listed by ``scenario_problems`` (for
``bot run``). A broken ``_settings.yml`` or ``_synonyms.yml`` keeps the last good settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bot.config import load_settings
from bot.knowledge.schema import Knowledge
from bot.scenarios.loader import (
    SETTINGS_FILE,
    SYNONYMS_FILE,
    ScenarioError,
    build_matcher,
    duplicate,
    load_settings_file,
    new_context,
    read_scenario,
    scenario_files,
)
from bot.scenarios.marking import Marker
from bot.scenarios.schema import Scenario, ScenarioLibrary, ScenarioSettings
from bot.text.validation import ContentError, Problem

logger = logging.getLogger(__name__)


def _fingerprint(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return ()
    return (stat.st_mtime_ns, stat.st_size)


@dataclass
class _File:
    """One scenario file: the version last read, its last good scenario, the problems of the current version."""

    fingerprint: tuple
    good: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)


class LiveScenarios:
    """A scenarios folder as the running assistant sees it (see the module docstring)."""

    def __init__(self, directory: Path, knowledge_dir: Path, meaning: Callable | None = None):
        self.directory, self.knowledge_dir = Path(directory), Path(knowledge_dir)
        self._meaning = meaning  # matcher -> Meaning or None (the encoder's check), made once
        self._files: dict[Path, _File] = {}
        self._config: dict[str, tuple] = {}
        self._settings: ScenarioSettings | None = None
        self._marker: Marker | None = None
        self._config_problems: list[Problem] = []
        self._library: ScenarioLibrary | None = None
        self._seen: tuple = ()
        self._knowledge: Knowledge | None = None

    def library(self) -> ScenarioLibrary:
        """The library over the files as they are now (read again only when a file changed)."""
        seen = tuple((p.name, _fingerprint(p)) for p in sorted(self.directory.glob("*.yml")))
        if self._library is not None and seen == self._seen:
            return self._library
        changed_config = self._load_config()
        for path in list(self._files):
            if not path.exists():
                del self._files[path]
        for path in scenario_files(self.directory):
            known = self._files.get(path)
            if known is None or known.fingerprint != _fingerprint(path) or changed_config:
                self._read(path, known)
        self._library, self._seen = self._build(), seen
        return self._library

    def problems(self) -> list[str]:
        """Every file that does not load as it is now, and why ("<file>: step 'x': <field>: <message>")."""
        return list(self.library().problems)

    def _load_config(self) -> bool:
        """(Re)read the settings and synonyms when they change; True when the marking may have changed."""
        now = {name: _fingerprint(self.directory / name) for name in (SETTINGS_FILE, SYNONYMS_FILE)}
        if now == self._config and self._marker is not None:
            return False
        self._config = now
        problems: list[Problem] = []
        try:
            self._settings = load_settings_file(self.directory / SETTINGS_FILE)
        except ContentError as exc:
            problems += _problems(exc)
        try:
            matcher = build_matcher(self.knowledge(), self._nlp(), self.directory)
            self._marker = Marker(matcher, self._meaning(matcher) if self._meaning else None)
        except ContentError as exc:
            problems += _problems(exc)
        self._config_problems = problems
        if self._settings is None or self._marker is None:
            raise ScenarioError(problems)
        _log_new(problems)
        return True

    def _read(self, path: Path, known: _File | None) -> None:
        assert self._marker is not None
        entry = _File(_fingerprint(path), good=known.good if known else None)
        context = new_context(self.knowledge(), self._marker)
        scenario = read_scenario(path, context)
        if scenario is not None and not context.problems:
            entry.good = scenario
        entry.problems = context.problems
        self._files[path] = entry
        _log_new(entry.problems, kept=entry.good is not None)

    def _build(self) -> ScenarioLibrary:
        assert self._settings is not None and self._marker is not None
        scenarios: dict[str, Scenario] = {}
        problems = list(self._config_problems)
        for path in sorted(self._files):
            entry = self._files[path]
            problems += entry.problems
            if entry.good is None:
                continue
            if entry.good.id in scenarios:
                problems.append(duplicate(entry.good, scenarios[entry.good.id]))
                continue
            scenarios[entry.good.id] = entry.good
        self._marker.prepare(step for s in scenarios.values() for step in s.steps)
        knowledge = self.knowledge()
        titles = {e.id: e.title for e in knowledge.entries.values()}
        return ScenarioLibrary(scenarios, self._settings, self._marker, knowledge.sources, titles,
                               {s.id: s.file for s in scenarios.values()}, tuple(str(p) for p in problems))

    def knowledge(self) -> Knowledge:
        if self._knowledge is None:
            from bot.knowledge.loader import load_knowledge

            self._knowledge = load_knowledge(self.knowledge_dir)
        return self._knowledge

    def _nlp(self):
        from bot.nlp.pipeline import analyser_for

        return analyser_for(self.knowledge_dir).nlp


def _problems(exc: ContentError) -> list[Problem]:
    return [p if isinstance(p, Problem) else Problem(str(p)) for p in exc.problems]


_logged: set[str] = set()


def _log_new(problems: list[Problem], kept: bool = False) -> None:
    """Log each problem once per process (the library is read again on every change)."""
    fresh = [str(p) for p in problems if str(p) not in _logged]
    _logged.update(fresh)
    if fresh:
        what = "keeping its last good version" if kept else "it is not loaded"
        logger.warning("A scenario file does not load (%s):\n%s", what, "\n".join(fresh))


# -- one per folder, per process -------------------------------------------------------------

_live: dict[tuple[str, str], LiveScenarios] = {}


def live_scenarios(directory: Path | None = None, knowledge_dir: Path | None = None,
                   with_meaning: bool | None = None) -> LiveScenarios:
    """The process's view of a scenarios folder (default: the configured one). Answers are
    marked in meaning too unless ``DASG_ENCODER=off`` (or ``with_meaning`` is False)."""
    settings = load_settings()
    directory = Path(directory or settings.scenarios_dir)
    knowledge_dir = Path(knowledge_dir or settings.knowledge_dir)
    key = (str(directory.resolve()), str(knowledge_dir.resolve()))
    if key not in _live:
        use = settings.encoder if with_meaning is None else with_meaning
        _live[key] = LiveScenarios(directory, knowledge_dir, _meaning_for(settings.var_dir) if use else None)
    return _live[key]


def _meaning_for(var_dir: Path) -> Callable:
    def make(matcher):
        from bot.scenarios.meaning import load_meaning

        return load_meaning(matcher, var_dir)

    return make


def library_for(directory: Path | None = None, knowledge_dir: Path | None = None) -> ScenarioLibrary:
    """The scenarios in ``directory`` as the running assistant plays them: a new or changed file is
    picked up without a restart; a broken one keeps its last good version (``library.problems``)."""
    return live_scenarios(directory, knowledge_dir).library()


def scenario_problems(directory: Path | None = None, knowledge_dir: Path | None = None) -> list[str]:
    """The scenario files that fail to load, each with its file, step and field (for ``bot run``).

    Marks by words only (quick; no encoder), so it never waits for the model to load.
    """
    try:
        return LiveScenarios(*_folders(directory, knowledge_dir)).problems()
    except ScenarioError as exc:
        return [str(p) for p in exc.problems]


def _folders(directory: Path | None, knowledge_dir: Path | None) -> tuple[Path, Path]:
    settings = load_settings()
    return Path(directory or settings.scenarios_dir), Path(knowledge_dir or settings.knowledge_dir)
