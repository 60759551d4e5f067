"""The sentence encoder: the official model files only, normalised vectors that carry meaning,
and entry vectors kept on disk by text hash."""

import hashlib

import numpy as np
import pytest

from bot.nlp.encoder import EXPECTED_SHA256, EmbeddingStore, EncoderError, load_encoder, verify


def test_a_model_folder_with_a_changed_file_is_refused(tmp_path):
    for name in EXPECTED_SHA256:
        (tmp_path / name).write_bytes(b"not the model")
    with pytest.raises(EncoderError, match="model.safetensors: SHA-256 .* is not the official"):
        verify(tmp_path)


def test_a_model_folder_missing_a_file_is_refused(tmp_path):
    with pytest.raises(EncoderError, match="missing from the model folder"):
        verify(tmp_path)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="module")
def encoder(var_dir):
    return load_encoder(var_dir)


def test_the_unpacked_files_are_the_official_ones(encoder, var_dir):
    folder = next((var_dir / "models").glob("*/model.safetensors")).parent
    digest = hashlib.sha256((folder / "config.json").read_bytes()).hexdigest()
    assert digest == EXPECTED_SHA256["config.json"]


def test_vectors_are_normalised_and_carry_meaning(encoder):
    same, paraphrase, other = encoder.encode([
        "she has to ask him for money for food",
        "he controls all of the household finances",
        "the school holidays start next week",
    ])
    assert np.allclose([np.linalg.norm(v) for v in (same, paraphrase, other)], 1.0, atol=1e-5)
    assert same @ paraphrase > same @ other + 0.1


def test_the_same_text_gives_the_same_vector(encoder):
    first, again = encoder.encode(["what is MARAC?"])[0], encoder.encode(["what is MARAC?"])[0]
    assert np.array_equal(first, again)


class CountingEncoder:
    """Stands in for the model: a vector from the text's length, counting the texts encoded."""

    def __init__(self):
        self.encoded = []

    def encode_known(self, texts, known):
        from bot.nlp.encoder import _key

        missing = [t for t in texts if _key(t) not in known]
        self.encoded += missing
        return np.stack([known.get(_key(t), np.full(384, float(len(t)), dtype=np.float32)) for t in texts])


def test_the_store_encodes_a_text_once_across_restarts(tmp_path):
    path = tmp_path / "entries.npz"
    first = CountingEncoder()
    EmbeddingStore(path, first).vectors(["an entry", "another entry"])
    again = CountingEncoder()
    vectors = EmbeddingStore(path, again).vectors(["an entry", "an edited entry"])
    assert first.encoded == ["an entry", "another entry"]
    assert again.encoded == ["an edited entry"]  # only the edited text is encoded again
    assert vectors[0][0] == len("an entry")
