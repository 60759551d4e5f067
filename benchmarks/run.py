"""Print the assistant's figures: accuracy, NLU quality, latency, memory and timings.

Usage:  .venv/bin/python -m benchmarks.run [--skip-cv] [--folds 5] [--cv-seeds 1,2,3] [--messages 200]

Runs against a temporary knowledge database and tracker store, on free loopback ports:
1. training time (a fresh train into a temporary folder, cold cache);
2. time to ready and server RSS (action server + Rasa server);
3. share of question sets answered correctly through the REST channel, with failures;
4. REST round-trip p50/p95 over N messages, action server and database in the loop;
5. intent macro-F1 from Rasa's NLU cross-validation, with the fold split seeded (one run per seed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks.questions import load_cases, score_dev_case, score_project_case
from bot.config import PROJECT_ROOT
from bot.directory.store import import_directory
from bot.knowledge.loader import load_knowledge
from bot.knowledge.store import make_engine, save_knowledge
from bot.runtime.servers import start_servers
from bot.runtime.training import ensure_model

RASA = str(Path(sys.executable).with_name("rasa"))
LATENCY_MESSAGES = [
    "is this conflict or abuse?", "what is MARAC?", "tell me more", "what is Operation Encompass?",
    "are children victims under the DA Act?", "what is the Drive project", "thanks",
    "what does trauma-informed mean", "what's the weather like", "how does immigration status affect reporting?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    results = [scorer(url, case) for case in load_cases(path)]
    failures = [r for r in results if not r.passed]
    return len(results) - len(failures), len(results), failures


def latency(url: str, count: int) -> list[float]:
    timings = []
    for index in range(count):
        sender = f"bench-{index // len(LATENCY_MESSAGES)}"
        text = LATENCY_MESSAGES[index % len(LATENCY_MESSAGES)]
        start = time.perf_counter()
        requests.post(url, json={"sender": sender, "message": text}, timeout=60).raise_for_status()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


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

    with tempfile.TemporaryDirectory() as var:
        database_url = f"sqlite:///{var}/knowledge.db"
        engine = make_engine(database_url)
        save_knowledge(engine, load_knowledge(PROJECT_ROOT / "knowledge"))
        # The local-services questions in the sets need a directory; the assistant never loads one itself.
        import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
        env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": var, "DASG_TRACKER_DB": f"{var}/tracker.db"}
        servers = start_servers(model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=Path(var))
        try:
            figures["time to ready (both servers)"] = f"{servers.ready_after:.1f} s"
            for name, path, scorer in (
                ("development set", PROJECT_ROOT / "eval" / "dev_questions.yml", score_dev_case),
                ("project question set", PROJECT_ROOT / "eval" / "questions.yml", score_project_case),
            ):
                if not path.exists():
                    continue
                passed, total, failures = score(servers.rest_url, path, scorer)
                figures[f"{name}: answered correctly"] = f"{passed}/{total} = {100 * passed / total:.1f}%"
                for failure in failures:
                    print(f"  FAIL [{name}] {failure.case_id}: {failure.text!r} -> {failure.why}")
            timings = latency(servers.rest_url, args.messages)
            figures[f"REST round trip over {args.messages} messages"] = (
                f"p50 {percentile(timings, 0.5):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
                f"mean {statistics.mean(timings):.0f} ms"
            )
            action_pid, rasa_pid = (p.pid for p in servers.processes)
            figures["server RSS"] = f"Rasa {rss_mb(rasa_pid):.0f} MB, action server {rss_mb(action_pid):.0f} MB"
        finally:
            servers.stop()

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

    print("\nFigures")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")


if __name__ == "__main__":
    main()
