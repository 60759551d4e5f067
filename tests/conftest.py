"""Shared fixtures: the project's knowledge, an assistant on a temporary database, options."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.assistant import Assistant  # noqa: E402
from bot.config import PROJECT_ROOT, Settings  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.store import make_engine, save_knowledge  # noqa: E402

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
TEST_DATA = Path(__file__).parent / "data"


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def settings(tmp_path_factory, knowledge) -> Settings:
    """Settings pointing at a temporary SQLite store loaded with the project's knowledge."""
    var = tmp_path_factory.mktemp("var")
    settings = Settings(knowledge_dir=KNOWLEDGE_DIR, database_url=f"sqlite:///{var / 'knowledge.db'}", var_dir=var)
    save_knowledge(make_engine(settings.database_url), knowledge)
    return settings


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    return Assistant.from_settings(settings)
