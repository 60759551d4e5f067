"""Shared fixtures: the project's knowledge, a router on a temporary database, the trained
model and running servers, and the check that no test ever reaches the router's catch-all."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.config import PROJECT_ROOT, Settings  # noqa: E402
from bot.dialogue.router import CATCH_ALL  # noqa: E402
from bot.directory.store import import_directory  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.store import make_engine, save_knowledge  # noqa: E402
from bot.runtime.servers import start_servers  # noqa: E402
from bot.runtime.training import ensure_model  # noqa: E402
from tests.services import postgres, postgres_engine, postgres_url, redis_server  # noqa: F401, E402

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
def router(settings):
    """The assistant's router over the temporary store (no directory loaded)."""
    from bot.dialogue.build import build_router

    return build_router(settings)


@pytest.fixture(scope="session")
def demo_router(tmp_path_factory, knowledge):
    """A router over a temporary store holding the knowledge and the Demoshire directory."""
    from bot.dialogue.build import build_router

    var = tmp_path_factory.mktemp("demo")
    demo = Settings(knowledge_dir=KNOWLEDGE_DIR, database_url=f"sqlite:///{var / 'knowledge.db'}", var_dir=var)
    engine = make_engine(demo.database_url)
    save_knowledge(engine, knowledge)
    import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
    return build_router(demo)


# The router's catch-all turns any failure into an apology, so a broken handler would pass
# every test that only checks a reply came. Any test during which it fires fails, whether it
# fired in this process or in a running action server (whose log files are registered here).
SERVER_LOGS: list[Path] = []


class _CatchAllSpy(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.fired: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == CATCH_ALL:
            self.fired.append(self.format(record))


@pytest.fixture(autouse=True)
def no_catch_all(request):
    spy = _CatchAllSpy()
    router_log = logging.getLogger("bot.dialogue.router")
    router_log.addHandler(spy)
    sizes = {path: path.stat().st_size if path.exists() else 0 for path in SERVER_LOGS}
    yield spy
    router_log.removeHandler(spy)
    if request.node.get_closest_marker("catch_all_expected"):
        return
    assert not spy.fired, "the router's catch-all fired:\n" + "\n".join(spy.fired)
    for path, size in sizes.items():
        with open(path, "rb") as log:
            log.seek(size)
            added = log.read().decode("utf-8", "replace")
        assert CATCH_ALL not in added, f"the router's catch-all fired in the action server ({path}):\n{added[-3000:]}"


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
    engine = make_engine(database_url)
    save_knowledge(engine, knowledge)
    import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")  # the assistant never loads it itself
    env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": str(var), "DASG_TRACKER_DB": str(var / "tracker.db")}
    running = start_servers(trained_model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=var)
    SERVER_LOGS.append(var / "actions.log")
    running.tracker_db = var / "tracker.db"
    running.database_url = database_url
    # The first turn builds the action server's router; taken here, no test meets Sanic's 60 s
    # response timeout on a busy machine.
    from tests.conversation.sockets import warm_up
    warm_up(running.rest_url)
    yield running
    running.stop()
