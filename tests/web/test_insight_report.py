"""The partnership's insight report opened in headless Chromium: it renders on its own with its
charts, fetches nothing, shows small counts as "fewer than 5", passes axe, and prints a section a page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from bot.insight import events
from bot.insight.counters import count
from bot.insight.labels import load_labels
from bot.insight.report import html_report
from bot.insight.summary import read_insight
from bot.knowledge.store import make_engine, save_knowledge
from tests.web.conftest import SCREENSHOTS, run_axe

pytestmark = pytest.mark.browser

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 29)
COUNTS = [
    (date(2026, 11, 3), events.ANSWER, "marac|marac-what-is", 12),
    (date(2026, 11, 10), events.ANSWER, "marac|marac-what-is", 8),
    (date(2026, 11, 17), events.ANSWER, "dash|dash-checklist", 3),
    (date(2026, 11, 4), events.NOT_COVERED, "gap|timescales|marac", 6),
    (date(2026, 11, 5), events.NOT_COVERED, "known|dash-scoring|-", 2),
    (date(2026, 11, 6), events.NOTHING_FOUND, "North Demoshire|idva|12-17", 7),
    (date(2026, 11, 6), events.ANSWER_FEEDBACK, "dash-checklist|no", 5),
    (date(2026, 11, 7), events.REFLECTION, "started", 9),
    (date(2026, 11, 8), events.SCENARIO, "seemed-well|started", 4),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, knowledge, settings):
    folder = tmp_path_factory.mktemp("insight-report")
    engine = make_engine(f"sqlite:///{folder / 'knowledge.db'}")
    save_knowledge(engine, knowledge)
    for day, kind, key, n in COUNTS:
        count(engine, kind, key, day, by=n)
    found = read_insight(engine, load_labels(engine, settings.knowledge_dir), SINCE, UNTIL)
    path = folder / "insight.html"
    path.write_text(html_report(found, "Insight report: Demoshire LSCP", date(2026, 12, 1)), encoding="utf-8")
    return path


def test_the_report_renders_on_its_own_with_charts_and_suppressed_small_counts(page, report_file):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(report_file.as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("Insight report: Demoshire LSCP")
    expect(page.locator("header")).to_contain_text("Questions asked between 2 November 2026 and 29 November 2026")
    expect(page.locator("header")).to_contain_text("not of people")
    # A chart for every table with something in it, each a named image described by its caption.
    charts = page.get_by_role("img")
    expect(charts).to_have_count(7)
    expect(page.locator('svg[aria-label="What the sources could not answer"]')).to_be_visible()
    assert page.locator("#entries svg").bounding_box()["width"] > 400
    entries = page.locator("#entries")
    expect(entries.locator('tr[data-key="marac-what-is"] td.count')).to_have_text("20")
    expect(entries.locator('tr[data-key="dash-checklist"] td.count')).to_have_text("fewer than 5")
    expect(entries.locator("svg")).to_contain_text("fewer than 5")
    expect(page.locator('[data-total="not-covered"]').first).to_have_text("at least 6")
    expect(page.locator('#use tr[data-key="seemed-well|started"] td.count')).to_have_text("fewer than 5")
    expect(page.locator('#topics-over-time tr[data-key="marac"] td[data-period="2026-11-16 to 2026-11-22"]')).to_have_text("0")
    assert fetched == [report_file.as_uri()], "the page fetched something besides itself"
    assert not page.watch.errors
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "insight-report.png"), full_page=True)


def test_the_report_prints_a_section_a_page(page, report_file):
    page.goto(report_file.as_uri())
    page.emulate_media(media="print")
    breaks = page.eval_on_selector_all("section.report", "sections => sections.map(s => getComputedStyle(s).breakBefore)")
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    pdf = page.pdf(format="A4")
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) >= len(breaks), "each section starts a page of its own"
