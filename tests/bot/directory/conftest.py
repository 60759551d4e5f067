"""Directory test helpers: the Demoshire demonstration directory in a temporary database, the
renderer, and the ``bot directory`` commands run against a temporary database."""

import pytest
from click.testing import CliRunner

from bot import cli
from bot.config import PROJECT_ROOT
from bot.dialogue.render import Renderer
from bot.dialogue.wording import load_messages
from bot.directory.store import import_directory, read_services
from bot.knowledge.store import make_engine
from tests.conftest import TEST_DATA

DIRECTORIES = PROJECT_ROOT / "directories"
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
ORUK = TEST_DATA / "oruk"
TEMPLATE = DIRECTORIES / "template_example.csv"


def demo_engine(folder):
    """A new SQLite database in ``folder`` holding the demonstration directory."""
    engine = make_engine(f"sqlite:///{folder / 'directory.db'}")
    import_directory(engine, DIRECTORIES / "demoshire.json")
    return engine


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demonstration directory, shared: tests must not change it."""
    return demo_engine(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def renderer(knowledge):
    return Renderer(load_messages(KNOWLEDGE_DIR / "messages.yml"), knowledge.sources, knowledge.entries)


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'directory.db'}"


def run(runner, url, *args):
    return runner.invoke(cli.cli, ["directory", *[str(a) for a in args], "--database-url", url])


def snapshot(url):
    """Everything stored, to compare before and after a failed import."""
    return sorted((s.area, s.id, s.content()) for s in read_services(make_engine(url)))
