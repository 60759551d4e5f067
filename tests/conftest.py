"""Shared fixtures: the project's knowledge, an assistant on a temporary database, options."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.assistant import Assistant  # noqa: E402
from bot.config import PROJECT_ROOT, Settings  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.store import make_engine, save_knowledge  # noqa: E402
from bot.runtime.servers import start_servers  # noqa: E402
from bot.runtime.training import ensure_model  # noqa: E402

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


# One trained model and one pair of running servers for all tests that talk to the
# assistant (conversation and browser tests). The model is trained only if none exists
# for the current inputs (see bot.runtime.training); the servers use a temporary knowledge
# database and tracker store on free loopback ports.

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def trained_model():
    path, _ = ensure_model()
    return path


@pytest.fixture(scope="session")
def servers(trained_model, tmp_path_factory, knowledge):
    var = tmp_path_factory.mktemp("servers")
    database_url = f"sqlite:///{var / 'knowledge.db'}"
    save_knowledge(make_engine(database_url), knowledge)
    env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": str(var), "DASG_TRACKER_DB": str(var / "tracker.db")}
    running = start_servers(trained_model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=var)
    running.tracker_db = var / "tracker.db"
    running.database_url = database_url
    yield running
    running.stop()
