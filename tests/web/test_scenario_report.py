"""A group's HTML report opened in headless Chromium: readable on its own, with its bar charts,
small counts shown as "fewer than 5", and nothing fetched from anywhere."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import expect

from bot.config import PROJECT_ROOT
from bot.nlp.pipeline import analyser_for
from bot.scenarios.groups import Groups
from bot.scenarios.loader import load_scenarios
from bot.scenarios.report import group_report
from tests.web.conftest import SCREENSHOTS, run_axe

pytestmark = pytest.mark.browser


class MemoryCounters:
    def __init__(self):
        self.rows = Counter()

    def count(self, kind, key, by=1):
        self.rows[(kind, key)] += by

    def totals(self, kind):
        return {key: n for (k, key), n in self.rows.items() if k == kind}


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, knowledge):
    library = load_scenarios(PROJECT_ROOT / "knowledge" / "scenarios", knowledge,
                             analyser_for(PROJECT_ROOT / "knowledge").nlp)
    groups = Groups(MemoryCounters())
    groups.open("WEB123", "both-called-police")
    for trainee in range(11):
        groups.record("WEB123", "both-called-police", "joined")
        groups.record("WEB123", "both-called-police", "the_calls", "answered")
        for point in ("look_for_control", "primary_perpetrator")[: 1 + (trainee < 8)]:
            groups.record("WEB123", "both-called-police", "the_calls", "point", point)
        if trainee < 3:
            groups.record("WEB123", "both-called-police", "the_calls", "point", "beyond_physical")
        groups.record("WEB123", "both-called-police", "the_course", "choice", "assess_first" if trainee < 9 else "agree")
    path = tmp_path_factory.mktemp("report") / "group-WEB123.html"
    path.write_text(group_report(library.get("both-called-police"), groups.results("WEB123")), encoding="utf-8")
    return path


def test_the_report_reads_on_its_own_with_charts_and_suppressed_small_counts(page, report_file):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(report_file.as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Group WEB123: Both parents call the police on each other")
    expect(page.locator('[data-count="joined"]')).to_have_text("11")
    calls = page.locator('section[data-step="the_calls"]')
    expect(calls.locator('tr[data-key="point:look_for_control"] td.count')).to_have_text("11")
    expect(calls.locator('tr[data-key="point:primary_perpetrator"] td.count')).to_have_text("8")
    expect(calls.locator('tr[data-key="point:beyond_physical"] td.count')).to_have_text("fewer than 5")
    expect(calls.locator('tr[data-key="point:not_equally_responsible"] td.count')).to_have_text("0")
    course = page.locator('section[data-step="the_course"]')
    expect(course.locator('tr[data-key="choice:assess_first"] td.count')).to_have_text("9")
    expect(course.locator('tr[data-key="choice:agree"] td.count')).to_have_text("fewer than 5")
    # One bar chart per step, drawn: the bar for 11 is wider than the bar for 8.
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(3)
    bars = calls.locator("svg rect[x]")
    widths = [bars.nth(i).bounding_box()["width"] for i in range(2)]
    assert widths[0] > widths[1] > 0
    # The small count is a hatched bar, labelled "fewer than 5", never its number.
    hatched = calls.locator('svg rect[fill^="url(#hatch"]')
    expect(hatched).to_have_count(1)
    expect(calls.locator("svg")).to_contain_text("fewer than 5")
    expect(page.locator("#most-missed li").first).to_contain_text("Not equally responsible: missed by 11 of 11.")
    assert fetched == [report_file.as_uri()]  # self-contained: nothing else was requested
    assert not page.watch.errors
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scenario-group-report.png"), full_page=True)
