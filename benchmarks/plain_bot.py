"""The plain Rasa bot the load benchmark compares the assistant with: ``rasa init``'s moodbot.

Generated at run time into ``var/bench/plain/`` (never committed), trained once and cached: the
model is named after a hash of its data, config and domain and the Rasa version, so a later run
(or another Rasa version) reuses or retrains it. It is served as Rasa serves it by default:
``rasa run --enable-api`` on loopback, in-memory tracker, no action server, REST channel.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.runtime.servers import HOST, ServerProcess

PLAIN_DIR = PROJECT_ROOT / "var" / "bench" / "plain"
MODEL_PREFIX = "plain-"
MODEL_INPUTS = ("config.yml", "domain.yml", "data/**/*.yml")
RASA = str(Path(sys.executable).with_name("rasa"))

# Short conversations its training data covers (greet, mood, affirm/deny, goodbye, bot challenge),
# each followed as its stories go.
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("hello", "I am great", "bye"),
    ("hi", "I am sad", "yes", "goodbye"),
    ("hey there", "my day was horrible", "no"),
    ("good morning", "are you a bot?", "bye bye"),
    ("good evening", "not good", "of course", "have a nice day"),
)


def plain_env() -> dict[str, str]:
    """The environment for the plain bot's Rasa commands: quiet TensorFlow, no telemetry."""
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1", "SANIC_REGISTER": "False"}


def plain_fingerprint(root: Path = PLAIN_DIR) -> str:
    """A short hash of what shapes the plain bot's model: its data, config and domain, and the Rasa version."""
    digest = hashlib.sha256(f"rasa=={version('rasa')}".encode())
    files: set[Path] = set()
    for pattern in MODEL_INPUTS:
        files.update(path for path in root.glob(pattern) if path.is_file())
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def ensure_plain_model(root: Path = PLAIN_DIR, echo: Callable[[str], None] = print) -> Path:
    """The plain bot's trained model: ``rasa init --no-prompt`` (which trains) on first use, then
    cached by fingerprint; retrained only when its inputs or the Rasa version change."""
    models = root / "models"
    if not (root / "domain.yml").exists():
        echo(f"Creating the plain Rasa bot with rasa init in {root} (trains once, a minute or two)")
        root.mkdir(parents=True, exist_ok=True)
        _run([RASA, "init", "--no-prompt", "--init-dir", str(root)], root, "rasa init --no-prompt")
        trained = sorted(models.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not trained:
            raise RuntimeError(f"rasa init finished but left no model in {models}")
        trained[-1].rename(models / f"{MODEL_PREFIX}{plain_fingerprint(root)}.tar.gz")
    path = models / f"{MODEL_PREFIX}{plain_fingerprint(root)}.tar.gz"
    if path.exists():
        echo(f"Plain bot model: {path}")
    else:
        echo(f"Training the plain bot (its inputs or the Rasa version changed): {path}")
        _run([RASA, "train", "--out", "models", "--fixed-model-name", path.name.removesuffix(".tar.gz")], root,
             "rasa train (plain bot)")
        if not path.exists():
            raise RuntimeError(f"rasa train finished but {path} is missing")
    for stale in models.glob("*.tar.gz"):
        if stale != path:
            stale.unlink()
    return path


def _run(command: list[str], root: Path, what: str) -> None:
    log = root / "train.log"
    with open(log, "ab") as out:
        result = subprocess.run(command, cwd=root, env=plain_env(), stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed with exit code {result.returncode}: see {log}")


def plain_server(model: Path, port: int, root: Path = PLAIN_DIR) -> ServerProcess:
    """``rasa run --enable-api`` for the plain bot on loopback (start it with ``.start(timeout)``)."""
    return ServerProcess(
        name="plain Rasa server",
        command=[RASA, "run", "--enable-api", "--model", str(model), "--interface", HOST, "--port", str(port)],
        ready_url=f"http://{HOST}:{port}/webhooks/rest/", root=root, env=plain_env(), log_file=root / "rasa.log",
    )
