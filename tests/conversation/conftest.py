"""A REST conversation with the running assistant (the servers fixture is in tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest
import requests


class Chat:
    """One conversation over the REST channel."""

    def __init__(self, url: str):
        self.url = url
        self.sender = f"test-{uuid.uuid4().hex[:12]}"

    def send(self, text: str) -> list[dict]:
        response = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def chat(servers):
    return Chat(servers.rest_url)


@pytest.fixture
def new_chat(servers):
    return lambda: Chat(servers.rest_url)


def texts(replies: list[dict]) -> list[str]:
    return [r["text"] for r in replies if r.get("text")]


def kinds(replies: list[dict]) -> list[str]:
    return [r["custom"]["type"] for r in replies if isinstance(r.get("custom"), dict) and "type" in r["custom"]]


def guidance(replies: list[dict]) -> list[dict]:
    return [r["custom"] for r in replies if isinstance(r.get("custom"), dict) and r["custom"].get("type") == "guidance"]


def messages(replies: list[dict]) -> list[dict]:
    """The REST channel sends a message's ``custom`` payload as its own reply right after the
    text: put them back together as {"text", "buttons", "custom"}."""
    joined: list[dict] = []
    for reply in replies:
        if "custom" in reply and "text" not in reply and joined and "custom" not in joined[-1]:
            joined[-1]["custom"] = reply["custom"]
        else:
            joined.append({k: v for k, v in reply.items() if k != "recipient_id"})
    return joined
