"""Start and stop the action server and the Rasa server as child processes on loopback.

Used by ``bot run``, by the conversation tests' shared fixture and by the benchmark, so
all three run the assistant the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.config import PROJECT_ROOT

HOST = "127.0.0.1"


@dataclass
class Servers:
    """The running action server and Rasa server."""

    rasa_port: int
    action_port: int
    processes: list[subprocess.Popen] = field(default_factory=list)
    started_at: float = 0.0
    ready_after: float = 0.0

    @property
    def rest_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def _wait_for(url: str, process: subprocess.Popen, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} exited with code {process.returncode} before it was ready")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the {name} was not ready after {timeout:.0f} s ({url})")


def start_servers(
    model: Path,
    rasa_port: int = 5005,
    action_port: int = 5055,
    endpoints: Path | None = None,
    root: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    timeout: float = 240,
    cors: list[str] | None = None,
) -> Servers:
    """Start both servers, wait until they answer, and return them (call ``stop()`` after).

    ``cors`` lists the web origins allowed to call the Rasa server (the widget's page);
    the default allows any origin.
    """
    env = _server_env(env)
    bin_dir = Path(sys.executable).parent
    endpoints = endpoints or _endpoints_for(root, action_port, env)
    servers = Servers(rasa_port=rasa_port, action_port=action_port, started_at=time.monotonic())
    log_dir = log_dir or root / "var" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = False
    try:  # a server that started is stopped again if the other one does not come up
        servers.processes.append(_spawn(
            [str(bin_dir / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            root, env, log_dir / "actions.log",
        ))
        _wait_for(f"http://{HOST}:{action_port}/health", servers.processes[0], timeout, "action server")
        servers.processes.append(start_rasa_server(
            model, rasa_port, endpoints, root=root, env=env, log_file=log_dir / "rasa.log", timeout=timeout,
            cors=cors,
        ))
        started = True
    finally:
        if not started:
            servers.stop()
    servers.ready_after = time.monotonic() - servers.started_at
    return servers


def start_rasa_server(
    model: Path,
    port: int,
    endpoints: Path,
    root: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    log_file: Path | None = None,
    timeout: float = 240,
    cors: list[str] | None = None,
) -> subprocess.Popen:
    """Start the Rasa server alone (REST and socket.io channels) and wait until it answers."""
    env = _server_env(env)
    log_file = log_file or root / "var" / "logs" / "rasa.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    process = _spawn(
        [str(Path(sys.executable).parent / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", "credentials.yml", "--interface", HOST, "--port", str(port), "--cors", *(cors or ["*"])],
        root, env, log_file,
    )
    ready = False
    try:
        _wait_for(f"http://{HOST}:{port}/webhooks/rest/", process, timeout, "Rasa server")
        ready = True
    finally:
        if not ready and process.poll() is None:
            process.kill()
            process.wait()
    return process


def _server_env(env: dict[str, str] | None) -> dict[str, str]:
    merged = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **(env or {})}
    merged.setdefault("SANIC_REGISTER", "False")
    return merged


def _spawn(command: list[str], root: Path, env: dict, log_file: Path) -> subprocess.Popen:
    log = open(log_file, "ab")
    return subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)


def _endpoints_for(root: Path, action_port: int, env: dict) -> Path:
    """endpoints.yml, or a copy pointing at another action port / tracker database."""
    chosen = env.get("DASG_ENDPOINTS")
    if chosen:
        return root / chosen
    if action_port == 5055 and "DASG_TRACKER_DB" not in env:
        return root / "endpoints.yml"
    var = Path(env.get("DASG_VAR_DIR", root / "var"))
    var.mkdir(parents=True, exist_ok=True)
    path = var / f"endpoints-{action_port}.yml"
    tracker_db = env.get("DASG_TRACKER_DB", str(var / "tracker.db"))
    path.write_text(
        f'action_endpoint:\n  url: "http://{HOST}:{action_port}/webhook"\n'
        f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n  dialect: "sqlite"\n  db: "{tracker_db}"\n',
        encoding="utf-8",
    )
    return path
