"""The danger classifier's embedding view, with a stand-in encoder (fast and deterministic): it
adds meaning the words do not carry, the check embeds each message as written, the examples'
embeddings are cached on disk by text, and each variant of the check has its own thresholds."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import yaml

from bot.config import load_settings
from bot.nlp.encoder import SentenceEncoder
from bot.safety.check import EMBEDDINGS_FILE, evaluate, load_danger_check, load_patterns
from bot.safety.classifier import NONE, REMINDER, TAKEOVER, DangerClassifier, Thresholds, load_examples

SETTINGS = load_settings()
# A stand-in for meaning: words that mean the same thing share an axis.
CONCEPTS = {
    "weapon": {"knife", "blade", "machete", "cleaver", "axe"},
    "attack": {"hitting", "punching", "kicking", "strangling", "battering", "thumping"},
    "past": {"ago", "last", "used", "once", "previously"},
    "question": {"what", "how", "when", "who", "policy"},
    "worry": {"worried", "scared", "frightened", "later", "tonight"},
}


class FakeEncoder:
    """Deterministic stand-in for the sentence encoder: one axis per concept and one every text
    has, L2-normalised; records every text it encodes."""

    encode_known = SentenceEncoder.encode_known  # as the real encoder: used by EmbeddingStore

    def __init__(self):
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        rows = np.zeros((len(texts), len(CONCEPTS) + 1), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            words = set(re.findall(r"[a-z]+", text.lower()))
            row[:-1] = [len(words & group) for group in CONCEPTS.values()]
            row[-1] = 0.5
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


TRAINING = {
    TAKEOVER: ["he has a knife at her throat", "he's holding a blade to her neck", "he's waving an axe in the kitchen",
               "he's hitting her right now", "dad is punching mum in the hall", "he's strangling her on the sofa",
               "he's kicking her on the floor", "he's got a knife and the kids are in the room"],
    REMINDER: ["she's worried about tonight", "mum is scared of what he'll do later", "I'm frightened for her tonight",
               "the child is scared to go home later", "she's worried he'll come back tonight",
               "mum's frightened he'll turn up later", "the girl is worried about home tonight",
               "he might be angry later, she's scared"],
    NONE: ["what is MARAC?", "how do I complete a DASH?", "when should I refer?", "who chairs the meeting?",
           "he hit her two years ago", "he used to kick the door in", "last year he threatened her",
           "what does the policy say about home visits?"],
}


def fit(embed=None) -> DangerClassifier:
    texts = [t for tier in TRAINING.values() for t in tier]
    labels = [tier for tier, items in TRAINING.items() for _ in items]
    return DangerClassifier(embed).fit(texts, ["no_cue"] * len(texts), labels)


def test_the_embedding_view_carries_meaning_the_words_do_not():
    text = "he is coming at mum with a cleaver"  # no word of it is a training word for a weapon
    (with_meaning,) = fit(FakeEncoder().encode).scores([text], ["no_cue"])
    (words_only,) = fit().scores([text], ["no_cue"])
    assert with_meaning.takeover > words_only.takeover + 0.2


def test_a_classifier_trained_with_embeddings_needs_them_to_score():
    encoder = FakeEncoder()
    texts = [t for tier in TRAINING.values() for t in tier]
    labels = [tier for tier, items in TRAINING.items() for _ in items]
    trained = DangerClassifier().fit(texts, ["no_cue"] * len(texts), labels, encoder.encode(texts))
    with pytest.raises(RuntimeError, match="trained with embeddings"):
        trained.scores(["he has a knife"], ["no_cue"])
    assert len(trained.scores(["he has a knife"], ["no_cue"], encoder.encode(["he has a knife"]))) == 1
    with pytest.raises(ValueError, match="2 embeddings for 1 texts"):
        trained.scores(["he has a knife"], ["no_cue"], encoder.encode(["a", "b"]))


# -- the check: message as written, cache, thresholds per variant --------------------------------

@pytest.fixture
def files(tmp_path):
    """A patterns file and a small examples file with distinct thresholds for each variant."""
    patterns = tmp_path / "patterns.yml"
    shutil.copy(SETTINGS.safety_file, patterns)
    examples = {
        "thresholds": {"takeover": 0.6, "reminder": 0.3},
        "thresholds_without_encoder": {"takeover": 0.7, "reminder": 0.2},
        "examples": {tier: [f"{t} ({n})" for n in range(3) for t in items]
                     for tier, items in TRAINING.items()},
    }
    (tmp_path / "examples.yml").write_text(yaml.safe_dump(examples), encoding="utf-8")
    return patterns, tmp_path / "examples.yml"


def test_each_variant_has_its_thresholds(files, tmp_path):
    patterns, _ = files
    assert load_danger_check(patterns).thresholds == Thresholds(0.7, 0.2)
    assert load_danger_check(patterns, encoder=FakeEncoder(), cache_dir=tmp_path).thresholds == Thresholds(0.6, 0.3)


def test_the_check_embeds_each_message_as_written_once(files, tmp_path):
    encoder = FakeEncoder()
    check = load_danger_check(files[0], encoder=encoder, cache_dir=tmp_path / "embeddings")
    encoder.encoded.clear()
    assert check.tier("He's got a KNIFE to her Throat") == TAKEOVER
    assert encoder.encoded == ["He's got a KNIFE to her Throat"]
    assert check.tier("/choose_entry{}") == NONE and check.tier("") == NONE
    assert len(encoder.encoded) == 1, "button payloads and empty text are never encoded"


def test_the_examples_embeddings_are_cached_on_disk_by_text(files, tmp_path):
    patterns, examples = files
    cache = tmp_path / "embeddings"
    first = FakeEncoder()
    load_danger_check(patterns, encoder=first, cache_dir=cache)
    assert (cache / EMBEDDINGS_FILE).exists()
    assert len(first.encoded) == len(load_examples(examples).texts)

    restart = FakeEncoder()  # another process: the same examples are read back, none encoded
    load_danger_check(patterns, encoder=restart, cache_dir=cache)
    assert restart.encoded == []

    edited = examples.read_text(encoding="utf-8").replace("what is MARAC? (0)", "what is a MARAC for? (0)")
    examples.write_text(edited, encoding="utf-8")
    after_edit = FakeEncoder()
    load_danger_check(patterns, encoder=after_edit, cache_dir=cache)
    assert after_edit.encoded == ["what is a MARAC for? (0)"]


def test_an_unreadable_cache_means_encoding_again(files, tmp_path):
    cache = tmp_path / "embeddings"
    cache.mkdir()
    (cache / EMBEDDINGS_FILE).write_bytes(b"half a file")  # e.g. the other server writing it this moment
    encoder = FakeEncoder()
    check = load_danger_check(files[0], encoder=encoder, cache_dir=cache)
    assert check.tier("he's strangling her on the sofa") == TAKEOVER


def test_evaluate_with_vectors_is_the_encoder_variant(files):
    patterns, examples = files
    labelled = load_examples(examples)
    vectors = FakeEncoder().encode(list(labelled.texts))
    with_encoder = evaluate(load_patterns(patterns), labelled, folds=3, seeds=(1,), vectors=vectors)
    without = evaluate(load_patterns(patterns), labelled, folds=3, seeds=(1,))
    assert (with_encoder.encoder, with_encoder.thresholds) == (True, Thresholds(0.6, 0.3))
    assert (without.encoder, without.thresholds) == (False, Thresholds(0.7, 0.2))
    assert with_encoder.figures.outcomes[REMINDER] and len(with_encoder.tiers) == len(labelled.texts)
