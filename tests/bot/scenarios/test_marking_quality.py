"""Marking is fair on labelled answers: thresholds fitted on some scenarios, checked on the others.

The labelled set (tests/data/scenario_marking) has answers to every shipped scenario and to the
trainer's trial, each with the key points a trainer would credit. The similarity thresholds are
fitted on FIT's answers only; precision and recall are then measured on the held-out scenarios
and the trial, and must reach the bars.
"""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.scenarios.marking import Marker
from bot.scenarios.meaning import SIMILARITY, Meaning
from tests.bot.scenarios import marking_data as data

PRECISION_BAR, RECALL_BAR = 0.95, 0.90


@pytest.fixture(scope="module")
def shipped(knowledge, nlp):
    return data.scenarios(knowledge, nlp)


@pytest.fixture(scope="module")
def rows(shipped):
    return data.labelled(shipped[0])


@pytest.fixture(scope="module")
def encoder(settings):
    module = pytest.importorskip("bot.nlp.encoder")
    try:
        return module.load_encoder(settings.var_dir)
    except (module.EncoderError, OSError) as exc:
        pytest.skip(f"the sentence encoder cannot load: {exc}")


def test_there_are_at_least_300_labelled_pairs_for_every_scenario_and_the_trial(shipped, rows):
    by_id, _ = shipped
    pairs = [(name, kp) for name, step, _, labels in rows for kp in labels]
    assert len(pairs) >= 300
    assert {name for name, _ in pairs} == set(by_id) | {"trial"}
    assert set(data.FIT).isdisjoint(data.HELD_OUT)
    assert set(data.FIT) | set(data.HELD_OUT) == set(by_id) | {"trial"}


def test_words_alone_never_credit_much_wrongly(shipped, rows):
    """DASG_ENCODER=off: lemma phrases, synonyms, pronouns and negation only."""
    pairs = data.mark_pairs(Marker(shipped[1]), rows)
    precision, recall = data.precision_recall(data.split(pairs, data.HELD_OUT), None)
    print(f"\nwords only, held out: precision {precision:.3f}, recall {recall:.3f} ({len(pairs)} pairs)")
    assert precision >= PRECISION_BAR
    assert recall >= 0.85


def test_fitted_thresholds_reach_the_bars_on_held_out_scenarios(shipped, rows, encoder):
    matcher = shipped[1]
    pairs = data.mark_pairs(Marker(matcher, Meaning(encoder, matcher)), rows)
    fit, held_out = data.split(pairs, data.FIT), data.split(pairs, data.HELD_OUT)
    fitted = data.fit(fit)
    for name, group, thresholds in (("fit", fit, fitted), ("held out", held_out, fitted)):
        precision, recall = data.precision_recall(group, thresholds)
        print(f"\n{name}: precision {precision:.3f}, recall {recall:.3f} ({len(group)} pairs)", end="")
    trial = data.precision_recall(data.split(pairs, ("trial",)), fitted)
    print(f"\ntrainer's trial: precision {trial[0]:.3f}, recall {trial[1]:.3f}")
    assert fitted == SIMILARITY, "the shipped thresholds (bot/scenarios/meaning.py) are not what the fit gives"
    precision, recall = data.precision_recall(held_out, SIMILARITY)
    assert precision >= PRECISION_BAR, f"held-out precision {precision:.3f} is below {PRECISION_BAR}"
    assert recall >= RECALL_BAR, f"held-out recall {recall:.3f} is below {RECALL_BAR}"


def test_the_issue_examples_are_marked_as_a_trainer_would(shipped, encoder):
    by_id, matcher = shipped
    marker = Marker(matcher, Meaning(encoder, matcher))
    step = by_id["encompass-monday"].step("notification")
    assert "hear_the_child" in marker.mark(step, "I'd have a chat with them today.").covered  # a pronoun
    assert "hear_the_child" in marker.mark(step, "Have a quiet word with the pupil at break.").covered  # a word inside
    assert "hear_the_child" not in marker.mark(step, "I won't ask the child anything, I'll just monitor.").covered
    weeks = by_id["encompass-monday"].step("weeks_later")
    assert "refer_emotional_harm" in marker.mark(weeks, "I would call the front door.").covered  # call = ring


def test_the_labelled_data_never_comes_from_shared():
    text = (PROJECT_ROOT / "tests" / "bot" / "scenarios" / "marking_data.py").read_text()
    assert "/work/shared" not in text and "../shared" not in text
