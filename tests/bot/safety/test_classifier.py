"""The danger classifier and its tiers, with the sentence encoder and without it: held-back
messages (written here, not in the examples file) get their tier, the thresholds come from the
YAML, the files are validated with file, field and why, cross-validation keeps recall first, and
the Rasa NLU side agrees with the check."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from bot.config import load_settings
from bot.safety.check import evaluate, example_vectors, load_danger_check, load_patterns
from bot.safety.classifier import (
    MAX_FALSE_TAKEOVER,
    NONE,
    REMINDER,
    TAKEOVER,
    THRESHOLD_FIELDS,
    Score,
    Thresholds,
    decide,
    fit_thresholds,
    load_examples,
)
from bot.text.normalise import normalise
from bot.text.validation import ContentError

SETTINGS = load_settings()

# Held back: none of these is in knowledge/safety/examples.yml (checked below).
TAKEOVER_MESSAGES = {
    "present": [
        "he's got a broken glass at her face and the kids are screaming",
        "dad is kneeling on mum's chest and she can't get up",
        "he's hammering on the bathroom door where she's hiding with the baby",
        "he's strangling her on the landing",
    ],
    "second hand": [
        "mum's friend just called, he's in the flat hitting her and the kids are there",
        "the 11 year old has rung the school office crying, her dad is hurting her mum at home",
    ],
    "texting style": [
        "hes got mum on the floor pls get police",
        "omg he's got a knife out kids r here",
    ],
    "suicide intent now": [
        "mum has just told me she's taken all her tablets and the kids are in the house with her",
    ],
    "threat to kill tonight": [
        "he's messaged her that he's coming with a knife tonight to kill her and he's on his way",
    ],
    "child alone with a violent adult": [
        "the baby is alone in the flat with him and he's just beaten mum unconscious",
    ],
}
REMINDER_MESSAGES = [
    "mum is frightened about what he'll do when he gets home tonight",
    "he threatened her on the phone this morning, he's at work now",
    "not sure whether this needs a 999 call, she says he might come back later",
    "the child says she's scared to go home tonight because dad's angry",
]
NONE_MESSAGES = {
    "past": [
        "two years ago he had a knife at her throat and was jailed",
        "he strangled her back in 2020 and they've since split",
        "mum told me he used to kick her when she was pregnant",
        "the dad was convicted of stabbing a previous girlfriend",
    ],
    "hypothetical": [
        "what if dad has a knife when we visit?",
        "what should staff do if an angry father comes into school?",
    ],
    "training": ["in the role play, mum says he's locked her in, how do I reply?"],
    "case review": [
        "in the CSPR the baby was left alone with him after he assaulted mum, what did the review recommend?",
    ],
    "control as a pattern": ["he controls her money and won't let her work"],
    "a child's behaviour at home": ["her 12 year old kicks and punches her when he's angry"],
    "ordinary": ["what is a DASH?", "thank you"],
}
# The same act now, in the past and as a question.
MINIMAL_PAIRS = [
    ("he's got a knife at her neck in the hallway", TAKEOVER),
    ("three years ago he had a knife at her neck in the hallway", NONE),
    ("what if he gets a knife out in the hallway?", NONE),
]
# Harder held-back messages, one tier off in the cross-validation too: a takeover message that
# gets only the reminder (recall first: never less), and training talk that gets a reminder
# (never the takeover).
HARDER_TAKEOVER = [
    "a year 9 girl has just told me she's going to jump off the bridge on her way home and she's leaving now",
]
HARDER_NONE = [
    "for our training session: he's strangling her when police arrive - what are the learning points?",
]
# The kinds of present danger issue 13 names, each with a past, training or review twin.
KINDS = {
    "overdose taken": [
        ("nan rang, mum's swallowed something from the medicine cabinet and isn't making sense, the toddler's with her",
         TAKEOVER),
        ("she swallowed something from the medicine cabinet when she was a teenager, does that matter for the "
         "parenting assessment?", NONE),
    ],
    "threat to kill tonight, with means and drink": [
        ("he's been on the cans all afternoon and has messaged her that he's coming over with the hammer tonight to "
         "kill her", TAKEOVER),
        ("in the training scenario he texts that he's coming with a hammer tonight, what should the worker do?",
         "not takeover"),
    ],
    "a parent in crisis with a child by water": [
        ("dad is standing on the seawall with the baby in the pram and says they're going in", TAKEOVER),
        ("years ago dad stood on the seawall with the baby, he's had treatment since", NONE),
    ],
    "a young person with a plan and the means today": [
        ("the 15 year old showed me the cord she's got in her blazer and says she's using it at the park after school",
         TAKEOVER),
        ("last year she kept a cord in her blazer and said she'd use it, she's now under CAMHS", NONE),
    ],
    "a young child alone with a violent adult": [
        ("neighbour says the 3 year old is crying in the flat with her stepdad, he threw mum down the stairs an hour "
         "ago and she's gone", TAKEOVER),
        ("for our team briefing: the 3 year old was left with the stepdad after he threw mum down the stairs, what "
         "went wrong?", NONE),
    ],
}
KIND_CASES = [(kind, text, tier) for kind, cases in KINDS.items() for text, tier in cases]
VARIANTS = ["without encoder", "with encoder"]


def flat(groups: dict[str, list[str]]) -> list[str]:
    return [text for texts in groups.values() for text in texts]


@pytest.fixture(scope="module")
def plain_check():
    """The check without the encoder (DASG_ENCODER=off)."""
    return load_danger_check(SETTINGS.safety_file)


@pytest.fixture(scope="module", params=VARIANTS)
def check(request, plain_check):
    """Each variant of the check, as the servers build it."""
    if request.param == "without encoder":
        return plain_check
    return load_danger_check(SETTINGS.safety_file, encoder=request.getfixturevalue("encoder"),
                             cache_dir=SETTINGS.var_dir / "embeddings")


@pytest.fixture(scope="module")
def examples():
    return load_examples(SETTINGS.safety_examples_file)


def test_held_back_messages_are_not_in_the_examples(examples):
    trained = {normalise(text) for text in examples.texts}
    held = [*flat(TAKEOVER_MESSAGES), *REMINDER_MESSAGES, *flat(NONE_MESSAGES), *(t for t, _ in MINIMAL_PAIRS),
            *HARDER_TAKEOVER, *HARDER_NONE, *(t for _, t, _ in KIND_CASES)]
    assert not [text for text in held if normalise(text) in trained]


@pytest.mark.parametrize("text", flat(TAKEOVER_MESSAGES))
def test_present_danger_gets_the_takeover(check, text):
    assert check.tier(text) == TAKEOVER


@pytest.mark.parametrize("text", REMINDER_MESSAGES)
def test_danger_not_clearly_present_gets_the_reminder(check, text):
    assert check.tier(text) == REMINDER


@pytest.mark.parametrize("text", flat(NONE_MESSAGES))
def test_past_hypothetical_training_and_general_talk_gets_guidance_only(check, text):
    assert check.tier(text) == NONE


@pytest.mark.parametrize("text, tier", MINIMAL_PAIRS)
def test_the_same_act_present_past_and_hypothetical(check, text, tier):
    assert check.tier(text) == tier


@pytest.mark.parametrize("kind, text, tier", KIND_CASES)
def test_each_kind_of_present_danger_and_its_past_or_training_twin(check, kind, text, tier):
    if tier == "not takeover":
        assert check.tier(text) != TAKEOVER
    else:
        assert check.tier(text) == tier


@pytest.mark.parametrize("text", HARDER_TAKEOVER)
def test_harder_present_danger_gets_at_least_the_reminder(check, text):
    assert check.tier(text) in {TAKEOVER, REMINDER}


@pytest.mark.parametrize("text", HARDER_NONE)
def test_harder_training_talk_never_gets_the_takeover(check, text):
    assert check.tier(text) != TAKEOVER


def test_button_payloads_and_empty_text_are_never_danger(check):
    for text in ("", "   ", None, '/choose_entry{"entry_id":"marac-what-is"}'):
        assert check.tier(text) == NONE


# -- thresholds -------------------------------------------------------------------------------

def test_the_thresholds_are_the_yaml_ones(check):
    field = THRESHOLD_FIELDS[check.classifier.embed is not None]
    raw = yaml.safe_load(SETTINGS.safety_examples_file.read_text(encoding="utf-8"))[field]
    assert check.thresholds == Thresholds(takeover=raw["takeover"], reminder=raw["reminder"])


def test_the_tiers_follow_the_thresholds():
    thresholds = Thresholds(takeover=0.6, reminder=0.3)
    assert decide(False, Score(0.6, 0.6), thresholds) == TAKEOVER
    assert decide(False, Score(0.59, 0.9), thresholds) == REMINDER
    assert decide(False, Score(0.1, 0.3), thresholds) == REMINDER
    assert decide(False, Score(0.1, 0.29), thresholds) == NONE
    assert decide(True, Score(0.0, 0.0), thresholds) == TAKEOVER  # a present-danger pattern


def test_changing_the_yaml_thresholds_changes_the_tiers(tmp_path, plain_check):
    text = "dad is kneeling on mum's chest and she can't get up"  # a takeover by the classifier alone
    assessment = plain_check.assess(text)
    assert not assessment.pattern and assessment.tier == TAKEOVER
    patterns = tmp_path / "patterns.yml"
    shutil.copy(SETTINGS.safety_file, patterns)
    data = yaml.safe_load(SETTINGS.safety_examples_file.read_text(encoding="utf-8"))
    data[THRESHOLD_FIELDS[False]]["takeover"] = round(min(assessment.score.takeover + 0.01, 0.99), 2)
    (tmp_path / "examples.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_danger_check(patterns).tier(text) == REMINDER


def test_fitting_puts_recall_first():
    labels = [TAKEOVER, TAKEOVER, TAKEOVER, *[NONE] * 40]
    scores = [Score(0.9, 0.95), Score(0.4, 0.5), Score(0.2, 0.3), *[Score(0.01 * i, 0.01 * i) for i in range(40)]]
    fitted = fit_thresholds(labels, scores, [False] * len(labels), max_false_takeover=0.05, margin=0.02)
    # 5% of 40 none examples: 2 may be taken over, so the third highest none (0.37) stays below.
    assert fitted.takeover == 0.38
    # The lowest takeover example not taken over (danger 0.3) still gets the reminder.
    assert fitted.reminder == 0.28
    assert all(decide(False, s, fitted) != NONE for s in scores[:3])


@pytest.mark.parametrize("variant", VARIANTS)
def test_cross_validation_keeps_recall_first(request, examples, variant):
    vectors = None
    if variant == "with encoder":
        vectors = example_vectors(examples.texts, request.getfixturevalue("encoder"), SETTINGS.var_dir / "embeddings")
    result = evaluate(load_patterns(SETTINGS.safety_file), examples, vectors=vectors)
    assert result.figures.takeover_at_least_reminder == 1.0, "a takeover example got no 999 line at all"
    assert result.figures.false_takeover <= MAX_FALSE_TAKEOVER
    assert result.figures.takeover_recall >= (0.95 if vectors is not None else 0.9)
    field = THRESHOLD_FIELDS[vectors is not None]
    assert result.fitted == result.thresholds, f"refit: run `bot safety evaluate` and copy the thresholds into `{field}`"


# -- validation -------------------------------------------------------------------------------

GOOD_EXAMPLES = {
    "thresholds": {"takeover": 0.6, "reminder": 0.3},
    "thresholds_without_encoder": {"takeover": 0.7, "reminder": 0.2},
    "examples": {tier: [f"{tier} message {i}" for i in range(20)] for tier in (TAKEOVER, REMINDER, NONE)},
}


def problems_of(path, load):
    with pytest.raises(ContentError) as error:
        load(path)
    return error.value.problems


def write(tmp_path, data, name="examples.yml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_project_examples_validate(examples):
    assert min(examples.count(t) for t in (TAKEOVER, REMINDER, NONE)) >= 100


def test_examples_problems_name_file_field_and_why(tmp_path):
    data = yaml.safe_load(yaml.safe_dump(GOOD_EXAMPLES))
    data["thresholds"] = {"takeover": 0.3, "reminder": 1.5}
    data["examples"]["maybe"] = ["a message"]
    data["examples"][NONE].append(data["examples"][TAKEOVER][0])
    data["examples"][REMINDER] = data["examples"][REMINDER][:3]
    path = write(tmp_path, data)
    found = {(p.file, p.place, p.field): p.message for p in problems_of(path, load_examples)}
    assert found[(str(path), "thresholds", "reminder")].startswith("must be a probability between 0 and 1")
    assert found[(str(path), "examples", "maybe")].startswith("unknown tier")
    assert found[(str(path), "examples", REMINDER)] == "has 3 messages: give at least 20"
    assert found[(str(path), "examples", f"{NONE}[21]")].startswith("repeats a message already under takeover")


def test_unquoted_yes_and_colons_are_explained(tmp_path):
    text = yaml.safe_dump(GOOD_EXAMPLES, indent=2).replace("  - none message 0\n", "  - yes\n  - for training: a case\n")
    assert "  - yes\n" in text
    problems = problems_of(write(tmp_path, text), load_examples)
    assert [(p.field, p.message.split(",")[0]) for p in problems] == [
        (f"{NONE}[1]", "reads as true"), (f"{NONE}[2]", "reads as a mapping (a ': ' in it?)")]


def test_thresholds_must_be_given_and_ordered(tmp_path):
    data = {**GOOD_EXAMPLES, "thresholds": {"takeover": 0.3, "reminder": 0.5}}
    (problem,) = problems_of(write(tmp_path, data), load_examples)
    assert (problem.place, problem.field) == ("thresholds", "reminder") and "above takeover" in problem.message
    data = {"examples": GOOD_EXAMPLES["examples"]}
    problems = problems_of(write(tmp_path, data), load_examples)
    assert [p.place for p in problems] == ["thresholds", "thresholds_without_encoder"]
    assert all("'takeover' and 'reminder'" in p.message for p in problems)


def test_each_variant_reads_its_thresholds(tmp_path):
    labelled = load_examples(write(tmp_path, GOOD_EXAMPLES))
    assert labelled.thresholds_for(encoder=True) == Thresholds(0.6, 0.3)
    assert labelled.thresholds_for(encoder=False) == Thresholds(0.7, 0.2)


def test_pattern_problems_name_the_cue_group(tmp_path):
    text = "danger:\n  - 'knife'\nnot_present:\n  past:\n    - '(unclosed'\npresent: [now]\n"
    path = write(tmp_path, text, "patterns.yml")
    found = {p.field: p.message for p in problems_of(path, load_patterns)}
    assert found["not_present.past"].startswith("invalid regular expression")
    assert found["present"] == "must map each cue name to a list of regular expressions"


# -- the command and the Rasa side ------------------------------------------------------------

def test_evaluate_command_prints_the_figures_per_tier_for_both_variants(encoder):
    from bot.cli import cli

    result = CliRunner().invoke(cli, ["safety", "evaluate"])
    assert result.exit_code == 0, result.output
    with_encoder, without = result.output.split("== Without the encoder")
    assert "== With the sentence encoder" in with_encoder and "`thresholds` in the file" in with_encoder
    assert "`thresholds_without_encoder` in the file" in without
    for part in (with_encoder, without):
        for line in ("takeover recall", "takeover examples given at least the reminder", "false takeover rate",
                     "Thresholds the fitting rule chooses"):
            assert line in part
        assert "(as in the file)." in part


def test_validate_command_reports_counts():
    from bot.cli import cli

    result = CliRunner().invoke(cli, ["safety", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ") and "takeover" in result.output


def test_rasa_nlu_uses_the_action_servers_check_with_the_encoder(monkeypatch, encoder):
    from bot.nlp.rasa_components import ImmediateDangerClassifier

    monkeypatch.setenv("DASG_ENCODER", "on")
    settings = load_settings()
    # as bot.dialogue.build makes it for the action server
    built = load_danger_check(settings.safety_file, encoder=encoder, cache_dir=settings.var_dir / "embeddings")
    assert ImmediateDangerClassifier().danger is built


def test_rasa_nlu_says_immediate_danger_exactly_for_the_takeover(monkeypatch, plain_check):
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlp.rasa_components import ImmediateDangerClassifier

    monkeypatch.setenv("DASG_ENCODER", "off")
    component = ImmediateDangerClassifier()
    assert component.danger is plain_check, "both processes use the same check"
    guessed = {"name": "immediate_danger", "confidence": 0.7}
    other = {"name": "ask_marac", "confidence": 0.2}
    messages = [
        Message(data={"text": "he's strangling her on the landing", "intent": other, "intent_ranking": [other]}),
        Message(data={"text": "he strangled her back in 2020 and they've since split", "intent": guessed,
                      "intent_ranking": [guessed, other]}),
        Message(data={"text": '/choose_entry{"entry_id":"marac-what-is"}', "intent": other}),
    ]
    component.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["immediate_danger", "ask_marac", "ask_marac"]
    assert [r["name"] for r in messages[0].get("intent_ranking")] == ["immediate_danger", "ask_marac"]
    assert [r["name"] for r in messages[1].get("intent_ranking")] == ["ask_marac"]
