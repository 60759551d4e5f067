"""``bot run`` as an operator sees it: a killed action server comes back and says so, Ctrl-C
stops everything with exit code 0, and a server that keeps failing ends the run with exit code 1."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from bot import cli
from bot.config import PROJECT_ROOT
from tests.conftest import free_port

BOT = Path(sys.executable).with_name("bot")


class Output:
    """The lines a running command prints, read in the background."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{text!r} not printed within {timeout:.0f} s; printed:\n" + "\n".join(self.lines)) from None
            self.lines.append(line)
            if text in line:
                return line

    def all(self, timeout: float = 10) -> list[str]:
        """Every line, once the command has ended."""
        self._thread.join(timeout)
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return self.lines


def children_of(pid: int) -> dict[int, str]:
    """The child processes of ``pid`` and their command lines (Linux)."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
    return " Z " not in stat  # a zombie has stopped


def test_bot_run_restarts_a_killed_action_server_and_ctrl_c_stops_everything(trained_model, tmp_path):
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = {**os.environ, "DASG_VAR_DIR": str(tmp_path), "DASG_DATABASE_URL": f"sqlite:///{tmp_path / 'knowledge.db'}",
           "DASG_ENCODER": "off",
           "DASG_TRACKER_DB": str(tmp_path / "tracker.db")}
    process = subprocess.Popen(
        [str(BOT), "run", "--port", str(rasa_port), "--action-port", str(action_port), "--web-port", str(web_port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, so the test can press "Ctrl-C" on it alone
    )
    output = Output(process.stdout)
    try:
        output.wait_for("The assistant is ready", timeout=240)
        servers = children_of(process.pid)
        action = next(pid for pid, command in servers.items() if "action_server" in command)
        os.kill(action, signal.SIGKILL)
        output.wait_for("The action server stopped (exit code -9, SIGKILL); restarting in 2 s.", timeout=10)
        output.wait_for("The action server is back.", timeout=90)
        reply = requests.post(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                              json={"sender": "run-test", "message": "what is MARAC?"}, timeout=60).json()
        assert any("multi-agency risk assessment conference" in r.get("text", "").lower() for r in reply), reply
        servers = children_of(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        # Stopping waits up to 15 s for the servers, then kills them: generous on a loaded 2-core machine.
        try:
            code = process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail(f"bot run did not stop within 90 s of Ctrl-C; it printed: {output.all()}")
        assert code == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    printed = output.all()
    assert "Stopping the servers..." in printed
    assert len([line for line in printed if "restarting" in line]) == 1, printed  # stopping is not a crash
    assert not [pid for pid in servers if alive(pid)], "a server outlived bot run"


class CrashingServer:
    """A fake server that has stopped, and stops again at once whenever it is started."""

    def __init__(self, name: str):
        self.name, self.log_file, self.started_at, self.exit_code = name, Path("var/logs/actions.log"), time.monotonic(), 1

    @property
    def running(self) -> bool:
        return False

    def start(self, timeout: float, stopping=None) -> None:
        self.started_at = time.monotonic()
        raise RuntimeError(f"the {self.name} exited with code 1 before it was ready")


class FakeServers:
    rest_url, ready_after = "http://127.0.0.1:1/webhooks/rest/webhook", 0.0

    def __init__(self):
        self.children = [CrashingServer("action server")]
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_bot_run_gives_up_on_a_server_that_keeps_failing_with_exit_code_1(monkeypatch, tmp_path):
    import bot.runtime.servers
    import bot.runtime.supervisor
    import bot.runtime.training

    monkeypatch.setenv("DASG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DASG_DATABASE_URL", f"sqlite:///{tmp_path / 'knowledge.db'}")
    fake = FakeServers()
    monkeypatch.setattr(bot.runtime.servers, "start_servers", lambda *args, **kwargs: fake)
    monkeypatch.setattr(bot.runtime.training, "ensure_model", lambda echo: (Path("model.tar.gz"), False))
    waits: list[float] = []
    real = bot.runtime.supervisor.Supervisor
    monkeypatch.setattr(bot.runtime.supervisor, "Supervisor",
                        lambda *args, **kwargs: real(*args, **kwargs, wait=lambda s: waits.append(s) or False))
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    try:
        result = CliRunner(mix_stderr=False).invoke(cli.cli, ["run", "--web-port", "0"])
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGHUP, previous[1])
    assert result.exit_code == 1, result.output + result.stderr
    assert waits == [2, 4, 8, 16]
    assert "The action server stopped (exit code 1); restarting in 2 s." in result.output
    assert ("The action server stopped 5 times in a row within 60 s of starting (exit code 1 the last time); giving up. "
            "Its log: var/logs/actions.log") in result.stderr
    assert "Stopping the servers..." in result.output
    assert fake.stopped

