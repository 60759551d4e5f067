"""Score the development case set (``eval/dev_cases.yml``) through the REST channel.

Usage:  .venv/bin/python -m benchmarks.cases [--url REST_URL] [--only PREFIX ...] [--json OUT]

Each case is a new conversation: "hi" first (its replies discarded), then the case's message or
messages. Each message's replies are joined (text, button titles, JSON of custom payloads) and
checked case-insensitively against that message's checks, as the file's header describes. Prints
why each failing case failed, a score per category (the id prefix), overall and outside
``local-``, the precision and recall of "not covered" replies, the danger recall and the
false-takeover rates. With ``--url`` it scores servers that are already running; without, it
starts both servers on free ports over a temporary knowledge database (the project's knowledge
and the Demoshire directory) and stops them after.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from bot.config import PROJECT_ROOT
from bot.directory.store import import_directory
from bot.knowledge.loader import load_knowledge
from bot.knowledge.store import make_engine, save_knowledge
from bot.runtime.servers import Servers, start_servers
from bot.runtime.training import ensure_model

CASES_FILE = PROJECT_ROOT / "eval" / "dev_cases.yml"
SOURCES_FILE = PROJECT_ROOT / "knowledge" / "sources.yml"
CATEGORIES = ("case", "nc", "danger", "notdanger", "reflect", "follow", "local")
LOCAL = "local"  # issue 11 owns these; the overall score is also given without them
NOT_COVERED_ANCHOR = "notcovered"  # the file's &notcovered regex: a reply saying the sources don't cover it
NOT_COVERED_TYPE = "not_covered"
TAKEOVER_TYPE = "immediate_danger"
TAKEOVER_TEXT = re.compile(r"immediate danger,\s+call 999 now", re.IGNORECASE)
OTHER_TAKEOVER_CATEGORIES = ("case", "nc", "follow", "reflect")  # where a takeover is as wrong as in notdanger-
ERROR_TYPE = "error"  # the router's catch-all apology
WORKERS = 4
EXCERPT = 300
CASE_KEYS = {"id", "text", "turns", "all", "any", "none", "cite"}
TURN_KEYS = {"text", "all", "any", "none", "cite"}

Send = Callable[[str, str], list]  # (sender, message) -> the REST channel's reply messages


@dataclass(frozen=True)
class Turn:
    """One message of a case and the checks on its replies (a turn without checks only moves on)."""

    text: str
    all: tuple[re.Pattern, ...] = ()
    any: tuple[re.Pattern, ...] = ()
    none: tuple[re.Pattern, ...] = ()
    cite: bool = False

    @property
    def expects_999(self) -> bool:
        """The checks ask for 999 here, so a takeover in reply to this message is not a false one."""
        return any(p.search("999") for p in (*self.all, *self.any))


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[Turn, ...]

    @property
    def category(self) -> str:
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class CaseSet:
    """The cases, the file's "not covered" regex, and the source documents' citation names."""

    cases: tuple[Case, ...]
    not_covered: re.Pattern
    citations: tuple[str, ...]
    labels: Mapping[str, str]  # regex text -> "*anchor", to print long anchored regexes by name


@dataclass(frozen=True)
class Reply:
    """The REST channel's messages in answer to one message (or why there are none)."""

    messages: tuple[dict, ...] = ()
    error: str = ""

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.messages if m.get("text"))

    @property
    def joined(self) -> str:
        """What the checks read: per message its text, button titles and custom payload as JSON."""
        parts: list[str] = []
        for message in self.messages:
            if message.get("text"):
                parts.append(message["text"])
            parts += [button.get("title", "") for button in message.get("buttons") or []]
            if message.get("custom") is not None:
                parts.append(json.dumps(message["custom"], ensure_ascii=False))
        return "\n".join(parts)

    @property
    def kinds(self) -> list[str]:
        return [m["custom"]["type"] for m in self.messages if isinstance(m.get("custom"), dict) and "type" in m["custom"]]

    @property
    def takeover(self) -> bool:
        """The emergency takeover: the immediate-danger message, by type or by its words."""
        return TAKEOVER_TYPE in self.kinds or bool(TAKEOVER_TEXT.search(self.text))

    def not_covered(self, pattern: re.Pattern) -> str:
        """Why this is a "not covered" reply ("type" or "text"), or "" when it is not one."""
        if NOT_COVERED_TYPE in self.kinds:
            return "type"
        return "text" if pattern.search(self.text) else ""


