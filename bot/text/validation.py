"""The validation kit of every content loader: located problems, one error type, YAML files, patterns.

A loader reports every problem it finds, each with its file, place and field, so an editor can
fix a whole file in one pass, then raises a ``ContentError`` (or a subclass) carrying them all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import yaml

Report = Callable[[str, str], None]
"""Records a problem at the caller's place: ``report(field, message)``."""

_P = TypeVar("_P", bound="Problem")
_FAST_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml, when installed: several times faster


class Problem(str):
    """One validation failure, located precisely enough to fix it: "file: place: field: why".

    A ``str``, the line an editor reads, so problems print, compare and sort as their text; the
    parts are kept as ``file``, ``place`` (an entry, step, question or row), ``field`` and ``message``.
    """

    file: str
    place: str
    field: str
    message: str

    def __new__(cls: type[_P], file: str, place: str = "", field: str = "", message: str = "") -> _P:
        problem = super().__new__(cls, ": ".join([*(part for part in (file, place, field) if part), message]))
        for name, value in (("file", file), ("place", place), ("field", field), ("message", message)):
            object.__setattr__(problem, name, value)
        return problem

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a {type(self).__name__} cannot be changed")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.file, self.place, self.field, self.message)


def reporter(problems: list[Problem], file: str, place: str = "") -> Report:
    """A ``Report`` that adds each problem, at ``file`` and ``place``, to ``problems``."""

    def report(field: str, message: str) -> None:
        problems.append(Problem(file, place, field, message))

    return report


class ContentError(Exception):
    """Content that does not validate; carries every problem found, listed one a line under a count."""

    about = ""  # what was read, e.g. " in the knowledge files"
    shown: int | None = None  # list at most this many problems in the message

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = [f"  - {p}" for p in self.problems[:self.shown]]
        if len(self.problems) > len(lines):
            lines.append(f"  ... and {len(self.problems) - len(lines)} more")
        super().__init__("\n".join([f"{len(self.problems)} problem(s){self.about}:", *lines]))


def read_yaml(path: Path, report: Report) -> Any:
    """The YAML document at ``path``; None after reporting why not (missing, not UTF-8, not YAML)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        report("", "file is missing")
        return None
    except UnicodeDecodeError as exc:
        report("", f"not UTF-8 text: {exc}")
        return None
    except OSError as exc:
        report("", f"cannot read: {exc.strerror or exc}")
        return None
    try:
        return yaml.load(text, Loader=_FAST_YAML)
    except yaml.YAMLError:
        pass
    try:
        return yaml.safe_load(text)  # again with the Python parser, whose message shows the line
    except yaml.YAMLError as exc:
        report("", f"not valid YAML: {' '.join(str(exc).split())}")
        return None


def read_mapping(path: Path, file: str, error: type[ContentError] = ContentError) -> dict:
    """The YAML mapping at ``path``; raises ``error`` saying why not, with ``file`` as the place."""
    problems: list[Problem] = []
    data = read_yaml(path, reporter(problems, file))
    if not problems and not isinstance(data, dict):
        problems.append(Problem(file, message="expected a mapping"))
    if problems:
        raise error(problems)
    return data


def compile_patterns(raw: Any, field: str, report: Report, required: bool = True) -> tuple[re.Pattern, ...]:
    """Case-insensitive patterns from a YAML list of regular expressions, reporting each that is not one."""
    if raw is None or raw == []:
        if required:
            report(field, "give at least one regular expression")
        return ()
    if not isinstance(raw, list) or not all(isinstance(pattern, str) for pattern in raw):
        report(field, "must be a list of regular expressions")
        return ()
    compiled = []
    for pattern in raw:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            report(field, f"invalid regular expression {pattern!r}: {exc}")
    return tuple(compiled)
