"""The layering docs/architecture.md describes, checked on the source: dependencies point one
way, handlers do not import each other, and modules and classes stay a readable size."""

import ast
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

FEATURES = ("safety", "knowledge", "tailoring", "reflection", "directory", "scenarios")
TOP = {"bot.dialogue.router", "bot.dialogue.build"}
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PROJECT_ROOT / folder).rglob("*.py"))


def name_of(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def is_handler(module: str) -> bool:
    return module.rsplit(".", 1)[-1] in {"handler", "handlers"}


@pytest.mark.parametrize("path", modules(*(f"bot/{f}" for f in FEATURES)), ids=name_of)
def test_features_import_no_router_and_no_other_features_handlers(path):
    me = name_of(path)
    feature = me.split(".")[1]
    for module in imports(path):
        assert module not in TOP, f"{me} imports {module}: only actions and the builder sit above handlers"
        parts = module.split(".")
        if is_handler(module) and parts[0] == "bot" and parts[1] in FEATURES:
            other = parts[1]
            assert other == feature, f"{me} imports {module}: ask the Chain instead of another feature's handler"
            assert is_handler(me), f"{me} (an engine) imports its feature's handler {module}"


@pytest.mark.parametrize("path", modules("bot"), ids=name_of)
def test_bot_never_imports_rasa_sdk(path):
    assert not {m for m in imports(path) if m.split(".")[0] == "rasa_sdk"}, name_of(path)


def test_actions_reach_bot_only_through_the_dialogue():
    for path in modules("actions"):
        used = {m for m in imports(path) if m.startswith("bot.")}
        assert all(m.startswith("bot.dialogue") for m in used), (name_of(path), used)


@pytest.mark.parametrize("path", modules("bot", "actions"), ids=name_of)
def test_modules_and_classes_stay_readable(path):
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name_of(path)} has {lines} lines (at most {MAX_MODULE_LINES})"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_CLASS_LINES, f"{name_of(path)}.{node.name} has {length} lines"
