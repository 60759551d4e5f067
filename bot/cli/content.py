"""Loading content for a command: on a validation error, every problem on stderr and exit status 1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from bot.config import load_settings

T = TypeVar("T")


def loaded_or_exit(load: Callable[..., T], *args: Any) -> T:
    """``load(*args)``, or exit 1 after printing the problems of the content that does not validate."""
    from bot.text.validation import ContentError

    try:
        return load(*args)
    except ContentError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


def knowledge_or_exit(knowledge_dir: Path | None = None):
    """The validated knowledge folder (default: the configured one), or exit 1 with its problems."""
    from bot.knowledge.loader import load_knowledge

    return loaded_or_exit(load_knowledge, knowledge_dir or load_settings().knowledge_dir)
