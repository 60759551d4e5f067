"""One trained model and one pair of running servers for all whole-conversation tests.

The model is trained only if none exists for the current inputs (see bot.training);
the servers use a temporary knowledge database and tracker store on free loopback ports.
"""

from __future__ import annotations

import socket
import uuid

import pytest
import requests

from bot.knowledge.store import make_engine, save_knowledge
from bot.servers import start_servers
from bot.training import ensure_model


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def trained_model():
    path, _ = ensure_model()
    return path


@pytest.fixture(scope="session")
def servers(trained_model, tmp_path_factory, knowledge):
    var = tmp_path_factory.mktemp("servers")
    database_url = f"sqlite:///{var / 'knowledge.db'}"
    save_knowledge(make_engine(database_url), knowledge)
    env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": str(var), "DASG_TRACKER_DB": str(var / "tracker.db")}
    running = start_servers(trained_model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=var)
    running.tracker_db = var / "tracker.db"
    yield running
    running.stop()


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
