"""bot.web.sessions: only tokens this server signed prove a conversation."""

from __future__ import annotations

import pytest

from bot.web.sessions import PREFIX, SessionTokens

KEY = b"k" * 40


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_issued_tokens_prove_their_own_conversation():
    tokens = SessionTokens(KEY, max_age=3600)
    first, second = tokens.issue(), tokens.issue()
    assert first.id.startswith(PREFIX) and first.id != second.id
    assert tokens.verify(first.token) == first
    assert tokens.verify(second.token).id == second.id


@pytest.mark.parametrize("change", [
    lambda t: t.replace(t.split(".")[0], PREFIX + "0" * 32),      # another conversation's id
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # a changed signature
    lambda t: ".".join(t.split(".")[:2]),                         # no signature
    lambda t: t.split(".")[0],                                    # the id alone
    lambda t: t + ".x",
    lambda t: "",
    lambda t: None,
    lambda t: {"token": t},
    lambda t: t * 10,
])
def test_forged_or_malformed_tokens_prove_nothing(change):
    tokens = SessionTokens(KEY, max_age=3600)
    assert tokens.verify(change(tokens.issue().token)) is None


def test_another_key_and_old_or_future_tokens_are_refused():
    clock = Clock()
    tokens = SessionTokens(KEY, max_age=3600, clock=clock)
    token = tokens.issue().token
    assert SessionTokens(b"o" * 40, max_age=3600, clock=clock).verify(token) is None
    clock.now += 3599
    assert tokens.verify(token) is not None
    clock.now += 2
    assert tokens.verify(token) is None, "older than max_age"
    clock.now -= 3601 + 3600
    assert tokens.verify(token) is None, "from more than the allowed skew in the future"


def test_a_key_is_required():
    with pytest.raises(ValueError):
        SessionTokens(b"", max_age=1)
