"""Rasa's own checks: training data validation and test stories through the trained model."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import PROJECT_ROOT
from bot.scenarios import library_for

pytestmark = pytest.mark.conversation
RASA = str(Path(sys.executable).with_name("rasa"))


def test_rasa_data_validate_has_no_warnings():
    result = subprocess.run(
        [RASA, "data", "validate", "--fail-on-warnings"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_test_stories_pass(trained_model, tmp_path):
    """The hand-written stories plus the stories `bot scenarios export` writes for every scenario."""
    stories = tmp_path / "stories"
    stories.mkdir()
    for path in (PROJECT_ROOT / "tests" / "stories").glob("*.yml"):
        shutil.copy(path, stories / path.name)
    for scenario_id in library_for().scenarios:
        for answers in ("good", "poor"):
            out = stories / f"scenario_{scenario_id}_{answers}.yml"
            exported = CliRunner().invoke(cli, ["scenarios", "export", scenario_id, "--answers", answers,
                                                "--stories", str(out)])
            assert exported.exit_code == 0, exported.output
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(trained_model), "--stories", str(stories),
         "--fail-on-prediction-errors", "--out", str(tmp_path / "results")],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
