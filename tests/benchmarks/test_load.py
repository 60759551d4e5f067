"""The load benchmark's own arithmetic and bookkeeping (benchmarks/load.py): percentiles, the
acceptance ratios, the table, what counts as an error, CPU seconds from /proc, and one load
level against a small made-up HTTP assistant on loopback."""

import subprocess
import sys
import time
from collections import Counter

import pytest
from aiohttp import web

from benchmarks.load import (
    CpuMeter,
    LevelResult,
    Target,
    acceptance,
    cpu_cell,
    format_table,
    knowledge_questions,
    ours_conversations,
    parse_args,
    percentile,
    reply_problem,
    report,
    run_level,
    tree_cpu_seconds,
)
from benchmarks.plain_bot import plain_fingerprint

ANSWER = [{"text": "Hello!"}]


def result(system: str, concurrency: int, timings: list[float], seconds: float = 10.0, **extra) -> LevelResult:
    return LevelResult(system, 2 if system == "ours-2" else 1, concurrency, seconds, timings, **extra)


# --- percentiles -----------------------------------------------------------------------------

def test_percentile_interpolates_between_ranks():
    values = [50.0, 10.0, 40.0, 20.0, 30.0]  # unsorted on purpose
    assert percentile(values, 0.5) == 30.0
    assert percentile(values, 0.0) == 10.0
    assert percentile(values, 1.0) == 50.0
    assert percentile(values, 0.95) == pytest.approx(48.0)  # 40 + 0.8 * (50 - 40)
    assert percentile([7.0], 0.95) == 7.0


def test_percentile_refuses_nothing_and_shares_outside_0_to_1():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], 95)


def test_level_result_rates_and_percentiles():
    level = result("plain", 20, [float(ms) for ms in range(1, 101)], seconds=4.0, errors=Counter({"time-out": 2}))
    assert level.replies == 100 and level.msg_per_s == 25.0
    assert level.p50_ms == pytest.approx(50.5) and level.p95_ms == pytest.approx(95.05)
    assert level.error_count == 2
    empty = result("plain", 1, [], errors=Counter({"HTTP 500": 3}))
    assert empty.msg_per_s == 0.0 and empty.p95_ms is None and empty.server_cpu_ms_per_reply is None


def test_server_cpu_per_reply_leaves_out_the_load_generator_and_needs_every_process():
    level = result("ours-2", 50, [100.0] * 200, cpu={"rasa": [3.0, 2.0], "actions": [1.0], "client": [9.0]})
    assert level.server_cpu_ms_per_reply == pytest.approx(30.0)  # 6 s of server CPU over 200 replies
    stopped = result("ours-2", 50, [100.0] * 200, cpu={"rasa": [3.0, None]})
    assert stopped.server_cpu_ms_per_reply is None  # a server stopped: its CPU is unknown


# --- acceptance ratios -----------------------------------------------------------------------

def test_acceptance_ratios_pass_and_fail_against_the_issue_goals():
    results = [
        result("plain", 20, [100.0] * 200, seconds=10.0),      # 20 msg/s, p95 100 ms
        result("ours-1", 20, [120.0] * 170, seconds=10.0),     # 17 msg/s (0.85x), p95 120 ms (1.2x)
        result("ours-1", 50, [300.0] * 100, seconds=10.0),     # 10 msg/s
        result("ours-2", 50, [250.0] * 110, seconds=10.0),     # 11 msg/s (1.1x)
    ]
    checks = {check.name: check for check in acceptance(results)}
    speed, p95, scaling = (checks[name] for name in ("ours-1 / plain msg/s at 20", "ours-1 / plain p95 at 20",
                                                      "ours-2 / ours-1 msg/s at 50"))
    assert speed.value == pytest.approx(0.85) and speed.passed is True
    assert p95.value == pytest.approx(1.2) and p95.passed is True
    assert scaling.value == pytest.approx(1.1) and scaling.passed is False
    assert speed.line() == "ours-1 / plain msg/s at 20: 0.85x (goal at least 0.8x) PASS"
    assert scaling.line() == "ours-2 / ours-1 msg/s at 50: 1.10x (goal at least 1.2x) FAIL"


def test_a_ratio_with_a_side_missing_or_without_replies_is_not_measured():
    results = [result("plain", 20, [], errors=Counter({"time-out": 20})), result("ours-1", 20, [90.0] * 10)]
    checks = acceptance(results)
    assert all(check.value is None and check.passed is None for check in checks)
    assert checks[0].line() == "ours-1 / plain msg/s at 20: not measured (goal at least 0.8x)"


def test_p95_ratio_fails_when_ours_is_much_slower():
    checks = acceptance([result("plain", 20, [100.0] * 50), result("ours-1", 20, [200.0] * 50)])
    assert checks[1].value == pytest.approx(2.0) and checks[1].passed is False


# --- the table and the JSON ------------------------------------------------------------------

