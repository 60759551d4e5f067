"""The supervisor of ``bot run`` with fake servers: what it says, how long it waits, when it gives up."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.runtime.supervisor import BackOff, Supervisor, describe_exit


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeServer:
    """A server whose starts succeed or fail as scripted; ``crash`` ends the current run."""

    def __init__(self, clock: FakeClock, name: str = "action server", starts: list[str] | None = None):
        self.name = name
        self.log_file = Path("var/logs/actions.log")
        self.clock = clock
        self.starts = list(starts or [])  # "ok", "exit" (exits before ready) for each restart, then "ok"
        self.started_at = clock()
        self.exit_code: int | None = None
        self.start_count = 0

    @property
    def running(self) -> bool:
        return self.exit_code is None

    def crash(self, code: int = -9) -> None:
        self.exit_code = code

    def start(self, timeout: float, stopping: threading.Event | None = None) -> None:
        self.start_count += 1
        self.started_at = self.clock()
        outcome = self.starts.pop(0) if self.starts else "ok"
        if outcome == "exit":
            self.exit_code = 1
            raise RuntimeError(f"the {self.name} exited with code 1 before it was ready")
        if outcome == "spawn":
            raise OSError(24, "Too many open files")
        self.exit_code = None


class Console:
    def __init__(self):
        self.lines: list[tuple[str, bool]] = []

    def __call__(self, message: str, err: bool = False) -> None:
        self.lines.append((message, err))

    @property
    def text(self) -> list[str]:
        return [line for line, _ in self.lines]


def supervise(servers, console, waits, **kwargs) -> Supervisor:
    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    supervisor = Supervisor(servers, echo=console, poll_interval=0.005, wait=wait, clock=servers[0].clock, **kwargs)
    supervisor.start()
    return supervisor


def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the supervisor did not get there in time"
        time.sleep(0.005)


def test_back_off_doubles_from_two_seconds_and_is_capped():
    assert [BackOff().delay(n) for n in range(1, 8)] == [2, 4, 8, 16, 30, 30, 30]


def test_a_killed_server_is_restarted_after_two_seconds_and_announced():
    console, waits, clock = Console(), [], FakeClock()
    server = FakeServer(clock)
    supervisor = supervise([server], console, waits)
    try:
        clock.now += 600  # it ran for ten minutes
        server.crash(-9)
        until(lambda: supervisor.restarts == 1)
    finally:
        supervisor.stop()
    assert server.running and server.start_count == 1
    assert waits == [2]
    assert console.text == ["The action server stopped (exit code -9, SIGKILL); restarting in 2 s.", "The action server is back."]


def test_quick_failures_wait_longer_each_time_then_give_up_with_the_log_named():
    console, waits, clock = Console(), [], FakeClock()
    server = FakeServer(clock, starts=["exit"] * 10)
    gave_up = threading.Event()
    supervisor = supervise([server], console, waits, on_give_up=gave_up.set)
    server.crash(1)
    assert supervisor.finished.wait(5)
    assert gave_up.is_set()
    assert waits == [2, 4, 8, 16]
    assert server.start_count == 4
    assert console.lines[0] == ("The action server stopped (exit code 1); restarting in 2 s.", False)
    assert ("The action server did not come back: the action server exited with code 1 before it was ready.", True) in console.lines
    assert console.lines[-1] == (
        "The action server stopped 5 times in a row within 60 s of starting (exit code 1 the last time); giving up. "
        "Its log: var/logs/actions.log", True)
    assert supervisor.gave_up == console.lines[-1][0]


def test_a_server_that_ran_a_while_starts_the_count_again():
    console, waits, clock = Console(), [], FakeClock()
    server = FakeServer(clock)
    supervisor = supervise([server], console, waits)
    try:
        for restarts in (1, 2, 3):  # quick failures: 2 s, 4 s, 8 s
            server.crash(1)
            until(lambda r=restarts: supervisor.restarts == r)
        clock.now += 61  # then a run longer than a minute
        server.crash(1)
        until(lambda: supervisor.restarts == 4)
    finally:
        supervisor.stop()
    assert waits == [2, 4, 8, 2]
    assert supervisor.gave_up is None


def test_each_server_is_watched_and_counted_on_its_own():
    console, waits, clock = Console(), [], FakeClock()
    action, rasa = FakeServer(clock), FakeServer(clock, name="Rasa server")
    supervisor = supervise([action, rasa], console, waits)
    try:
        action.crash(1)
        until(lambda: supervisor.restarts == 1)
        rasa.crash(-15)
        until(lambda: supervisor.restarts == 2)
    finally:
        supervisor.stop()
    assert waits == [2, 2]
    assert "The Rasa server stopped (exit code -15, SIGTERM); restarting in 2 s." in console.text
    assert console.text[-1] == "The Rasa server is back."


def test_stopping_during_the_back_off_restarts_nothing():
    console, clock = Console(), FakeClock()
    server = FakeServer(clock)
    supervisor = Supervisor([server], echo=console, poll_interval=0.005, clock=clock)  # real waits
    supervisor.start()
    server.crash(1)
    until(lambda: console.lines != [])
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 1  # the 2 s wait was cut short
    assert server.start_count == 0 and not server.running
    assert supervisor.finished.is_set()


def test_a_server_that_cannot_even_be_spawned_counts_as_a_quick_failure():
    console, waits, clock = Console(), [], FakeClock()
    server = FakeServer(clock, starts=["spawn"] * 10)
    supervisor = supervise([server], console, waits)
    server.crash(1)
    assert supervisor.finished.wait(5)
    assert waits == [2, 4, 8, 16]
    assert ("The action server did not come back: [Errno 24] Too many open files.", True) in console.lines
    assert supervisor.gave_up.startswith("The action server stopped 5 times in a row")


def test_an_error_in_the_supervisor_itself_is_reported_as_giving_up(monkeypatch):
    class Broken(FakeServer):
        @property
        def running(self) -> bool:
            raise ValueError("broken")

    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the traceback is expected here
    console, clock = Console(), FakeClock()
    supervisor = supervise([Broken(clock)], console, [])
    assert supervisor.finished.wait(5)
    assert console.lines == [("The supervisor stopped on an error (see the traceback); nothing restarts the servers now", True)]
    assert supervisor.gave_up


@pytest.mark.parametrize("code, text", [(0, "exit code 0"), (1, "exit code 1"), (-9, "exit code -9, SIGKILL"),
                                        (None, "exit code None")])
def test_exit_descriptions(code, text):
    assert describe_exit(code) == text
