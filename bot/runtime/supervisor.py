"""Keep the servers of ``bot run`` running: a server that stops is restarted after a back-off
that doubles with each quick failure, and the supervisor gives up after too many of them.

`bot run --production` uses it too, for every process of the one-machine cluster (Rasa servers,
action servers, nginx). A multi-machine deployment does not: there each server runs under
systemd (``deploy/``).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.runtime.servers import StopRequested


class Supervised(Protocol):
    """What the supervisor needs of a server (``bot.runtime.servers.ServerProcess``)."""

    name: str
    started_at: float
    log_file: Path

    @property
    def running(self) -> bool: ...

    @property
    def exit_code(self) -> int | None: ...

    def start(self, timeout: float, stopping: threading.Event | None = None) -> None: ...


@dataclass(frozen=True)
class BackOff:
    """How long to wait before a restart, and when to stop trying."""

    first: float = 2.0  # seconds before the first restart
    cap: float = 30.0  # the longest wait
    stable_after: float = 60.0  # a server that ran this long before stopping did not fail "quickly"
    max_quick_failures: int = 5  # the supervisor gives up at this many quick failures in a row

    def delay(self, failures: int) -> float:
        """The wait before restarting after the ``failures``-th quick failure in a row (1, 2, ...)."""
        return min(self.cap, self.first * 2 ** (failures - 1))


Echo = Callable[..., None]  # click.echo's shape: echo(message, err=False)


class Supervisor:
    """Watches the servers in a background thread and restarts the ones that stop."""

    def __init__(self, children: Sequence[Supervised], echo: Echo, back_off: BackOff = BackOff(),
                 ready_timeout: float = 240, poll_interval: float = 0.5,
                 on_give_up: Callable[[], None] | None = None, clock: Callable[[], float] = time.monotonic,
                 wait: Callable[[float], bool] | None = None):
        self.children = list(children)
        self.echo = echo
        self.back_off = back_off
        self.ready_timeout = ready_timeout
        self.poll_interval = poll_interval
        self.on_give_up = on_give_up
        self.clock = clock
        self.stopping = threading.Event()  # set by stop(): no more restarts
        self.finished = threading.Event()  # set when the supervisor stops watching (stopped or gave up)
        self.gave_up: str | None = None  # why, when it gave up
        self.restarts = 0
        self._wait = wait or self.stopping.wait  # returns True when stopped during the wait
        self._failures = {child.name: 0 for child in self.children}
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.watch, name="dasg-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """No more restarts; returns once a restart under way has been abandoned."""
        self.stopping.set()
        if self._thread is not None:
            self._thread.join()

    def watch(self) -> None:
        """Check the servers every ``poll_interval`` seconds until stopped or given up."""
        try:
            while not self.stopping.is_set() and self.gave_up is None:
                for child in self.children:
                    if not child.running and not self.stopping.is_set():
                        self._recover(child)
                        break
                self.stopping.wait(self.poll_interval)
        finally:
            if self.gave_up is None and not self.stopping.is_set():  # an error ended the thread: it is printed
                self._give_up("The supervisor stopped on an error (see the traceback); nothing restarts the servers now")
            self.finished.set()

    def _recover(self, child: Supervised) -> None:
        quick = self.clock() - child.started_at < self.back_off.stable_after
        failures = self._failures[child.name] + 1 if quick else 1
        self._failures[child.name] = failures
        if failures >= self.back_off.max_quick_failures:
            self._give_up(
                f"The {child.name} stopped {failures} times in a row within {self.back_off.stable_after:g} s of starting "
                f"({describe_exit(child.exit_code)} the last time); giving up. Its log: {child.log_file}")
            return
        delay = self.back_off.delay(failures)
        self.echo(f"The {child.name} stopped ({describe_exit(child.exit_code)}); restarting in {delay:g} s.")
        if self._wait(delay) or self.stopping.is_set():
            return
        try:
            child.start(self.ready_timeout, self.stopping)
        except StopRequested:
            return
        except (RuntimeError, OSError) as exc:  # it exited, never answered or could not start: counted next check
            self.echo(f"The {child.name} did not come back: {exc}.", err=True)
            return
        self.restarts += 1
        self.echo(f"The {child.name} is back.")

    def _give_up(self, reason: str) -> None:
        self.gave_up = reason
        self.echo(reason, err=True)
        if self.on_give_up is not None:
            self.on_give_up()


def describe_exit(code: int | None) -> str:
    """'exit code 1', or 'exit code -9, SIGKILL' for a process ended by a signal."""
    if code is not None and code < 0:
        try:
            return f"exit code {code}, {signal.Signals(-code).name}"
        except ValueError:
            return f"exit code {code}"
    return f"exit code {code}"
