"""Services' meaning vectors: kept by text, computed within a budget per search, saved and read back."""

from __future__ import annotations

import numpy as np

from bot.directory.vectors import ServiceVectors, service_text, text_key
from tests.bot.directory.searchdir import WordEncoder

TEXTS = [f"service number {n} helps families with safety planning" for n in range(10)]


def test_a_search_encodes_at_most_its_budget_and_the_rest_later(tmp_path):
    encoder = WordEncoder()
    vectors = ServiceVectors(encoder, tmp_path / "v.npz", budget=4)
    query = encoder.encode(["safety planning for families"])[0]
    first = vectors.closeness(query, TEXTS)
    assert np.isnan(first).sum() == 6 and len(vectors) == 4  # ranked by words alone for now
    second = vectors.closeness(query, TEXTS)
    assert np.isnan(second).sum() == 2
    assert vectors.warm(TEXTS) == 2 and not np.isnan(vectors.closeness(query, TEXTS)).any()


def test_vectors_are_saved_and_read_back_and_a_damaged_file_is_ignored(tmp_path):
    encoder = WordEncoder()
    vectors = ServiceVectors(encoder, tmp_path / "v.npz")
    vectors.warm(TEXTS)
    calls = encoder.calls
    again = ServiceVectors(encoder, tmp_path / "v.npz")
    again.closeness(encoder.encode(["x"])[0], TEXTS)
    assert encoder.calls == calls + 1 and len(again) == 10  # only the query was encoded
    (tmp_path / "v.npz").write_bytes(b"not a numpy file")
    damaged = ServiceVectors(encoder, tmp_path / "v.npz")
    assert not np.isnan(damaged.closeness(encoder.encode(["x"])[0], TEXTS[:2])).any()


def test_a_service_is_encoded_from_its_own_words():
    assert service_text("Hub", " Support. ", "") == "Hub Support."
    assert text_key("a") == text_key("a") != text_key("b") and len(text_key("a")) == 32