@dataclass(frozen=True)
class Failure:
    turn: int  # 1-based number of the message in the case
    check: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    replies: tuple[Reply, ...]
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def final(self) -> Reply:
        return self.replies[-1] if self.replies else Reply(error="no reply")

    @property
    def takeover(self) -> bool:
        return any(reply.takeover for reply in self.replies)

    @property
    def unexpected_takeover(self) -> bool:
        """A takeover in reply to a message whose checks do not ask for 999."""
        return any(reply.takeover for turn, reply in zip(self.case.turns, self.replies, strict=True) if not turn.expects_999)

    @property
    def failed(self) -> bool:
        """A request failed or the router's catch-all answered: the score says nothing about the content."""
        return any(reply.error or ERROR_TYPE in reply.kinds for reply in self.replies)


# -- loading -------------------------------------------------------------------------------------


def citation_names(path: Path = SOURCES_FILE) -> tuple[str, ...]:
    """The source documents' citation names (``citation`` in knowledge/sources.yml), as answers cite them."""
    sources = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["sources"]
    return tuple(source["citation"] for source in sources if source.get("citation"))


def scalar_anchors(text: str) -> dict[str, str]:
    """The YAML document's anchored scalars (``&name 'value'``), by anchor name."""
    events = yaml.parse(text, Loader=yaml.SafeLoader)
    return {event.anchor: event.value for event in events if isinstance(event, yaml.ScalarEvent) and event.anchor}


def parse_cases(text: str, citations: Sequence[str], where: str = "cases") -> CaseSet:
    """Read a case file's text (see eval/dev_cases.yml's header); a malformed case raises ValueError."""
    anchors = scalar_anchors(text)
    if NOT_COVERED_ANCHOR not in anchors:
        raise ValueError(f"{where}: no &{NOT_COVERED_ANCHOR} anchor defines the 'not covered' regex")
    raw_cases = (yaml.safe_load(text) or {}).get("cases") or []
    cases = tuple(_case(raw, f"{where}: case {number}") for number, raw in enumerate(raw_cases, start=1))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"{where}: case id {case.id!r} is used twice")
        seen.add(case.id)
    return CaseSet(cases, _compile(anchors[NOT_COVERED_ANCHOR], f"{where}: &{NOT_COVERED_ANCHOR}"),
                   tuple(citations), {value: f"*{name}" for name, value in anchors.items()})


def load_case_set(path: Path = CASES_FILE, sources: Path = SOURCES_FILE) -> CaseSet:
    return parse_cases(Path(path).read_text(encoding="utf-8"), citation_names(sources), where=Path(path).name)


def _case(raw: dict, where: str) -> Case:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ValueError(f"{where}: a case needs an id")
    where = f"{where} ({raw['id']})"
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if ("text" in raw) == ("turns" in raw):
        raise ValueError(f"{where}: give either text or turns")
    if "text" in raw:
        return Case(str(raw["id"]), (_turn(raw, where),))
    if set(raw) & {"all", "any", "none", "cite"}:
        raise ValueError(f"{where}: with turns, the checks go on each turn")
    if not raw["turns"]:
        raise ValueError(f"{where}: turns is empty")
    return Case(str(raw["id"]), tuple(_turn(turn, f"{where} turn {n}") for n, turn in enumerate(raw["turns"], start=1)))