def test_table_has_one_row_per_level_with_errors_and_cpu_per_process():
    rows = [result("plain", 1, [20.0, 30.0], seconds=0.5, cpu={"rasa": [0.42]}),
            result("ours-2", 50, [400.0] * 9, seconds=3.0, errors=Counter({"time-out": 1, "HTTP 502": 2}),
                   cpu={"rasa": [12.25, 11.5], "actions": [3.0, 2.5], "nginx": [0.1], "postgres": [1.2], "redis": []})]
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["system", "servers", "conc", "msg/s", "p50", "ms", "p95", "ms", "errors", "CPU", "ms/reply",
                                "CPU", "s", "per", "process"]
    assert set(lines[1]) == {"-"}
    assert lines[2].split() == ["plain", "1", "1", "4.0", "25", "30", "0", "210", "rasa", "0.42"]
    assert lines[3].split()[:7] == ["ours-2", "2", "50", "3.0", "400", "400", "3"]
    assert lines[3].split()[11:14] == ["1)", "3394", "rasa"]  # (12.25 + 11.5 + 3 + 2.5 + 0.1 + 1.2) s / 9 replies
    assert "(HTTP 502 2, time-out 1)" in lines[3]
    assert lines[3].endswith("rasa 12.2+11.5, actions 3.00+2.50, nginx 0.10, postgres 1.20")
    assert cpu_cell({"redis": []}) == ""


def test_json_report_carries_levels_ratios_and_context():
    rows = [result("plain", 20, [100.0] * 40, seconds=2.0, cpu={"rasa": [1.234]}),
            result("ours-1", 20, [110.0] * 36, seconds=2.0)]
    data = report(rows, {"turns": 20})
    assert data["turns"] == 20
    assert data["results"][0] == {
        "system": "plain", "servers": 1, "concurrency": 20, "setup": "", "seconds": 2.0, "replies": 40,
        "msg_per_s": 20.0, "p50_ms": 100.0, "p95_ms": 100.0, "errors": 0, "error_kinds": {},
        "server_cpu_ms_per_reply": 30.9, "cpu_seconds": {"rasa": [1.23]},
    }
    assert data["acceptance"][0] == {"name": "ours-1 / plain msg/s at 20", "value": 0.9, "goal": 0.8,
                                     "higher_is_better": True, "passed": True}
    assert data["acceptance"][2]["passed"] is None


# --- what counts as an error -----------------------------------------------------------------

@pytest.mark.parametrize(("status", "body", "problem"), [
    (200, ANSWER, None),
    (200, [{"text": "A MARAC is..."}, {"custom": {"type": "guidance"}}], None),
    (200, [{"custom": {"type": "unavailable"}}], "'unavailable' reply"),
    (200, [{"text": "Sorry, something went wrong"}, {"custom": {"type": "error"}}], "'error' reply"),
    (200, [], "empty reply"),
    (200, [{"text": ""}], "empty reply"),
    (200, {"error": "x"}, "empty reply"),
    (401, None, "HTTP 401"),
    (502, None, "HTTP 502"),
])
def test_reply_problem(status, body, problem):
    assert reply_problem(status, body) == problem


# --- CPU seconds from /proc ------------------------------------------------------------------

BURN = "end = time.process_time() + 0.3\nwhile time.process_time() < end:\n    pass\n"
# waits for a line, burns 0.3 s of CPU, says so, and waits again (alive when the meter stops)
BUSY = "import sys, time\nsys.stdin.readline()\n" + BURN + "print('done', flush=True)\nsys.stdin.readline()\n"


