"""Personal-detail detectors: precision and recall per detector on the 200 labelled drafts of
eval/pii_drafts.yml, for the server (bot/privacy/detectors.py) and the widget (web/src/privacy.js,
run by node), and how often the warning would fire on the development sets (the goal is never).

Run: .venv/bin/python -m benchmarks.pii [--drafts eval/pii_drafts.yml]
A draft counts per kind: a kind found and labelled is a true positive, found and not labelled a
false positive, labelled and not found a false negative. "any" is the warning itself: it fires on
a draft with at least one finding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.privacy.detectors import KINDS, find
from bot.web.page import WEB_DIR

# Reads a JSON list of texts on stdin; prints the widget's findings for each as [kind, text] pairs,
# and the lists its build puts in the bundle.
NODE_SCRIPT = """
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { privacyData } from "./build.mjs";
const data = privacyData();
const find = runInNewContext(readFileSync("src/privacy.js", "utf8") + "\\nfindPersonalDetails;", {});
const texts = JSON.parse(readFileSync(0, "utf8"));
const findings = texts.map((t) => find(t, data).map((f) => [f.kind, f.text]));
delete data.sets;
process.stdout.write(JSON.stringify({ findings, data }));
"""


def widget_findings(texts: list[str]) -> dict:
    """The widget's detectors on ``texts`` through node: {"findings": [[[kind, text]...]...], "data": lists}."""
    node = shutil.which("node")
    if not node:
        raise RuntimeError("Node.js is needed to run the widget's detectors (see README)")
    result = subprocess.run([node, "--input-type=module", "-e", NODE_SCRIPT], cwd=WEB_DIR, input=json.dumps(texts),
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"node could not run web/src/privacy.js: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def load_drafts(path: Path) -> list[dict]:
    drafts = yaml.safe_load(path.read_text(encoding="utf-8"))["drafts"]
    for number, draft in enumerate(drafts, 1):
        unknown = set(draft.get("kinds", [])) - set(KINDS)
        if unknown:
            raise ValueError(f"{path}: draft {number} ({draft.get('id')}): unknown kinds {sorted(unknown)}")
    return drafts


def scores(labels: list[set[str]], found: list[set[str]]) -> dict[str, tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per kind and for "any"."""
    table = {}
    for kind in [*KINDS, "any"]:
        tp = fp = fn = 0
        for labelled, detected in zip(labels, found, strict=True):
            want = bool(labelled) if kind == "any" else kind in labelled
            got = bool(detected) if kind == "any" else kind in detected
            tp += want and got
            fp += got and not want
            fn += want and not got
        table[kind] = (tp, fp, fn)
    return table


def print_table(title: str, table: dict[str, tuple[int, int, int]]) -> None:
    print(f"\n{title}")
    print(f"{'detector':<15}{'labelled':>9}{'found':>7}{'precision':>11}{'recall':>8}")
    for kind, (tp, fp, fn) in table.items():
        precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        print(f"{kind:<15}{tp + fn:>9}{tp + fp:>7}{precision:>11}{recall:>8}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=Path, default=PROJECT_ROOT / "eval" / "pii_drafts.yml")
    args = parser.parse_args(argv)
    drafts = load_drafts(args.drafts)
    texts = [d["text"] for d in drafts]
    labels = [set(d["kinds"]) for d in drafts]
    started = time.perf_counter()
    server = [{f.kind for f in find(text)} for text in texts]
    per_draft_ms = (time.perf_counter() - started) * 1000 / len(texts)
    widget = [{kind for kind, _ in found} for found in widget_findings(texts)["findings"]]
    print(f"{len(drafts)} labelled drafts ({sum(bool(lab) for lab in labels)} with a personal detail), {args.drafts}")
    print_table("Server (bot/privacy/detectors.py)", scores(labels, server))
    print_table("Widget (web/src/privacy.js)", scores(labels, widget))
    print(f"\nServer and widget disagree on {sum(s != w for s, w in zip(server, widget, strict=True))} drafts; "
          f"server time {per_draft_ms:.2f} ms per draft (lists read once beforehand included in the first).")
    for text, labelled, detected in zip(texts, labels, server, strict=True):
        if labelled != detected:
            print(f"  missed {sorted(labelled - detected)} wrongly {sorted(detected - labelled)}: {text}")


if __name__ == "__main__":
    main()
