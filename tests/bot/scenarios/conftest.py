"""The shipped scenarios, loaded once for the scenario tests."""

import pytest

from bot.config import PROJECT_ROOT
from bot.nlp.pipeline import analyser_for
from bot.scenarios.engine import ScenarioEngine
from bot.scenarios.loader import load_scenarios

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def nlp():
    return analyser_for(KNOWLEDGE_DIR).nlp


@pytest.fixture(scope="session")
def library(knowledge, nlp):
    return load_scenarios(KNOWLEDGE_DIR / "scenarios", knowledge, nlp)


@pytest.fixture
def engine(library):
    return ScenarioEngine(library)
