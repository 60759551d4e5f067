"""ORUK feeds by address: read every page of an ORUK API's ``/services``, and refresh configured feeds.

``read_feed`` asks for ``?page=N&per_page=M`` until ``total_pages``, with a timeout per request
and retries (with back-off) on network errors, 429 and 5xx; any page that still fails fails
the whole feed, so a feed is imported all or nothing. ``refresh_feeds`` imports the feeds that
are due (their last good import is older than ``every_hours``) and records each attempt; a
failure leaves the last good import in place and is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.importers import ReadResult, read_services_data
from bot.directory.models import FeedRow
from bot.directory.oruk import Progress
from bot.directory.oruk_json import parse_json, service_items
from bot.directory.schema import DirectoryError, ImportReport, Problem, Problems
from bot.directory.tables import ensure_schema
from bot.directory.textfile import MAX_FILE_BYTES, decode

PER_PAGE = 500
MAX_PAGES = 1000
TIMEOUT = 30.0  # seconds, per request
RETRIES = 3  # further tries after a failed request
BACKOFF = 1.0  # seconds before the first retry; doubled for each further one
DEFAULT_EVERY_HOURS = 24.0


@dataclass(frozen=True)
class Feed:
    """A configured ORUK feed: its ``/services`` address, the area for services that name none, how often."""

    url: str
    area: str | None = None
    every_hours: float = DEFAULT_EVERY_HOURS


@dataclass(frozen=True)
class FeedResult:
    """What one refresh of one feed did: imported (with its report), skipped as not due, or failed (why)."""

    feed: Feed
    status: str  # "imported", "not due" or "failed"
    report: ImportReport | None = None
    error: str = ""


class FeedError(Exception):
    """A feed that could not be read (network, HTTP status, not JSON, wrong shape); the message says which."""


def label(url: str) -> str:
    """The feed as problems name it: host and path, without the query."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def page_url(url: str, page: int, per_page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("page", "per_page")]
    return urlunsplit(parts._replace(query=urlencode([*query, ("page", page), ("per_page", per_page)])))


def _get(http: requests.Session, url: str, timeout: float, retries: int, backoff: float) -> bytes:
    """One page's bytes, retrying what may pass (network errors, 429, 5xx); raises FeedError otherwise."""
    for attempt in range(retries + 1):
        why = ""
        try:
            with http.get(url, timeout=timeout, stream=True, headers={"Accept": "application/json"}) as response:
                if response.status_code == 200:
                    return _body(response)
                why = f"HTTP {response.status_code} {response.reason or ''}".strip()
                if response.status_code != 429 and response.status_code < 500:
                    raise FeedError(f"{why} for {url}")
        except requests.Timeout:
            why = f"no answer within {timeout:g} s"
        except requests.ConnectionError as exc:
            why = f"cannot connect ({type(exc).__name__})"
        except requests.RequestException as exc:  # a broken transfer, too many redirects, ...
            why = f"the request failed ({type(exc).__name__})"
        if attempt < retries:
            time.sleep(backoff * 2 ** attempt)
    raise FeedError(f"{why} for {url} (tried {retries + 1} times)")


def _body(response: requests.Response) -> bytes:
    data = bytearray()
    for chunk in response.iter_content(1 << 16):
        data += chunk
        if len(data) > MAX_FILE_BYTES:
            raise FeedError(f"a page is larger than {MAX_FILE_BYTES / 1e6:,.0f} MB")
    return bytes(data)


def fetch_items(
    url: str, problems: Problems, timeout: float | None = None, retries: int | None = None,
    backoff: float | None = None, per_page: int | None = None, progress: Progress | None = None,
) -> list[tuple[str, object]]:
    """Every service object of every page, each with its place ("page 2: contents[4]"); raises FeedError.

    Unset settings take the module's TIMEOUT, RETRIES, BACKOFF and PER_PAGE.
    """
    timeout = TIMEOUT if timeout is None else timeout
    retries = RETRIES if retries is None else retries
    backoff = BACKOFF if backoff is None else backoff
    per_page = PER_PAGE if per_page is None else per_page
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise FeedError(f"{url!r} is not an http:// or https:// address")
    name, items, page, total = label(url), [], 1, 1
    with requests.Session() as http:
        while page <= total:
            where = f"{name} page {page}"
            text = decode(_get(http, page_url(url, page, per_page), timeout, retries, backoff), where, problems)
            data = parse_json(text, where, problems) if text is not None else None
            if data is None:
                raise FeedError(f"page {page} is not valid JSON")
            if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
                raise FeedError(f"page {page} is not an ORUK /services page (an object with a 'contents' list)")
            total = _total_pages(data, page)
            number = data.get("page_number")
            if isinstance(number, int) and not isinstance(number, bool) and number != page:
                raise FeedError(f"asked for page {page}, the feed sent page {number}: it does not support paging")
            items += [(f"page {page}: {path}", item) for path, item in service_items({"contents": data["contents"]},
                                                                                      name, problems)]
            if progress:
                progress("Reading pages", page, total)
            page += 1
    return items


