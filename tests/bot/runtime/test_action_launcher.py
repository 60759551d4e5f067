"""``python -m action_server`` refuses to start where it would be open to anyone, and says why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT


def launch(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DASG_")}
    return subprocess.run([sys.executable, "-m", "action_server", "--port", "1", *args], cwd=PROJECT_ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, env, message", [
    (["--host", "0.0.0.0"], {},
     "Error: the action server would listen on 0.0.0.0 without a token: set DASG_ACTION_TOKEN, or listen on 127.0.0.1."),
    ([], {"DASG_ACTION_HOST": "0.0.0.0"},
     "Error: the action server would listen on 0.0.0.0 without a token: set DASG_ACTION_TOKEN, or listen on 127.0.0.1."),
    ([], {"DASG_PRODUCTION": "on"},
     "Error: DASG_ACTION_TOKEN is required when DASG_PRODUCTION is on (the Rasa server must prove who it is)."),
])
def test_an_unprotected_action_server_is_refused_with_exit_code_2(args, env, message):
    result = launch(*args, **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message
