"""Conversation ids the server issues to the widget, and the signed tokens that prove them.

A widget conversation belongs to the client that was given its token: the id is random, the
token is an HMAC of the id and the time it was issued under the key every Rasa server shares
(``WebSettings.session_key``), so a client can neither choose an id nor continue another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable

PREFIX = "web-"  # widget conversations' ids; the REST channel refuses senders that start with it
_ID = re.compile(rf"^{PREFIX}[0-9a-f]{{32}}$")
_SIGNED = b"dasg-session-v1"
CLOCK_SKEW = 300.0  # seconds a token may seem to come from the future (servers' clocks differ)


@dataclass(frozen=True)
class Session:
    """A conversation id and the token its client keeps."""

    id: str
    token: str


class SessionTokens:
    """Issues and checks conversation tokens: ``<id>.<issued>.<signature>``."""

    def __init__(self, key: bytes, max_age: float, clock: Callable[[], float] = time.time):
        if not key:
            raise ValueError("a session key is needed to sign conversation tokens")
        self._key = key
        self.max_age = max_age
        self._clock = clock

    def issue(self) -> Session:
        """A new conversation: a random id and its token."""
        session_id = PREFIX + secrets.token_hex(16)
        issued = str(int(self._clock()))
        return Session(session_id, f"{session_id}.{issued}.{self._sign(session_id, issued)}")

    def verify(self, token: object) -> Session | None:
        """The conversation a token proves, or None (malformed, forged, expired or from the future)."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not _ID.match(parts[0]) or not parts[1].isdigit():
            return None
        session_id, issued, signature = parts
        if not hmac.compare_digest(signature, self._sign(session_id, issued)):
            return None
        age = self._clock() - int(issued)
        if age > self.max_age or age < -CLOCK_SKEW:
            return None
        return Session(session_id, token)

    def _sign(self, session_id: str, issued: str) -> str:
        digest = hmac.new(self._key, b"|".join([_SIGNED, session_id.encode(), issued.encode()]), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
