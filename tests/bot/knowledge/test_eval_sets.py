"""The question sets stay apart from what the assistant is trained or indexed on."""

import re

import pytest
import yaml

from bot.config import PROJECT_ROOT

EVAL = PROJECT_ROOT / "eval"


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", re.sub(r"\s+", " ", text.lower())).strip()


def nlu_examples() -> set[str]:
    examples = set()
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            examples |= {normalise(line.strip()[2:]) for line in block.get("examples", "").splitlines() if line.strip()}
    return examples


def cases(name: str) -> list[dict]:
    return yaml.safe_load((EVAL / name).read_text())["cases"]


@pytest.mark.parametrize("name", ["dev_questions.yml", "questions.yml"])
def test_no_evaluation_question_is_training_or_index_data(name, knowledge):
    training = nlu_examples()
    indexed = {normalise(q) for entry in knowledge.entries.values() for q in entry.questions}
    leaked = [c["text"] for c in cases(name) if normalise(c["text"]) in training | indexed]
    assert not leaked


def test_project_set_is_large_and_names_real_entries(knowledge):
    project = cases("questions.yml")
    assert len(project) >= 150
    assert len({c["id"] for c in project}) == len(project)
    allowed = set(knowledge.entries) | {"not_covered", "danger"}
    for case in project:
        expected = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
        assert set(expected) <= allowed, case
    expected_anywhere = {e for c in project for e in (c["expect"] if isinstance(c["expect"], list) else [c["expect"]])}
    assert set(knowledge.entries) <= expected_anywhere, "every entry is asked for at least once"
