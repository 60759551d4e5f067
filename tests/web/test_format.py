"""The widget's formatting subset (web/src/format.js), checked by Node's test runner."""

from __future__ import annotations

import shutil
import subprocess

from bot.web.page import WEB_DIR


def test_format_rules_pass_in_node():
    node = shutil.which("node")
    assert node, "Node.js is needed for the web widget (see README)"
    result = subprocess.run([node, "--test", "test/"], cwd=WEB_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
