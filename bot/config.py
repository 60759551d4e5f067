"""The one place that reads the environment: paths and database URLs, with embedded defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the assistant finds its content and keeps its data."""

    knowledge_dir: Path
    database_url: str
    var_dir: Path
    encoder: bool = True  # the sentence encoder's meaning signal; DASG_ENCODER=off leaves it out
    production: bool = False  # DASG_PRODUCTION=on: secrets such as the action token are required
    action_host: str = "127.0.0.1"  # the interface the action server listens on (DASG_ACTION_HOST)
    action_token: str | None = field(default=None, repr=False)  # shared with the Rasa server (DASG_ACTION_TOKEN)
    retention_days: int = 30  # conversations idle this many days are deleted (DASG_RETENTION_DAYS; bot.privacy.retention)

    @property
    def sources_file(self) -> Path:
        return self.knowledge_dir / "sources.yml"

    @property
    def entries_dir(self) -> Path:
        return self.knowledge_dir / "entries"

    @property
    def terms_file(self) -> Path:
        return self.knowledge_dir / "terms.yml"

    @property
    def vocabulary_file(self) -> Path:
        return self.knowledge_dir / "vocabulary.yml"

    @property
    def safety_file(self) -> Path:
        return self.knowledge_dir / "safety" / "patterns.yml"

    @property
    def safety_examples_file(self) -> Path:
        return self.knowledge_dir / "safety" / "examples.yml"

    @property
    def reflection_file(self) -> Path:
        return self.knowledge_dir / "reflection" / "conflict_or_abuse.yml"

    @property
    def gaps_file(self) -> Path:
        return self.knowledge_dir / "gaps.yml"

    @property
    def tailoring_file(self) -> Path:
        return self.knowledge_dir / "tailoring.yml"

    @property
    def messages_file(self) -> Path:
        return self.knowledge_dir / "messages.yml"

    @property
    def directories_dir(self) -> Path:
        return PROJECT_ROOT / "directories"

    @property
    def scenarios_dir(self) -> Path:
        return self.knowledge_dir / "scenarios"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables (``DASG_*``), falling back to embedded defaults."""
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("DASG_VAR_DIR", PROJECT_ROOT / "var"))
    knowledge_dir = Path(env.get("DASG_KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"))
    database_url = env.get("DASG_DATABASE_URL") or f"sqlite:///{var_dir / 'knowledge.db'}"
    return Settings(
        knowledge_dir=knowledge_dir, database_url=database_url, var_dir=var_dir,
        encoder=_switch(env, "DASG_ENCODER", default="on"),
        production=_switch(env, "DASG_PRODUCTION", default="off"),
        action_host=env.get("DASG_ACTION_HOST", "").strip() or "127.0.0.1",
        action_token=env.get("DASG_ACTION_TOKEN", "").strip() or None,
        retention_days=_days(env, "DASG_RETENTION_DAYS", default=30),
    )


def _switch(env: Mapping[str, str], name: str, default: str) -> bool:
    """An on/off variable: off, 0, false and no (any case) mean off; anything else means on."""
    return env.get(name, default).strip().lower() not in {"off", "0", "false", "no"}


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of days, 1 or more (ValueError naming the variable otherwise)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of days, 1 or more, not {raw!r}")
    return int(raw)
