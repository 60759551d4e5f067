"""The real sentence encoder for the safety tests that check the variant of the danger check with it."""

from __future__ import annotations

import pytest

from bot.config import load_settings


@pytest.fixture(scope="session")
def encoder():
    """The real sentence encoder (a few seconds, once per process), or skip if it is not installed."""
    from bot.nlp.encoder import EncoderError, load_encoder

    try:
        return load_encoder(load_settings().var_dir)
    except EncoderError as exc:
        pytest.skip(f"no sentence encoder: {exc}")
