"""ORUK feeds by address, against a small ORUK-shaped server on loopback: paging, retries, timeouts,
all or nothing, and scheduled refreshes that keep the last good import when a feed fails."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.directory import feeds
from bot.directory.feeds import Feed, load_feeds, refresh_feeds
from bot.directory.store import list_areas, read_services
from bot.knowledge.store import make_engine
from tests.bot.directory.conftest import run, snapshot

PAGE_SIZE = 2


def service(number: int, **changes) -> dict:
    data = {"id": f"wb-feed-{number}", "name": f"Westbrook Feed Service {number}", "status": "active",
            "description": "Support for adults experiencing domestic abuse.", "email": f"s{number}@example.org"}
    data.update(changes)
    return data


class OrukServer:
    """Serves ``services`` as ORUK /services pages of PAGE_SIZE; ``fail`` maps a page to what goes wrong."""

    def __init__(self):
        self.services = [service(n) for n in range(5)]
        self.fail: dict[int, str] = {}  # page -> "503 twice", "500", "404", "slow", "not json"
        self.requests: list[str] = []
        handler = self._handler()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/api/services"

    def page(self, number: int) -> dict:
        total = max(1, -(-len(self.services) // PAGE_SIZE))
        contents = self.services[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        return {"total_items": len(self.services), "total_pages": total, "page_number": number, "size": len(contents),
                "first_page": number == 1, "last_page": number == total, "empty": not contents, "contents": contents}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 - the http.server API
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                problem = server.fail.get(number, "")
                if problem.startswith("503"):
                    left = int(problem.split()[1])
                    server.fail[number] = f"503 {left - 1}" if left > 1 else ""
                    return self._send(503, b"busy")
                if problem in ("500", "404"):
                    return self._send(int(problem), b"no")
                if problem == "slow":
                    time.sleep(0.5)
                body = b"<html>oops</html>" if problem == "not json" else json.dumps(server.page(number)).encode()
                self._send(200, body)

            def _send(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def stop(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def oruk():
    server = OrukServer()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(feeds, "BACKOFF", 0.01)
    monkeypatch.setattr(feeds, "TIMEOUT", 0.2)


def test_import_by_address_reads_every_page(runner, url, oruk):
    result = run(runner, url, "import", oruk.url, "--area", "Westbrook")
    assert result.exit_code == 0, result.stderr
    assert f"Imported 5 services from {oruk.url} (ORUK API)" in result.output
    assert "Westbrook: 5 services: 5 added, 0 changed, 0 removed." in result.output
    assert [r.split("?")[1] for r in oruk.requests] == [f"page={n}&per_page=500" for n in (1, 2, 3)]
    assert sorted(s.id for s in read_services(make_engine(url))) == [f"wb-feed-{n}" for n in range(5)]


def test_busy_server_is_retried(runner, url, oruk):
    oruk.fail[2] = "503 2"
    result = run(runner, url, "import", oruk.url, "--area", "Westbrook")
    assert result.exit_code == 0, result.stderr
    assert len(oruk.requests) == 5  # page 2 asked three times
    assert dict(list_areas(make_engine(url))) == {"Westbrook": 5}


@pytest.mark.parametrize("problem, message", [
    ("500", "the feed could not be read: HTTP 500 Internal Server Error for {url}?page=2&per_page=500 (tried 4 times)"),
    ("404", "the feed could not be read: HTTP 404 Not Found for {url}?page=2&per_page=500"),
    ("slow", "the feed could not be read: no answer within 0.2 s for {url}?page=2&per_page=500 (tried 4 times)"),
    ("not json", "not valid JSON: Expecting value (column 1)"),
])
def test_a_failing_page_fails_the_whole_feed_and_changes_nothing(runner, url, oruk, problem, message):
    run(runner, url, "import", oruk.url, "--area", "Westbrook")
    before = snapshot(url)
    oruk.services.append(service(9))
    oruk.fail[2] = problem
    result = run(runner, url, "import", oruk.url, "--area", "Westbrook")
    assert result.exit_code == 1
    assert message.format(url=oruk.url) in result.stderr, result.stderr
    assert "nothing was imported" in result.stderr
    assert snapshot(url) == before


def test_a_bad_service_on_a_later_page_is_located(runner, url, oruk):
    oruk.services[3] = service(3, minimum_age="twelve")
    result = run(runner, url, "import", oruk.url, "--area", "Westbrook")
    assert result.exit_code == 1
    host = oruk.url.removeprefix("http://")
    assert f"{host}: page 2: contents[1]: minimum_age: must be a whole number of years, not 'twelve'" in result.stderr
    assert list_areas(make_engine(url)) == []


def test_not_an_address():
    with pytest.raises(feeds.FeedError, match="is not an http:// or https:// address"):
        feeds.fetch_items("ftp://example.org/services", feeds.Problems())


def test_feeds_file(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("feeds:\n  - url: https://directory.example.org/api/services\n    area: Westbrook\n"
                    "  - {url: https://other.example.org/services, every_hours: 6}\n")
    assert load_feeds(path) == [Feed("https://directory.example.org/api/services", "Westbrook", 24.0),
                                Feed("https://other.example.org/services", None, 6.0)]
    path.write_text("feeds:\n  - url: directory.example.org\n    every_hours: 0\n")
    with pytest.raises(feeds.DirectoryError) as caught:
        load_feeds(path)
    assert [str(p) for p in caught.value.problems] == [
        "feeds.yml: feeds[0]: url: must be an http:// or https:// address",
        "feeds.yml: feeds[0]: every_hours: must be a number of hours above 0"]


def test_refresh_imports_due_feeds_and_keeps_the_last_good_import_when_one_fails(url, oruk):
    engine = make_engine(url)
    feed = Feed(oruk.url, "Westbrook", every_hours=24)
    start = datetime(2026, 1, 1, 6, 0)
    [first] = refresh_feeds(engine, [feed], now=start)
    assert (first.status, first.report.services) == ("imported", 5)
    [later] = refresh_feeds(engine, [feed], now=start + timedelta(hours=2))
    assert later.status == "not due"
    oruk.fail[1] = "500"
    [failed] = refresh_feeds(engine, [feed], now=start + timedelta(hours=25))
    assert failed.status == "failed" and "HTTP 500" in failed.error
    assert dict(list_areas(engine)) == {"Westbrook": 5}  # the last good import stays
    [retried] = refresh_feeds(engine, [feed], now=start + timedelta(hours=26))
    assert retried.status == "failed"  # a failed feed is tried again at the next call, not a day later
    oruk.fail.clear()
    oruk.services.pop()
    [recovered] = refresh_feeds(engine, [feed], now=start + timedelta(hours=27))
    assert recovered.status == "imported"
    assert [(a.area, a.removed) for a in recovered.report.areas] == [("Westbrook", ["wb-feed-4"])]


def test_refresh_command(runner, url, oruk, tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text(f"feeds:\n  - url: {oruk.url}\n    area: Westbrook\n")
    result = run(runner, url, "refresh", "--feeds", path)
    assert result.exit_code == 0, result.stderr
    assert result.output == f"{oruk.url}: imported 5 services.\n"
    assert run(runner, url, "refresh", "--feeds", path).output == f"{oruk.url}: not due (every 24 h).\n"
    oruk.fail[1] = "404"
    failed = run(runner, url, "refresh", "--feeds", path, "--force")
    assert failed.exit_code == 1
    assert f"{oruk.url}: FAILED; the last good import stays." in failed.stderr
    assert dict(list_areas(make_engine(url))) == {"Westbrook": 5}


def test_the_example_feeds_file_loads():
    from tests.bot.directory.conftest import DIRECTORIES

    assert [f.area for f in load_feeds(DIRECTORIES / "feeds.example.yml")] == ["Exampleton"]
