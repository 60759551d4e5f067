"""Print the assistant's figures: accuracy, NLU quality, latency, memory and timings.

Usage:  .venv/bin/python -m benchmarks.run [--skip-cv] [--folds 5] [--cv-seeds 1,2,3] [--messages 200]

Runs against temporary knowledge databases and tracker stores, on free loopback ports, starting
the servers twice: once with the sentence encoder switched off (``DASG_ENCODER=off``) and once
with the default environment (encoder on), the configuration users get:
1. training time (a fresh train into a temporary folder, cold cache);
2. for each run: time to ready, REST round-trip p50/p95 over the same N messages (after one
   warm-up pass, action server and database in the loop; both runs are up at once and the
   messages alternate between them, so both see the same machine load) and server RSS (action
   server + Rasa server); then the ratio p95(on)/p95(off);
3. in the default run: the development cases (``eval/dev_cases.yml``, see benchmarks.cases): a
   score per category, "not covered" precision and recall, danger recall and false takeovers;
   and the share of the question sets answered correctly; with every failure;
4. intent macro-F1 from Rasa's NLU cross-validation, with the fold split seeded (one run per seed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests

from benchmarks.cases import WORKERS, assistant, evaluate, failure_lines, load_case_set, print_figures, summary
from benchmarks.questions import load_cases, score_dev_case, score_project_case
from bot.config import PROJECT_ROOT
from bot.runtime.servers import Servers
from bot.runtime.training import ensure_model

RASA = str(Path(sys.executable).with_name("rasa"))
LATENCY_MESSAGES = [
    "is this conflict or abuse?", "what is MARAC?", "tell me more", "what is Operation Encompass?",
    "are children victims under the DA Act?", "what is the Drive project", "thanks",
    "what does trauma-informed mean", "what's the weather like", "how does immigration status affect reporting?",
]

ENCODER_SWITCH = "DASG_ENCODER"
ENCODER_RUNS = (("encoder off", {ENCODER_SWITCH: "off"}), ("encoder on", {}))  # the last is the default


@dataclass(frozen=True)
class Measured:
    """Speed and memory of one start of the servers."""

    ready_after: float
    timings: list[float]
    rasa_mb: float
    action_mb: float

    @property
    def p95(self) -> float:
        return percentile(self.timings, 0.95)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in children]
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def time_training() -> float:
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": cache, "TF_CPP_MIN_LOG_LEVEL": "2"}
        start = time.monotonic()
        subprocess.run(
            [RASA, "train", "--out", out, "--fixed-model-name", "bench"], cwd=PROJECT_ROOT, env=env,
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - start


def score(url: str, path: Path, scorer) -> tuple[int, int, list]:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # each case is its own conversation
        results = list(pool.map(lambda case: scorer(url, case), load_cases(path)))
    failures = [r for r in results if not r.passed]
    return len(results) - len(failures), len(results), failures


def latency(urls: list[str], count: int) -> list[list[float]]:
    """Round trips over the same ``count`` messages to each server, interleaved (and the order
    alternated) so that every server sees the same machine load; after one warm-up pass."""
    for url in urls:
        for text in LATENCY_MESSAGES:
            requests.post(url, json={"sender": "bench-warm-up", "message": text}, timeout=60).raise_for_status()
    timings: list[list[float]] = [[] for _ in urls]
    for index in range(count):
        sender = f"bench-{index // len(LATENCY_MESSAGES)}"
        text = LATENCY_MESSAGES[index % len(LATENCY_MESSAGES)]
        order = list(enumerate(urls))
        for position, url in order if index % 2 == 0 else reversed(order):
            start = time.perf_counter()
            requests.post(url, json={"sender": sender, "message": text}, timeout=60).raise_for_status()
            timings[position].append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(runs: list[Servers], count: int) -> list[Measured]:
    measured = []
    for servers, timings in zip(runs, latency([s.rest_url for s in runs], count), strict=True):
        action_pid, rasa_pid = (p.pid for p in servers.processes)
        measured.append(Measured(servers.ready_after, timings, rss_mb(rasa_pid), rss_mb(action_pid)))
    return measured


def score_accuracy(url: str) -> dict[str, str]:
    """The development cases and the question sets, failures printed as they are scored."""
    case_set = load_case_set()
    outcomes, result, seconds = evaluate(url, case_set.cases, case_set)
    print("Development cases (eval/dev_cases.yml), failures:")
    for line in failure_lines(outcomes):
        print(f"  {line}")
    figures = {f"dev cases: {key}": value for key, value in summary(result).items()}
    figures["dev cases: time to score"] = f"{seconds:.0f} s ({len(outcomes)} cases, {WORKERS} at a time)"
    for name, path, scorer in (
        ("development set", PROJECT_ROOT / "eval" / "dev_questions.yml", score_dev_case),
        ("project question set", PROJECT_ROOT / "eval" / "questions.yml", score_project_case),
    ):
        if not path.exists():
            continue
        passed, total, failures = score(url, path, scorer)
        figures[f"{name}: answered correctly"] = f"{passed}/{total} = {100 * passed / total:.1f}%"
        for failure in failures:
            print(f"  FAIL [{name}] {failure.case_id}: {failure.text!r} -> {failure.why}")
    return figures


def cross_validate(folds: int, seed: int) -> dict:
    """Rasa's NLU cross-validation with its fold split seeded (see benchmarks.seeded_rasa)."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-m", "benchmarks.seeded_rasa", "--seed", str(seed), "test", "nlu",
             "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
             "--folds", str(folds), "--out", out],
            cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        )
        report = json.loads((Path(out) / "intent_report.json").read_text())
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-cv", action="store_true", help="skip NLU cross-validation (several minutes)")
    parser.add_argument("--skip-training", action="store_true", help="skip timing a fresh training run")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cv-seeds", default="1,2,3", help="fold-split seeds, one cross-validation each")
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    figures: dict[str, str] = {}

    if not args.skip_training:
        figures["training time (fresh, cold cache)"] = f"{time_training():.0f} s"
    model, _ = ensure_model(echo=lambda m: print(m, file=sys.stderr))
    if os.environ.pop(ENCODER_SWITCH, None) is not None:
        print(f"  ignoring {ENCODER_SWITCH} from the environment: each run sets its own", file=sys.stderr)

    with ExitStack() as stack:  # both runs up at once, so their latency is measured under the same load
        runs = [stack.enter_context(assistant(model, env)) for _, env in ENCODER_RUNS]
        measured = dict(zip((label for label, _ in ENCODER_RUNS), measure(runs, args.messages), strict=True))
        accuracy = score_accuracy(runs[-1].rest_url)
    for label, run in measured.items():
        figures[f"{label}: time to ready (both servers)"] = f"{run.ready_after:.1f} s"
        figures[f"{label}: REST round trip over {args.messages} messages"] = (
            f"p50 {percentile(run.timings, 0.5):.0f} ms, p95 {run.p95:.0f} ms, "
            f"mean {statistics.mean(run.timings):.0f} ms"
        )
        figures[f"{label}: server RSS"] = f"Rasa {run.rasa_mb:.0f} MB, action server {run.action_mb:.0f} MB"
    off, on = (measured[label] for label, _ in ENCODER_RUNS)
    figures["REST p95, encoder on / off"] = f"{on.p95 / off.p95:.2f}x (goal: at most 1.3x)"
    figures.update(accuracy)

    if not args.skip_cv:
        scores: list[float] = []
        per_intent: dict[str, list[float]] = {}
        for seed in (int(s) for s in args.cv_seeds.split(",")):
            report = cross_validate(args.folds, seed)
            scores.append(report["macro avg"]["f1-score"])
            for intent, values in report.items():
                if isinstance(values, dict) and "support" in values and not re.match(r"(macro|weighted|micro) avg", intent):
                    per_intent.setdefault(intent, []).append(values["f1-score"])
            print(f"  cross-validation seed {seed}: macro-F1 {scores[-1]:.3f}", file=sys.stderr)
        figures[f"intent macro-F1 ({args.folds}-fold CV, seeds {args.cv_seeds})"] = (
            ", ".join(f"{s:.3f}" for s in scores) + f" (min {min(scores):.3f}, mean {statistics.mean(scores):.3f})"
        )
        weakest = sorted(per_intent.items(), key=lambda kv: statistics.mean(kv[1]))[:6]
        figures["weakest intents (mean F1)"] = ", ".join(f"{k} {statistics.mean(v):.2f}" for k, v in weakest)

    print_figures(figures, "Figures")


if __name__ == "__main__":
    main()
