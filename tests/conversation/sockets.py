"""A socket.io client of the widget's channel for tests: the events a browser would see."""

from __future__ import annotations

import queue
from typing import Any

import requests
import socketio

TIMEOUT = 60.0
EVENTS = ("bot_uttered", "bot_turn_end", "session_confirm")


class SocketChat:
    """One socket.io connection (polling transport, as a browser starts) and what it receives."""

    def __init__(self, base_url: str, origin: str | None = None, session: bool = True, token: str | None = None):
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in EVENTS:
            self.client.on(name, self._recorder(name))
        headers = {"Origin": origin} if origin else {}
        self.client.connect(base_url, transports=["polling"], headers=headers, wait_timeout=15)
        self.session_id: str | None = None
        self.token: str | None = None
        if session:
            self.request_session(token=token)

    def _recorder(self, name: str):
        def record(data: Any = None, *_: Any) -> None:
            self.events.put((name, data))
        return record

    def request_session(self, session_id: str | None = None, token: str | None = None) -> dict:
        """Ask for a conversation (offering an id and/or a token); the server's answer."""
        self.client.emit("session_request", {"session_id": session_id, "token": token})
        name, data = self.events.get(timeout=TIMEOUT)
        assert name == "session_confirm", (name, data)
        self.session_id, self.token = data["session_id"], data["token"]
        return data

    def emit(self, data: Any = None, *more: Any) -> None:
        """Send a ``user_uttered`` event exactly as given (any shape)."""
        self.client.emit("user_uttered", data if not more else (data, *more))

    def send(self, message: Any, **extra: Any) -> list[dict]:
        """Send a message with this connection's token; the bot messages until the end of the turn."""
        self.emit({"message": message, "session_id": self.session_id, "token": self.token, **extra})
        return self.until_turn_end()

    def until_turn_end(self, timeout: float = TIMEOUT) -> list[dict]:
        """The bot messages received until ``bot_turn_end`` (AssertionError if it never comes)."""
        messages = []
        while True:
            try:
                name, data = self.events.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no end-of-turn event after {timeout:.0f} s; got {messages}") from None
            if name == "bot_turn_end":
                return messages
            if name == "bot_uttered":
                messages.append(data)

    def received_nothing(self, wait: float = 1.0) -> bool:
        try:
            self.events.get(timeout=wait)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.client.disconnect()


def types(messages: list[dict]) -> list[str]:
    return [m.get("custom", {}).get("type") for m in messages]


def warm_up(rest_url: str) -> None:
    """Take the first turn, which builds the action server's router (half a minute, more on a busy
    machine), before the tests, so that none meets Sanic's 60 s response timeout (HTTP 503)."""
    for _ in range(4):
        if requests.post(rest_url, json={"sender": "test-warm-up", "message": "hi"}, timeout=120).ok:
            return
