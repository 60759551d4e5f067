"""Feeds refreshed while `bot run` is up: each import and each failure said on the console."""

from types import SimpleNamespace

from sqlalchemy.exc import OperationalError

from bot.directory.feeds import Feed, FeedResult
from bot.directory.refresher import FeedRefresher

FEED = Feed(url="https://directory.example/api/services", area="Exampleton", every_hours=24.0)


class Console:
    def __init__(self):
        self.lines: list[tuple[str, bool]] = []

    def __call__(self, message, err=False):
        self.lines.append((message, err))


def test_each_import_and_each_failure_is_said_and_a_feed_not_due_is_not():
    console = Console()
    results = [FeedResult(FEED, "imported", report=SimpleNamespace(services=15)), FeedResult(FEED, "not due"),
               FeedResult(FEED, "failed", error="services.json: the feed could not be read: timed out")]
    FeedRefresher(None, [FEED], console, refresh=lambda engine, feeds: results).check()
    assert console.lines == [
        ("Directory feed https://directory.example/api/services: imported 15 services.", False),
        ("Directory feed https://directory.example/api/services failed; its last good import stays.\n"
         "services.json: the feed could not be read: timed out", True),
    ]


def test_a_database_error_is_reported_and_the_refresher_keeps_going():
    console = Console()

    def broken(engine, feeds):
        raise OperationalError("UPDATE directory_feeds", {}, Exception("database is locked"))

    refresher = FeedRefresher(None, [FEED], console, refresh=broken)
    refresher.check()
    assert console.lines[0][1] is True and console.lines[0][0].startswith("Directory feeds: database error, will retry:")


def test_the_thread_checks_at_once_and_stops_when_asked():
    console, calls = Console(), []
    refresher = FeedRefresher(None, [FEED], console, interval=60,
                              refresh=lambda engine, feeds: calls.append(1) or [FeedResult(FEED, "not due")])
    refresher.start()
    refresher.stop()
    assert calls == [1] and not refresher._thread.is_alive()


def test_without_feeds_no_thread_starts():
    refresher = FeedRefresher(None, [], Console(), refresh=lambda engine, feeds: [])
    refresher.start()
    assert refresher._thread is None
