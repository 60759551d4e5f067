"""The one place that reads the environment: paths and database URLs, with embedded defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the assistant finds its content and keeps its data."""

    knowledge_dir: Path
    database_url: str
    var_dir: Path
    encoder: bool = True  # the sentence encoder's meaning signal; DASG_ENCODER=off leaves it out

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
    encoder = env.get("DASG_ENCODER", "on").strip().lower() not in {"off", "0", "false", "no"}
    return Settings(knowledge_dir=knowledge_dir, database_url=database_url, var_dir=var_dir, encoder=encoder)
