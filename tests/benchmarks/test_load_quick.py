"""`python -m benchmarks.load --quick` end to end: the plain `rasa init` bot (trained once, cached in
var/bench/plain/) and the assistant in its production topology (bot.runtime.cluster), each answering
every message of 1 and 2 concurrent conversations, with the table, the ratios and the JSON."""

import json
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT


@pytest.mark.slow
def test_quick_load_benchmark_runs_both_systems_without_errors(tmp_path):
    out = tmp_path / "load.json"
    run = subprocess.run([sys.executable, "-m", "benchmarks.load", "--quick", "--json", str(out)], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout + run.stderr[-5000:]
    lines = run.stdout.splitlines()
    assert lines[0].split()[:4] == ["system", "servers", "conc", "msg/s"]
    assert [line.split()[:3] for line in lines[2:6]] == [["plain", "1", "1"], ["plain", "1", "2"],
                                                         ["ours-1", "1", "1"], ["ours-1", "1", "2"]]
    assert "ours-1 / plain msg/s at 20: not measured (goal at least 0.8x)" in run.stdout  # quick runs levels 1 and 2
    assert f"Written: {out}" in run.stdout

    data = json.loads(out.read_text())
    assert data["levels"] == [1, 2] and data["turns"] == 3 and data["not_measured"] == {}
    assert [(r["system"], r["concurrency"]) for r in data["results"]] == [("plain", 1), ("plain", 2),
                                                                           ("ours-1", 1), ("ours-1", 2)]
    for level in data["results"]:
        assert level["errors"] == 0, level
        assert level["replies"] == 3 * level["concurrency"]
        assert level["msg_per_s"] > 0 and 0 < level["p50_ms"] <= level["p95_ms"]
    plain, ours = data["results"][1], data["results"][3]
    assert set(plain["cpu_seconds"]) == {"rasa", "client"} and plain["cpu_seconds"]["rasa"][0] > 0
    assert set(ours["cpu_seconds"]) == {"rasa", "actions", "nginx", "postgres", "redis", "client"}
    assert ours["cpu_seconds"]["rasa"][0] > 0 and ours["cpu_seconds"]["actions"][0] > 0
    assert "PostgreSQL tracker, Redis lock store" in data["setups"]["ours-1"]
    assert (PROJECT_ROOT / "var" / "bench" / "plain" / "domain.yml").exists()  # generated at run time, kept for the next run