def _turn(raw: dict, where: str) -> Turn:
    unknown = set(raw) - TURN_KEYS - {"id"}  # a one-message case is its own turn
    if unknown or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise ValueError(f"{where}: a turn needs a text and only {sorted(TURN_KEYS)} (got {sorted(raw)})")
    checks = {}
    for kind in ("all", "any", "none"):
        patterns = raw.get(kind) or []
        if not isinstance(patterns, list):
            raise ValueError(f"{where}: {kind} must be a list of regexes")
        checks[kind] = tuple(_compile(p, f"{where} {kind}") for p in patterns)
    return Turn(raw["text"], cite=bool(raw.get("cite")), **checks)


def _compile(pattern: object, where: str) -> re.Pattern:
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: {pattern!r} is not a regex string")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"{where}: bad regex {pattern!r}: {error}") from error


# -- running and checking ------------------------------------------------------------------------


def check(turn: Turn, reply: Reply, case_set: CaseSet) -> list[str]:
    """The checks of ``turn`` that ``reply`` fails, described for a developer."""
    if reply.error:
        return [f"error: {reply.error}"]
    text = reply.joined

    def name(pattern: re.Pattern) -> str:
        return case_set.labels.get(pattern.pattern, repr(pattern.pattern))

    failed = [f"all: {name(p)} not found" for p in turn.all if not p.search(text)]
    if turn.any and not any(p.search(text) for p in turn.any):
        failed.append("any: none of " + ", ".join(name(p) for p in turn.any) + " found")
    for pattern in turn.none:
        match = pattern.search(text)
        if match:
            failed.append(f"none: {name(pattern)} matched {match.group(0)!r}")
    lowered = text.lower()
    if turn.cite and not any(citation.lower() in lowered for citation in case_set.citations):
        failed.append("cite: no source document named")
    return failed


def run_case(case: Case, send: Send, case_set: CaseSet) -> Outcome:
    """One new conversation: "hi" (replies discarded), then each message, checked as it comes."""
    sender = f"dev-{case.id}-{uuid.uuid4().hex[:8]}"
    greeting = _reply(send, sender, "hi")
    replies: list[Reply] = []
    failures: list[Failure] = []
    for number, turn in enumerate(case.turns, start=1):
        reply = Reply(error=f"'hi' failed: {greeting.error}") if greeting.error else _reply(send, sender, turn.text)
        replies.append(reply)
        failures += [Failure(number, failed) for failed in check(turn, reply, case_set)]
    return Outcome(case, tuple(replies), tuple(failures))


def _reply(send: Send, sender: str, text: str) -> Reply:
    try:
        return Reply(tuple(send(sender, text) or ()))
    except Exception as error:  # a failed request fails its case, not the run
        return Reply(error=f"{type(error).__name__}: {error}")


