"""Process faults and exposure, against real servers of their own: the action server listens on
loopback only, refuses webhook calls without the shared token (the Rasa server sends it), and
when it is killed the supervisor of ``bot run`` restarts it and questions are answered again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid

import pytest
import requests

from bot.knowledge.store import make_engine, save_knowledge
from bot.runtime.servers import start_servers
from bot.runtime.supervisor import Supervisor
from tests.conftest import SERVER_LOGS, free_port

pytestmark = pytest.mark.conversation

TOKEN = "test-token-" + "x" * 32
MARKER = "zebra-marker-7f3a"


class Console:
    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, message: str, err: bool = False) -> None:
        self.lines.append(message)


@pytest.fixture(scope="module")
def guarded(trained_model, tmp_path_factory, knowledge):
    """Both servers with an action token, watched by the supervisor ``bot run`` uses."""
    var = tmp_path_factory.mktemp("guarded")
    database_url = f"sqlite:///{var / 'knowledge.db'}"
    save_knowledge(make_engine(database_url), knowledge)
    env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": str(var), "DASG_TRACKER_DB": str(var / "tracker.db"),
           "DASG_ACTION_TOKEN": TOKEN, "DASG_ENCODER": "off"}
    servers = start_servers(trained_model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=var)
    SERVER_LOGS.append(var / "actions.log")
    console = Console()
    supervisor = Supervisor(servers.children, echo=console)
    supervisor.start()
    servers.console, servers.supervisor, servers.log = console, supervisor, var / "actions.log"
    yield servers
    supervisor.stop()
    servers.stop()


def ask(servers, text: str) -> list[str]:
    response = requests.post(servers.rest_url, json={"sender": f"test-{uuid.uuid4().hex[:8]}", "message": text}, timeout=60)
    response.raise_for_status()
    return [reply["text"] for reply in response.json() if reply.get("text")]


def non_loopback_addresses() -> list[str]:
    result = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False)
    return [a for a in result.stdout.split() if not a.startswith("127.") and a != "::1" and not a.startswith("fe80")]


def reachable(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=2):
            return True
    except OSError:
        return False


def test_the_action_server_is_not_reachable_on_another_address(guarded):
    addresses = non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no address other than loopback")
    assert reachable("127.0.0.1", guarded.action_port)
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family) as control:  # something listening on every interface is reachable there
            control.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
            control.listen()
            assert reachable(address, control.getsockname()[1]), f"{address} is not usable for this check"
        assert not reachable(address, guarded.action_port), f"the action server answers on {address}"


def test_a_webhook_call_without_the_token_gets_401_and_its_body_is_not_logged(guarded):
    url = f"http://127.0.0.1:{guarded.action_port}"
    call = {"next_action": "action_respond", "sender_id": "intruder", "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": "intruder", "slots": {}, "latest_message": {"text": MARKER}, "events": []}}
    assert requests.post(f"{url}/webhook", json=call, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer " + "y" * 43}
    assert requests.post(f"{url}/webhook", json=call, headers=wrong, timeout=10).status_code == 401
    assert requests.get(f"{url}/actions", timeout=10).status_code == 401
    assert requests.get(f"{url}/health", timeout=10).status_code == 200
    assert MARKER not in guarded.log.read_text(encoding="utf-8", errors="replace")


def test_the_rasa_server_sends_the_token_and_questions_are_answered(guarded):
    replies = ask(guarded, "what is MARAC?")
    assert any("multi-agency risk assessment conference" in text.lower() for text in replies), replies


def test_a_killed_action_server_is_restarted_and_questions_are_answered_again(guarded):
    killed = guarded.processes[0].pid
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 90
    while "The action server is back." not in guarded.console.lines:
        assert time.monotonic() < deadline, f"not restarted in 90 s: {guarded.console.lines}"
        time.sleep(0.5)
    assert guarded.console.lines == ["The action server stopped (exit code -9, SIGKILL); restarting in 2 s.",
                                     "The action server is back."]
    assert guarded.processes[0].pid != killed
    replies = ask(guarded, "what is MARAC?")
    assert any("multi-agency risk assessment conference" in text.lower() for text in replies), replies
