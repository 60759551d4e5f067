"""The retrain decision: the model hash follows exactly the files the model depends on."""

import shutil

import pytest

from bot.config import PROJECT_ROOT
from bot.runtime.training import model_fingerprint, model_input_files, model_path


@pytest.fixture
def project(tmp_path):
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    for folder in ("data", "knowledge", "bot"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_inputs_cover_data_domain_config_patterns_and_component_code(project):
    names = {str(p.relative_to(project)) for p in model_input_files(project)}
    assert {"domain.yml", "config.yml", "knowledge/terms.yml", "knowledge/vocabulary.yml",
            "bot/nlp/rasa_components.py", "bot/nlp/pipeline.py", "data/rules/respond.yml"} <= names
    assert not any(n.startswith("knowledge/entries") for n in names)


@pytest.mark.parametrize(
    "path", ["data/nlu/chitchat.yml", "domain.yml", "config.yml", "knowledge/terms.yml", "bot/nlp/rasa_components.py"]
)
def test_changing_an_input_changes_the_hash(project, path):
    before = model_fingerprint(project)
    with open(project / path, "a") as handle:
        handle.write("\n# changed\n")
    assert model_fingerprint(project) != before


def test_changing_knowledge_entries_does_not_retrain(project):
    before = model_fingerprint(project)
    with open(project / "knowledge" / "entries" / "marac.yml", "a") as handle:
        handle.write("\n# changed\n")
    assert model_fingerprint(project) == before


def test_model_path_is_named_after_the_hash(project):
    assert model_path(project).name == f"dasg-{model_fingerprint(project)}.tar.gz"