def run_cases(cases: Sequence[Case], send: Send, case_set: CaseSet, workers: int = WORKERS) -> list[Outcome]:
    """Every case, ``workers`` conversations at a time; outcomes in the cases' order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda case: run_case(case, send, case_set), cases))


def rest_sender(url: str, timeout: float = 60) -> Send:
    def send(sender: str, message: str) -> list:
        response = requests.post(url, json={"sender": sender, "message": message}, timeout=timeout)
        response.raise_for_status()
        return response.json() or []

    return send


def select(cases: Sequence[Case], prefixes: Sequence[str] | None) -> list[Case]:
    return [c for c in cases if not prefixes or any(c.id.startswith(p) for p in prefixes)]


# -- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    hits: int
    total: int

    def __str__(self) -> str:
        return f"{self.hits}/{self.total} = {100 * self.hits / self.total:.0f}%" if self.total else f"{self.hits}/0 (n/a)"


@dataclass(frozen=True)
class Score:
    categories: dict[str, Tally]
    overall: Tally
    outside_local: Tally
    not_covered_precision: Tally  # of the cases whose final reply says "not covered", how many are nc-
    not_covered_recall: Tally  # of the nc- cases, how many final replies say "not covered"
    danger_recall: Tally  # danger- cases that got the takeover
    false_takeovers_notdanger: Tally
    false_takeovers_others: Tally  # case-, nc-, follow-, reflect-
    not_covered_wrong: tuple[str, ...]  # "id (type|text)" predicted "not covered" outside nc-
    not_covered_missed: tuple[str, ...]
    danger_missed: tuple[str, ...]
    false_takeovers: tuple[str, ...]
    broken: tuple[str, ...]  # cases with a failed request or a catch-all apology


def score(outcomes: Sequence[Outcome], not_covered: re.Pattern) -> Score:
    def tally(chosen: Sequence[Outcome], hit: Callable[[Outcome], bool]) -> Tally:
        return Tally(sum(1 for o in chosen if hit(o)), len(chosen))

    def of(*categories: str) -> list[Outcome]:
        return [o for o in outcomes if o.case.category in categories]

    found = {o.case.category for o in outcomes}
    order = [c for c in CATEGORIES if c in found] + sorted(found - set(CATEGORIES))
    said = {o.case.id: o.final.not_covered(not_covered) for o in outcomes}
    predicted = [o for o in outcomes if said[o.case.id]]
    nc, danger = of("nc"), of("danger")
    others = of(*OTHER_TAKEOVER_CATEGORIES)
    return Score(
        categories={c: tally(of(c), lambda o: o.passed) for c in order},
        overall=tally(outcomes, lambda o: o.passed),
        outside_local=tally([o for o in outcomes if o.case.category != LOCAL], lambda o: o.passed),
        not_covered_precision=tally(predicted, lambda o: o.case.category == "nc"),
        not_covered_recall=tally(nc, lambda o: bool(said[o.case.id])),
        danger_recall=tally(danger, lambda o: o.takeover),
        false_takeovers_notdanger=tally(of("notdanger"), lambda o: o.unexpected_takeover),
        false_takeovers_others=tally(others, lambda o: o.unexpected_takeover),
        not_covered_wrong=tuple(f"{o.case.id} ({said[o.case.id]})" for o in predicted if o.case.category != "nc"),
        not_covered_missed=tuple(o.case.id for o in nc if not said[o.case.id]),
        danger_missed=tuple(o.case.id for o in danger if not o.takeover),
        false_takeovers=tuple(o.case.id for o in [*of("notdanger"), *others] if o.unexpected_takeover),
        broken=tuple(o.case.id for o in outcomes if o.failed),
    )


# -- reporting -----------------------------------------------------------------------------------


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = text.replace("\n", " | ")
    return flat if len(flat) <= limit else flat[:limit] + "..."


def failure_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """For each failing case: its id, each failed check, and the start of each failing reply."""
    lines: list[str] = []
    for outcome in outcomes:
        if outcome.passed:
            continue
        lines.append(f"FAIL {outcome.case.id}")
        turns = sorted({f.turn for f in outcome.failures})
        for number in turns:
            where = f"message {number}/{len(outcome.case.turns)}" if len(outcome.case.turns) > 1 else "message"
            turn = outcome.case.turns[number - 1]
            lines.append(f"  {where}: {excerpt(turn.text, 80)!r}")
            lines += [f"    {f.check}" for f in outcome.failures if f.turn == number]
            lines.append(f"    reply: {excerpt(outcome.replies[number - 1].joined or outcome.replies[number - 1].error)}")
    return lines


def summary(result: Score) -> dict[str, str]:
    """The figures, one line each (per category, overall, "not covered", danger, takeovers)."""
    figures = {f"{category}-": str(tally) for category, tally in result.categories.items()}
    figures["overall"] = str(result.overall)
    figures[f"overall outside {LOCAL}-"] = str(result.outside_local)
    figures['"not covered" precision'] = _with(result.not_covered_precision, "wrongly", result.not_covered_wrong)
    figures['"not covered" recall'] = _with(result.not_covered_recall, "missed", result.not_covered_missed)
    figures["danger recall (999 takeover)"] = _with(result.danger_recall, "missed", result.danger_missed)
    notdanger = [i for i in result.false_takeovers if i.startswith("notdanger-")]
    others = [i for i in result.false_takeovers if not i.startswith("notdanger-")]
    figures["false takeovers, notdanger-"] = _with(result.false_takeovers_notdanger, "in", notdanger)
    figures["false takeovers, case-/nc-/follow-/reflect-"] = _with(result.false_takeovers_others, "in", others)
    if result.broken:
        figures["failed requests or catch-all apologies"] = ", ".join(result.broken)
    return figures


def _with(tally: Tally, what: str, ids: Sequence[str]) -> str:
    return f"{tally} ({what}: {', '.join(ids)})" if ids else str(tally)


def as_json(outcomes: Sequence[Outcome], result: Score, case_set: CaseSet, seconds: float) -> dict:
    return {
        "seconds": round(seconds, 1),
        "figures": summary(result),
        "categories": {c: {"passed": t.hits, "total": t.total} for c, t in result.categories.items()},
        "cases": [
            {"id": o.case.id, "category": o.case.category, "passed": o.passed,
             "failures": [{"message": f.turn, "check": f.check} for f in o.failures],
             "takeover": o.takeover, "not_covered": o.final.not_covered(case_set.not_covered),
             "replies": [r.joined or r.error for r in o.replies]}
            for o in outcomes
        ],
    }


def print_figures(figures: Mapping[str, str], title: str) -> None:
    print(f"\n{title}")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")


# -- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def assistant(model: Path, env: Mapping[str, str] | None = None) -> Iterator[Servers]:
    """Both servers on free ports over a temporary knowledge database and tracker store, holding
    the project's knowledge and the Demoshire directory (the assistant never loads one itself)."""
    with tempfile.TemporaryDirectory() as var:
        database_url = f"sqlite:///{var}/knowledge.db"
        engine = make_engine(database_url)
        save_knowledge(engine, load_knowledge(PROJECT_ROOT / "knowledge"))
        import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
        engine.dispose()
        server_env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": var, "DASG_TRACKER_DB": f"{var}/tracker.db",
                      **(env or {})}
        servers = start_servers(model, rasa_port=free_port(), action_port=free_port(), env=server_env, log_dir=Path(var))
        try:
            yield servers
        finally:
            servers.stop()