def _total_pages(data: dict, page: int) -> int:
    total = data.get("total_pages", 1)
    if total is None:
        return page
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise FeedError(f"page {page}: total_pages must be a whole number, not {total!r}")
    if total > MAX_PAGES:
        raise FeedError(f"total_pages is {total}; at most {MAX_PAGES} pages are read (ask for more per_page)")
    return max(total, 1)


def read_feed(url: str, area: str | None = None, progress: Progress | None = None, **fetch) -> ReadResult:
    """Read and validate every page of a feed; raises DirectoryError (with the reason) when any part fails."""
    problems = Problems()
    try:
        items = fetch_items(url, problems, progress=progress, **fetch)
    except FeedError as exc:
        raise DirectoryError([*problems.errors, Problem(label(url), "", "", f"the feed could not be read: {exc}")],
                             problems.warnings) from None
    if problems.errors:
        raise DirectoryError(problems.errors, problems.warnings)
    return read_services_data(items, label(url), problems, area=area, progress=progress)


def load_feeds(path: Path) -> list[Feed]:
    """The feeds listed in a YAML file::

        feeds:
          - url: https://directory.example.gov.uk/api/services
            area: Exampleton        # for services that name no service area
            every_hours: 24         # default 24

    Raises DirectoryError naming each bad entry.
    """
    path = Path(path)
    problems = Problems()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DirectoryError([Problem(path.name, "", "", f"cannot be read: {exc}")]) from None
    entries = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise DirectoryError([Problem(path.name, "", "feeds", "must be a list of feeds (url, area, every_hours)")])
    feeds = []
    for index, entry in enumerate(entries):
        feed = _feed(entry, path.name, f"feeds[{index}]", problems)
        if feed:
            feeds.append(feed)
    if problems.errors:
        raise DirectoryError(problems.errors)
    return feeds


def _feed(entry, file: str, place: str, problems: Problems) -> Feed | None:
    if not isinstance(entry, dict):
        problems.error(file, place, "", "must be a mapping with url (and area, every_hours)")
        return None
    url, area, every = entry.get("url"), entry.get("area"), entry.get("every_hours", DEFAULT_EVERY_HOURS)
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        problems.error(file, place, "url", "must be an http:// or https:// address")
    if area is not None and not isinstance(area, str):
        problems.error(file, place, "area", "must be text")
    if isinstance(every, bool) or not isinstance(every, (int, float)) or not 0 < every <= 24 * 366:
        problems.error(file, place, "every_hours", "must be a number of hours above 0")
    if len(problems.errors):
        return None
    return Feed(url=url, area=area, every_hours=float(every))


def refresh_feeds(engine: Engine, feeds: list[Feed], now: datetime | None = None, force: bool = False,
                  **fetch) -> list[FeedResult]:
    """Import each feed that is due (or every feed with ``force``), each in its own transaction.

    A feed that fails is reported (and retried at the next call); its last good import stays.
    For ``bot run``'s timer and ``bot directory refresh``.
    """
    from bot.directory.store import import_result

    ensure_schema(engine)
    now = now or datetime.utcnow()
    results = []
    for feed in feeds:
        state = _state(engine, feed.url)
        if not force and state.last_success and now - state.last_success < timedelta(hours=feed.every_hours):
            results.append(FeedResult(feed, "not due"))
            continue
        try:
            report = import_result(engine, read_feed(feed.url, area=feed.area, **fetch), feed.url)
        except DirectoryError as exc:
            _record(engine, feed.url, now, str(exc))
            results.append(FeedResult(feed, "failed", error=str(exc)))
            continue
        _record(engine, feed.url, now, "")
        results.append(FeedResult(feed, "imported", report=report))
    return results


def _state(engine: Engine, url: str) -> FeedRow:
    with Session(engine, future=True) as session:
        return session.scalar(select(FeedRow).where(FeedRow.url == url)) or FeedRow(url=url)


def _record(engine: Engine, url: str, when: datetime, error: str) -> None:
    with Session(engine, future=True) as session, session.begin():
        row = session.scalar(select(FeedRow).where(FeedRow.url == url))
        if row is None:
            row = FeedRow(url=url)
            session.add(row)
        row.last_attempt, row.last_error = when, error[:4000]
        if not error:
            row.last_success = when
