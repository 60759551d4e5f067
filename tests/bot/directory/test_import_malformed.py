"""The malformed-input suite (tests/data/directory_malformed/): every file is refused by `bot directory import`
with its exact located message, a non-zero exit code and the database unchanged, never a traceback."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import yaml

from bot.directory import textfile
from tests.bot.directory.conftest import DIRECTORIES, TEMPLATE, run
from tests.conftest import TEST_DATA

MALFORMED = TEST_DATA / "directory_malformed"
CASES = yaml.safe_load((MALFORMED / "manifest.yml").read_text(encoding="utf-8"))["cases"]


def dump(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A database holding the demonstration directory and the template example, and its dump."""
    from click.testing import CliRunner

    path = tmp_path_factory.mktemp("malformed") / "base.db"
    runner = CliRunner(mix_stderr=False)
    for source in (DIRECTORIES / "demoshire.json", TEMPLATE):
        assert run(runner, f"sqlite:///{path}", "import", source).exit_code == 0
    return path, dump(path)


def test_the_suite_covers_every_format_with_at_least_60_files():
    files = [p for p in MALFORMED.iterdir() if p.name not in ("manifest.yml", "README.md")]
    assert len(files) >= 60
    assert sorted(CASES) == sorted(p.name for p in files)
    assert {name[:2] for name in CASES} == {"t_", "j_", "c_"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_file_is_refused_with_its_message_and_changes_nothing(case, loaded, runner, tmp_path, monkeypatch):
    base, before = loaded
    database = tmp_path / "directory.db"
    shutil.copy(base, database)
    expected = CASES[case]
    if "max_file_bytes" in expected:
        monkeypatch.setattr(textfile, "MAX_FILE_BYTES", expected["max_file_bytes"])
    result = run(runner, f"sqlite:///{database}", "import", MALFORMED / case)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "nothing was imported" in result.stderr
    assert f"  - {expected['message']}\n" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.output
    assert dump(database) == before
