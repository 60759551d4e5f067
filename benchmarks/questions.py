"""Score question sets against a running assistant over the REST channel.

Two formats are read:
- the development set (``eval/dev_questions.yml``): each case lists regexes that the joined
  reply text must match (``all``) and whether a source citation name is required (``cite``);
- the project set (``eval/questions.yml``): each case names the entry id that must answer it
  (``expect``), or ``not_covered`` / ``danger``.
Each case starts a new conversation; "hi" is sent first and its replies discarded unless the
case is ``cold``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

CITATION_NAMES = ("Panel Briefing 2", "JTAI", "WomenCentre", "IoW SCP")


@dataclass
class Result:
    case_id: str
    text: str
    passed: bool
    why: str
    reply: str


def converse(url: str, text: str, cold: bool = False, timeout: float = 60) -> list[dict]:
    """Send ``text`` in a new conversation and return only the replies to it."""
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    if not cold:
        requests.post(url, json={"sender": sender, "message": "hi"}, timeout=timeout).raise_for_status()
    response = requests.post(url, json={"sender": sender, "message": text}, timeout=timeout)
    response.raise_for_status()
    return response.json()


def joined_text(replies: list[dict]) -> str:
    parts = []
    for reply in replies:
        if reply.get("text"):
            parts.append(reply["text"])
        parts += [b.get("title", "") for b in reply.get("buttons") or []]
    return "\n".join(parts)


def answered_entry(replies: list[dict]) -> str | None:
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("type") in {"guidance", "more"} and custom.get("entry_id"):
            return custom["entry_id"]
    return None


def reply_kinds(replies: list[dict]) -> list[str]:
    return [r["custom"]["type"] for r in replies if isinstance(r.get("custom"), dict) and "type" in r["custom"]]


def score_dev_case(url: str, case: dict) -> Result:
    replies = converse(url, case["text"], cold=bool(case.get("cold")))
    text = joined_text(replies)
    missing = [p for p in case.get("all", []) if not re.search(p, text, re.IGNORECASE)]
    if case.get("cite") and not any(name.lower() in text.lower() for name in CITATION_NAMES):
        missing.append("<citation>")
    return Result(case["id"], case["text"], not missing, f"missing {missing}" if missing else "", text)


def score_project_case(url: str, case: dict) -> Result:
    replies = converse(url, case["text"], cold=bool(case.get("cold")))
    expect = case["expect"]
    kinds = reply_kinds(replies)
    got = answered_entry(replies)
    if expect == "not_covered":
        passed = "not_covered" in kinds and got is None
    elif expect == "danger":
        passed = bool(kinds) and kinds[0] == "immediate_danger"
    else:
        expected = expect if isinstance(expect, list) else [expect]
        passed = got in expected
    why = "" if passed else f"expected {expect}, got {got or kinds}"
    return Result(case.get("id", case["text"][:30]), case["text"], passed, why, joined_text(replies))


def load_cases(path: Path) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["cases"]
