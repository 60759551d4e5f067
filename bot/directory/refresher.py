"""Keeping configured ORUK feeds fresh while ``bot run`` is up: a background thread that asks
``refresh_feeds`` every hour (each feed is imported only when its ``every_hours`` have passed)
and reports every import and every failure; a failed feed keeps its last good import."""

from __future__ import annotations

import threading
from typing import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.directory.feeds import Feed, FeedResult, refresh_feeds

CHECK_EVERY_SECONDS = 3600.0

Echo = Callable[..., None]  # click.echo's shape: echo(message, err=False)


def describe(result: FeedResult) -> tuple[str, bool] | None:
    """The console line for one feed's result (and whether it is an error); None when not due."""
    if result.status == "failed":
        return f"Directory feed {result.feed.url} failed; its last good import stays.\n{result.error}", True
    if result.status == "imported" and result.report is not None:
        return f"Directory feed {result.feed.url}: imported {result.report.services} services.", False
    return None


class FeedRefresher:
    """Refreshes ``feeds`` now and then every ``interval`` seconds until stopped."""

    def __init__(self, engine: Engine, feeds: list[Feed], echo: Echo, interval: float = CHECK_EVERY_SECONDS,
                 refresh: Callable[[Engine, list[Feed]], list[FeedResult]] = refresh_feeds):
        self.engine = engine
        self.feeds = feeds
        self.echo = echo
        self.interval = interval
        self.refresh = refresh
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.feeds:
            self._thread = threading.Thread(target=self._run, name="directory-feeds", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def check(self) -> None:
        """One round: every due feed imported or reported; a database error is reported and retried."""
        try:
            results = self.refresh(self.engine, self.feeds)
        except SQLAlchemyError as exc:
            self.echo(f"Directory feeds: database error, will retry: {exc}", err=True)
            return
        for result in results:
            line = describe(result)
            if line:
                self.echo(line[0], err=line[1])

    def _run(self) -> None:
        while True:  # a check at start, then one per interval until stopped
            self.check()
            if self.stopping.wait(self.interval):
                return
