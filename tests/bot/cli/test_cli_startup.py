"""The ``bot`` command starts at once and quietly: no spaCy, TensorFlow, Rasa or scikit-learn until a command needs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

HEAVY = ("spacy", "tensorflow", "rasa", "sklearn")
BOT = Path(sys.executable).with_name("bot")


def _run(*args: str) -> subprocess.CompletedProcess:
    """Run in a fresh process, without the test session's TF_CPP_MIN_LOG_LEVEL, so the CLI must set it."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run(args, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=300)


def test_importing_the_cli_imports_no_heavy_library():
    check = f"import bot.cli, sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = _run(sys.executable, "-c", check)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_help_exits_0_with_nothing_on_stderr():
    result = _run(str(BOT), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: bot ")
    assert result.stderr == ""


def test_a_command_that_loads_spacy_prints_no_tensorflow_log_lines():
    result = _run(str(BOT), "scenarios", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ")
    assert result.stderr == ""
