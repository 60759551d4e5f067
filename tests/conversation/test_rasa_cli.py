"""Rasa's own check of the training data, domain and rules, failing on warnings."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

pytestmark = pytest.mark.conversation
RASA = str(Path(sys.executable).with_name("rasa"))


def test_rasa_data_validate_has_no_warnings():
    result = subprocess.run(
        [RASA, "data", "validate", "--fail-on-warnings"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
