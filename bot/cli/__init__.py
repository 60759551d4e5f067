"""The ``bot`` command: validate and load knowledge, train when needed, run and talk to the assistant.

One module per command group. Importing them is quick: spaCy, TensorFlow, Rasa and the assistant
are imported inside the commands that need them, so ``bot --help`` answers at once.
"""

from __future__ import annotations

import os

import click

from bot.cli.conversations import conversations
from bot.cli.db import db
from bot.cli.directory import directory
from bot.cli.insight import insight
from bot.cli.knowledge import knowledge, reflection
from bot.cli.run import ask, chat, model, run
from bot.cli.safety import safety
from bot.cli.scenarios import scenarios


@click.group()
def cli() -> None:
    """Guidance assistant for child-safeguarding practitioners working with domestic abuse."""
    # Before any command can import TensorFlow (through spaCy or Rasa): no C++ log lines on stderr.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


for command in (knowledge, reflection, ask, model, run, chat, directory, scenarios, safety, insight, db, conversations):
    cli.add_command(command)
