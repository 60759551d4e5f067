"""Train the Rasa model only when something it depends on has changed.

The model is named after a hash of everything that shapes it: training data, domain,
config, the spaCy patterns and vocabularies, the custom NLU component code and the
Rasa version. Rasa's own cache fingerprints the spaCy pipeline by name only, so this
hash, not Rasa's, decides whether to train.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

MODEL_PREFIX = "dasg-"
KEEP_MODELS = 3
MODEL_INPUTS = (
    "domain.yml",
    "config.yml",
    "data/**/*.yml",
    "knowledge/terms.yml",
    "knowledge/vocabulary.yml",
    "knowledge/safety/*.yml",
    "bot/nlp/*.py",
    "bot/safety/check.py",
    "bot/safety/classifier.py",
    "bot/text/*.py",
)


def model_input_files(root: Path = PROJECT_ROOT) -> list[Path]:
    files: set[Path] = set()
    for pattern in MODEL_INPUTS:
        files.update(p for p in root.glob(pattern) if p.is_file())
    return sorted(files)


def model_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A short hash of every file the trained model depends on, and the Rasa version."""
    digest = hashlib.sha256()
    from importlib.metadata import version

    digest.update(f"rasa=={version('rasa')}".encode())
    for path in model_input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT, fingerprint: str | None = None) -> Path:
    return root / "models" / f"{MODEL_PREFIX}{fingerprint or model_fingerprint(root)}.tar.gz"


def ensure_model(root: Path = PROJECT_ROOT, echo=print) -> tuple[Path, bool]:
    """Return the model for the current inputs, training it first if needed.

    Returns the model path and whether it was trained now.
    """
    fingerprint = model_fingerprint(root)
    path = model_path(root, fingerprint)
    if path.exists():
        echo(f"Model is up to date: {path.relative_to(root)}")
        return path, False
    echo(f"Training a new model (inputs changed): {path.relative_to(root)}")
    env = dict(os.environ)
    env.setdefault("RASA_CACHE_DIRECTORY", str(root / ".rasa" / "cache"))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    command = [
        str(Path(sys.executable).with_name("rasa")), "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", "models", "--fixed-model-name", path.name.removesuffix(".tar.gz"),
    ]
    result = subprocess.run(command, cwd=root, env=env)
    if result.returncode != 0 or not path.exists():
        raise RuntimeError(f"rasa train failed (exit code {result.returncode}); see the output above")
    _remove_old_models(root, keep=path)
    return path, True


def _remove_old_models(root: Path, keep: Path) -> None:
    models = sorted((root / "models").glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][KEEP_MODELS - 1:]:
        old.unlink(missing_ok=True)
