"""Ask the LSCP trial's questions of a running assistant that has the trial's directories loaded.

Usage:  .venv/bin/python -m benchmarks.trial_lscp TRIAL_FOLDER [--with-demo] [--lines N] [--json OUT]

TRIAL_FOLDER holds the directory files an LSCP data officer would import (``*.csv``, ``*.json``,
or ORUK CSV folders) and ``questions.yml`` (``questions: [{text, right, after?}]``). The files
are imported into a temporary knowledge database (with the project's knowledge, and with
``--with-demo`` the Demoshire directory), both servers are started on free ports, and each
question is asked in a new conversation (after its ``after`` message, when it has one). For
each question the script prints what a right reply does and the head of the reply, for a
person to judge: the trial's wording is never used by the assistant or its tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Sequence

import requests
import yaml

from benchmarks.cases import free_port
from bot.config import PROJECT_ROOT
from bot.directory.store import import_directory
from bot.knowledge.loader import load_knowledge
from bot.knowledge.store import make_engine, save_knowledge
from bot.runtime.servers import start_servers
from bot.runtime.training import ensure_model

QUESTIONS = "questions.yml"
HEAD_LINES = 8


def directory_files(folder: Path) -> list[Path]:
    """The importable inputs in the trial folder: files other than the questions, and sub-folders."""
    return sorted(p for p in folder.iterdir()
                  if p.name != QUESTIONS and (p.is_dir() or p.suffix.lower() in {".csv", ".json"}))


def load_questions(folder: Path) -> list[dict]:
    data = yaml.safe_load((folder / QUESTIONS).read_text(encoding="utf-8")) or {}
    return [q for q in data.get("questions") or [] if isinstance(q, dict) and q.get("text")]


def reply_lines(messages: Sequence[dict]) -> list[str]:
    """The reply as a person sees it: texts, then button titles in brackets."""
    lines: list[str] = []
    for message in messages:
        if message.get("text"):
            lines += message["text"].splitlines()
        titles = [b.get("title", "") for b in message.get("buttons") or []]
        if titles:
            lines.append("[" + " | ".join(titles) + "]")
    return [line for line in lines if line.strip()]


def ask(url: str, question: dict) -> list[dict]:
    sender = f"trial-{uuid.uuid4().hex[:10]}"

    def send(text: str) -> list[dict]:
        response = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json() or []

    send("hi")
    if question.get("after"):
        send(str(question["after"]))
    return send(str(question["text"]))


def warm_up(url: str, attempts: int = 20) -> None:
    """Wait until the assistant answers: its first turn builds the router (tens of seconds on a busy machine)."""
    for attempt in range(attempts):
        try:
            requests.post(url, json={"sender": "trial-warm-up", "message": "hi"}, timeout=120).raise_for_status()
            return
        except requests.RequestException as error:
            if attempt == attempts - 1:
                raise
            print(f"waiting for the assistant: {error}", file=sys.stderr)
            time.sleep(3)


def run(folder: Path, with_demo: bool, url: str | None = None) -> list[dict]:
    questions = load_questions(folder)
    if url:
        return [{**q, "reply": ask(url, q)} for q in questions]
    model, _ = ensure_model(echo=lambda m: print(m, file=sys.stderr))
    with tempfile.TemporaryDirectory() as var:
        database_url = f"sqlite:///{var}/knowledge.db"
        engine = make_engine(database_url)
        save_knowledge(engine, load_knowledge(PROJECT_ROOT / "knowledge"))
        if with_demo:
            import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
        for path in directory_files(folder):
            report = import_directory(engine, path)
            print(f"Imported {path.name}: {report.services} services "
                  f"({', '.join(a.area for a in report.areas)})", file=sys.stderr)
        engine.dispose()
        env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": var, "DASG_TRACKER_DB": f"{var}/tracker.db"}
        servers = start_servers(model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=Path(var))
        try:
            warm_up(servers.rest_url)
            return [{**q, "reply": ask(servers.rest_url, q)} for q in questions]
        finally:
            servers.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the trial folder (directory files and questions.yml)")
    parser.add_argument("--with-demo", action="store_true", help="also load the Demoshire demonstration directory")
    parser.add_argument("--url", help="ask servers already running (with the files imported) at this REST webhook")
    parser.add_argument("--lines", type=int, default=HEAD_LINES, help="reply lines to print per question")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write every reply as JSON")
    args = parser.parse_args(argv)
    answered = run(args.folder, args.with_demo, args.url)
    for number, item in enumerate(answered, start=1):
        after = f"  (after {item['after']!r})" if item.get("after") else ""
        print(f"\n{number}. {item['text']}{after}\n   right: {item.get('right', '')}")
        for line in reply_lines(item["reply"])[:args.lines]:
            print(f"   > {line}")
    if args.json:
        args.json.write_text(json.dumps(answered, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