def test_cpu_meter_counts_a_busy_process_and_not_an_idle_one():
    busy = subprocess.Popen([sys.executable, "-c", BUSY], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    idle = subprocess.Popen(["sleep", "30"])
    try:
        meter = CpuMeter({"busy": [busy.pid], "idle": [idle.pid]})
        meter.start()
        busy.stdin.write(b"go\n")
        busy.stdin.flush()
        assert busy.stdout.readline() == b"done\n"
        used = meter.stop()
    finally:
        busy.communicate(b"\n", timeout=30)
        idle.kill()
        idle.wait()
    assert 0.2 <= used["busy"][0] < 5
    assert used["idle"] == [0.0]


def test_cpu_meter_reports_a_process_that_stopped_meanwhile():
    short = subprocess.Popen(["sleep", "30"])
    meter = CpuMeter({"rasa": [short.pid]})
    meter.start()
    short.kill()
    short.wait()
    used = meter.stop()
    assert used == {"rasa": [None]}
    assert cpu_cell(used) == "rasa stopped"


def test_tree_cpu_counts_children_that_have_already_exited():
    # like PostgreSQL's backends: a parent whose busy child has finished and been reaped
    child = "import time\n" + BURN
    parent = subprocess.Popen([sys.executable, "-c",
                               "import subprocess, sys\n"
                               f"subprocess.run([sys.executable, '-c', {child!r}], check=True)\n"
                               "print('done', flush=True)\nsys.stdin.readline()\n"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert parent.stdout.readline() == b"done\n"
        assert tree_cpu_seconds(parent.pid) >= 0.2
    finally:
        parent.communicate(b"\n", timeout=30)
    assert tree_cpu_seconds(parent.pid) is None  # gone


# --- one load level against a small HTTP assistant on loopback -------------------------------

@pytest.fixture
async def made_up_assistant():
    """A small HTTP server with the REST webhook's shape: "broken" gets HTTP 500, "silent" an empty
    list, anything else one text message; it records (sender, message) of every request."""
    seen: list[tuple[str, str]] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((body["sender"], body["message"]))
        if body["message"] == "broken":
            return web.json_response({"error": "boom"}, status=500)
        if body["message"] == "silent":
            return web.json_response([])
        return web.json_response([{"text": f"you said {body['message']}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/webhooks/rest/webhook", seen
    await runner.cleanup()


async def test_run_level_counts_replies_errors_and_leaves_out_the_warm_up(made_up_assistant):
    url, seen = made_up_assistant
    target = Target("plain", 1, url, (("hello", "broken", "bye"), ("hi", "silent")), {"rasa": []})
    started = time.monotonic()
    level = await run_level(target, concurrency=2, turns=6, warmup=1, duration=None, run_id="t")
    assert len(seen) == 2 * 7  # a warm-up turn and 6 counted turns per conversation
    # conversation 0 plays script 0, then 1, then 0 again, each under a new sender id
    messages0 = [text for sender, text in seen if sender.startswith("load-t-0-")]
    assert messages0 == ["hello", "broken", "bye", "hi", "silent", "hello", "broken"]
    senders0 = [sender for sender, _ in seen if sender.startswith("load-t-0-")]
    assert senders0 == ["load-t-0-0"] * 3 + ["load-t-0-1"] * 2 + ["load-t-0-2"] * 2
    counted = messages0[1:] + [text for sender, text in seen if sender.startswith("load-t-1-")][1:]
    assert level.errors == Counter({"HTTP 500": counted.count("broken"), "empty reply": counted.count("silent")})
    assert level.replies == 12 - level.error_count
    assert 0 < level.seconds <= time.monotonic() - started
    assert level.msg_per_s == pytest.approx(level.replies / level.seconds)
    assert set(level.cpu) == {"rasa", "client"} and level.cpu["client"][0] >= 0


async def test_run_level_for_a_duration_keeps_sending_until_it_is_over(made_up_assistant):
    url, seen = made_up_assistant
    target = Target("plain", 1, url, (("hello", "how are you", "bye"),), {})
    level = await run_level(target, concurrency=3, turns=1, warmup=0, duration=0.5, run_id="d")
    assert level.seconds >= 0.5
    assert level.replies == len(seen) > 3  # more than --turns 1 each: the duration decides
    assert level.error_count == 0


# --- conversations and options ---------------------------------------------------------------

def test_our_conversations_use_the_question_set_and_never_danger_or_not_covered_cases():
    questions = knowledge_questions()
    assert len(questions) >= 4
    scripts = ours_conversations(questions)
    texts = [text for script in scripts for text in script]
    assert sum(text in questions for text in texts) == 6
    assert any("Demoshire" in text for text in texts)  # a directory search
    assert any("conflict or abuse" in text for text in texts)  # the reflection's start


def test_question_file_problems_name_the_file(tmp_path):
    broken = tmp_path / "questions.yml"
    broken.write_text("cases:\n  - {id: q1, text: 'is he in danger now', expect: danger}\n")
    with pytest.raises(RuntimeError, match=r"questions\.yml: needs at least 4 cases that expect an answer, found 0"):
        knowledge_questions(broken)


def test_quick_options_and_bad_levels(capsys):
    quick = parse_args(["--quick"])
    assert (quick.levels, quick.turns, quick.warmup, quick.only) == ([1, 2], 3, 1, ["plain", "ours-1"])
    full = parse_args([])
    assert (full.levels, full.turns, full.warmup, full.only) == ([1, 20, 50], 20, 2, ["plain", "ours-1", "ours-2"])
    assert parse_args(["--only", "ours-2", "--levels", "50"]).only == ["ours-2"]
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--levels", "1,twenty"])
    assert exit_info.value.code == 2
    assert "--levels must be whole numbers separated by commas, not '1,twenty'" in capsys.readouterr().err


def test_plain_fingerprint_follows_its_training_data(tmp_path):
    (tmp_path / "data").mkdir()
    for name in ("config.yml", "domain.yml", "data/nlu.yml"):
        (tmp_path / name).write_text(f"# {name}\n")
    first = plain_fingerprint(tmp_path)
    (tmp_path / "endpoints.yml").write_text("# not a training input\n")
    assert plain_fingerprint(tmp_path) == first
    (tmp_path / "data" / "nlu.yml").write_text("# changed\n")
    assert plain_fingerprint(tmp_path) != first
