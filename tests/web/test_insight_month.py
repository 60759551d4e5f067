"""`bot insight simulate`: days of conversations through the real router, counted as in use, then the
partnership's report made from them and pictured in headless Chromium (docs/img/insight-report.png
is made this way by `make insight-month`)."""

from __future__ import annotations

import re
import sqlite3
import struct
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.insight import events

pytestmark = pytest.mark.browser


def simulate(tmp_path, days: int):
    database, page, picture = tmp_path / "month.db", tmp_path / "month.html", tmp_path / "month.png"
    # Its own process, as a trainer or data officer runs it (and the browser tests' Playwright is
    # already running in this one).
    result = subprocess.run([sys.executable, "-m", "bot.cli", "insight", "simulate", "-d", str(database),
                             "--to", "2026-11-29", "--days", str(days), "--report", str(page), "--screenshot", str(picture)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr or result.stdout
    with sqlite3.connect(database) as db:
        rows = db.execute("select day, kind, key, count from insight_counters").fetchall()
    return result.stdout, rows, page.read_text(encoding="utf-8"), picture


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_a_few_simulated_days_are_counted_reported_and_pictured(tmp_path):
    output, rows, html, picture = simulate(tmp_path, days=3)
    assert "Simulated 3 days (2026-11-27 to 2026-11-29)" in output and "nothing else was fetched" in output
    assert {day for day, *_ in rows} <= {"2026-11-27", "2026-11-28", "2026-11-29"}
    assert {kind for _, kind, _, _ in rows} >= {events.ANSWER, events.NOT_COVERED}
    assert "Questions asked between 27 November 2026 and 29 November 2026" in html
    assert "fewer than 5" in html  # three days of a small partnership: many counts are small
    assert any(0 < count < 5 for *_, count in rows)
    assert not re.findall(r'<td class="count"[^>]*>\s*[1-4]\s*</td>', html), "a count of 1 to 4 shown as a number"
    width, height = png_size(picture)
    assert width >= 1000 and height >= 1000


@pytest.mark.slow
def test_a_simulated_month(tmp_path):
    output, rows, html, picture = simulate(tmp_path, days=28)
    assert "Simulated 28 days (2026-11-02 to 2026-11-29)" in output
    assert len({day for day, *_ in rows}) == 28
    assert sum(count for _, kind, _, count in rows if kind == events.ANSWER) > 200
    assert "Topics over time" in html and "at least" in html
    assert png_size(picture)[0] >= 1000