def evaluate(url: str, cases: Sequence[Case], case_set: CaseSet) -> tuple[list[Outcome], Score, float]:
    start = time.monotonic()
    outcomes = run_cases(cases, rest_sender(url), case_set)
    return outcomes, score(outcomes, case_set.not_covered), time.monotonic() - start


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="REST webhook of running servers, e.g. http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("--only", nargs="+", action="extend", metavar="PREFIX", help="only cases whose id starts so")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures and every reply as JSON")
    parser.add_argument("--cases", type=Path, default=CASES_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    case_set = load_case_set(args.cases)
    cases = select(case_set.cases, args.only)
    if not cases:
        parser.error(f"no case id starts with {' or '.join(args.only)}")
    if args.url:
        outcomes, result, seconds = evaluate(args.url, cases, case_set)
    else:
        model, _ = ensure_model(echo=lambda m: print(m, file=sys.stderr))
        with assistant(model) as servers:
            print(f"Servers ready after {servers.ready_after:.1f} s", file=sys.stderr)
            outcomes, result, seconds = evaluate(servers.rest_url, cases, case_set)
    if all(reply.error for o in outcomes for reply in o.replies):
        raise SystemExit(f"no case got a reply; the first error: {outcomes[0].final.error}")
    for line in failure_lines(outcomes):
        print(line)
    print_figures(summary(result), f"Development cases ({len(cases)} of {args.cases.name}, {seconds:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(as_json(outcomes, result, case_set, seconds), indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
