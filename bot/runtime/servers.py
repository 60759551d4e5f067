"""Start and stop the action server and the Rasa server as child processes on loopback.

Used by ``bot run`` (under ``bot.runtime.supervisor``, which restarts a server that stops), by
the conversation tests' shared fixture and by the benchmark, so all three run the assistant
the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.config import PROJECT_ROOT, load_settings
from bot.runtime.action_auth import ENDPOINT_HEADERS, token_problem

HOST = "127.0.0.1"


class StopRequested(Exception):
    """Raised while waiting for a server to become ready when everything is being stopped."""


@dataclass
class ServerProcess:
    """One server: how to start it, how to tell it is ready, and its current process."""

    name: str
    command: list[str]
    ready_url: str
    root: Path
    env: dict[str, str]
    log_file: Path
    detach: bool = False  # its own session: a terminal's Ctrl-C reaches only the parent, which stops it
    process: subprocess.Popen | None = None
    started_at: float = 0.0

    def start(self, timeout: float, stopping: threading.Event | None = None) -> None:
        """Start the process and wait until it answers; a process that does not is killed."""
        self.started_at = time.monotonic()  # also when it cannot even be spawned: a quick failure
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.root, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=self.detach)
        ready = False
        try:
            _wait_for(self.ready_url, self.process, timeout, self.name, stopping)
            ready = True
        except RuntimeError as exc:  # say where to look: several servers write several logs
            raise RuntimeError(f"{exc}; its log: {self.log_file}") from exc
        finally:
            if not ready and self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def interrupt(self) -> None:
        """Ask the process to stop (SIGINT, as Ctrl-C would)."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGINT)

    def wait_or_kill(self, timeout: float) -> None:
        """Wait for the process to end; kill it if it has not after ``timeout`` seconds."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Servers:
    """The running action server and Rasa server."""

    rasa_port: int
    action_port: int
    children: list[ServerProcess] = field(default_factory=list)
    started_at: float = 0.0
    ready_after: float = 0.0

    @property
    def processes(self) -> list[subprocess.Popen]:
        """The current processes: the action server's, then the Rasa server's."""
        return [child.process for child in self.children if child.process is not None]

    @property
    def rest_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    def stop(self) -> None:
        for child in reversed(self.children):
            child.interrupt()
        deadline = time.monotonic() + 15
        for child in self.children:
            child.wait_or_kill(deadline - time.monotonic())


def _wait_for(url: str, process: subprocess.Popen, timeout: float, name: str,
              stopping: threading.Event | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = ""  # what it said the last time it answered (a readiness check names what is missing)
    while time.monotonic() < deadline:
        if stopping is not None and stopping.is_set():
            raise StopRequested(name)
        if process.poll() is not None:
            raise RuntimeError(f"the {name} exited with code {process.returncode} before it was ready")
        try:
            answer = requests.get(url, timeout=5)
            if answer.ok:
                return
            last = f": HTTP {answer.status_code} {answer.text[:500]}"
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the {name} was not ready after {timeout:.0f} s ({url}){last}")


def start_servers(
    model: Path,
    rasa_port: int = 5005,
    action_port: int = 5055,
    endpoints: Path | None = None,
    root: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    timeout: float = 240,
    detach: bool = False,
) -> Servers:
    """Start both servers, wait until they answer, and return them (call ``stop()`` after).

    Which web pages may use them is set in config/web.yml, read by the channels. ``detach``
    starts them in their own sessions (for a supervisor that stops them itself).
    """
    env = _server_env(env)
    problem = token_problem(load_settings(env))
    if problem:
        raise RuntimeError(problem)
    endpoints = endpoints or _endpoints_for(root, action_port, env)
    log_dir = log_dir or root / "var" / "logs"
    servers = Servers(rasa_port=rasa_port, action_port=action_port, started_at=time.monotonic())
    servers.children = [
        action_server_process(action_port, root, env, log_dir / "actions.log", detach),
        rasa_server_process(model, rasa_port, endpoints, root, env, log_dir / "rasa.log", detach),
    ]
    started = False
    try:  # a server that started is stopped again if the other one does not come up
        for child in servers.children:
            child.start(timeout)
        started = True
    finally:
        if not started:
            servers.stop()
    servers.ready_after = time.monotonic() - servers.started_at
    return servers


def action_server_process(port: int, root: Path, env: dict[str, str], log_file: Path, detach: bool = False) -> ServerProcess:
    """The action server (``action_server.py``: rasa-sdk on loopback, with the token when one is set)."""
    return ServerProcess(
        name="action server",
        command=[sys.executable, "-m", "action_server", "--actions", "actions", "--host", HOST, "--port", str(port)],
        ready_url=f"http://{HOST}:{port}/health", root=root, env=env, log_file=log_file, detach=detach,
    )


def rasa_server_process(model: Path, port: int, endpoints: Path, root: Path, env: dict[str, str], log_file: Path,
                        detach: bool = False, ready_path: str = "/webhooks/rest/") -> ServerProcess:
    """The Rasa server with the REST and socket.io channels, on loopback.

    ``ready_path``: what must answer 200 before it counts as started; ``/health/ready``
    (bot/web/ready.py) also waits for its databases and the action server.
    """
    return ServerProcess(
        name="Rasa server",
        command=[str(Path(sys.executable).parent / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
                 "--credentials", "credentials.yml", "--interface", HOST, "--port", str(port)],
        ready_url=f"http://{HOST}:{port}{ready_path}", root=root, env=env, log_file=log_file, detach=detach,
    )


def start_rasa_server(
    model: Path,
    port: int,
    endpoints: Path,
    root: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    log_file: Path | None = None,
    timeout: float = 240,
) -> subprocess.Popen:
    """Start the Rasa server alone (REST and socket.io channels) and wait until it answers."""
    child = rasa_server_process(model, port, endpoints, root, _server_env(env),
                                log_file or root / "var" / "logs" / "rasa.log")
    child.start(timeout)
    assert child.process is not None
    return child.process


# One thread per TensorFlow and BLAS operation in the servers: each handles many short messages at
# once, and TensorFlow's per-operation thread pools spin while they wait, so on the sentence
# encoder's small inputs they burned more CPU than they saved. With one thread each, the action
# server's CPU per reply fell from 15 to 6.5 ms and 50 conversations went from 49 to 56 msg/s on
# one server, 56 to 68 on two (docs/performance.md). Several servers are how this scales.
SERVER_THREADS = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _server_env(env: dict[str, str] | None) -> dict[str, str]:
    merged = {**SERVER_THREADS, **os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **(env or {})}
    merged.setdefault("SANIC_REGISTER", "False")
    return merged


def _endpoints_for(root: Path, action_port: int, env: dict) -> Path:
    """endpoints.yml, or a copy pointing at another action port / tracker database / sending the token."""
    chosen = env.get("DASG_ENDPOINTS")
    if chosen:
        return root / chosen
    token = load_settings(env).action_token
    if action_port == 5055 and "DASG_TRACKER_DB" not in env and token is None:
        return root / "endpoints.yml"
    var = Path(env.get("DASG_VAR_DIR", root / "var"))
    var.mkdir(parents=True, exist_ok=True)
    path = var / f"endpoints-{action_port}.yml"
    tracker_db = env.get("DASG_TRACKER_DB", str(var / "tracker.db"))
    path.write_text(
        f'action_endpoint:\n  url: "http://{HOST}:{action_port}/webhook"\n{ENDPOINT_HEADERS if token else ""}'
        f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n  dialect: "sqlite"\n  db: "{tracker_db}"\n',
        encoding="utf-8",
    )
    return path
