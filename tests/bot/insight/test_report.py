"""``bot insight report``: the page and the CSV from the counters, titles not ids, small counts never
shown as numbers (nor recoverable from a total), nothing external, and clear CLI errors."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from click.testing import CliRunner

from bot.cli.insight import insight
from bot.insight import events
from bot.insight.counters import count
from bot.insight.labels import load_labels
from bot.insight.report import csv_report, html_report
from bot.insight.summary import read_insight
from bot.knowledge.store import make_engine, save_knowledge

MON, TUE, LATER = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 20)
# A count of 3 for "DASH: what it is for" and 7 for "What is MARAC?"; 2 and 9 "not covered" by kind.
COUNTS = [
    (MON, events.ANSWER, "marac|marac-what-is", 7),
    (TUE, events.ANSWER, "dash|dash-checklist", 3),
    (MON, events.NOT_COVERED, "gap|timescales|marac", 9),
    (TUE, events.NOT_COVERED, "known|dash-scoring|-", 2),
    (MON, events.NOTHING_FOUND, "North Demoshire|idva|12-17", 6),
    (MON, events.ANSWER_FEEDBACK, "dash-checklist|no", 1),
    (TUE, events.REFLECTION, "started", 5),
    (TUE, events.SCENARIO_GROUP, "ABC123/seemed-well", 1),
    (LATER, events.ANSWER, "marac|marac-what-is", 11),
]


@pytest.fixture(scope="module")
def database(tmp_path_factory, knowledge):
    path = tmp_path_factory.mktemp("insight") / "knowledge.db"
    engine = make_engine(f"sqlite:///{path}")
    save_knowledge(engine, knowledge)
    for day, kind, key, n in COUNTS:
        count(engine, kind, key, day, by=n)
    return path


@pytest.fixture(scope="module")
def found(database, settings):
    engine = make_engine(f"sqlite:///{database}")
    return read_insight(engine, load_labels(engine, settings.knowledge_dir), MON, TUE)


@pytest.fixture(scope="module")
def page(found) -> str:
    return html_report(found, "Insight report: Demoshire", date(2026, 12, 1))


def row(page: str, key: str) -> str:
    match = re.search(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', page)
    assert match, f"no row for {key}"
    return match.group(1)


def test_the_page_names_guidance_by_title_with_its_source(page):
    marac = row(page, "marac-what-is")
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", marac)
    assert cells[:2] == ["What a MARAC is", "MARAC and the child"]  # titles, not ids
    assert re.match(r"(Panel Briefing 2|JTAI|WomenCentre|IoW SCP)\b.*\(20\d\d\)", cells[2]), cells[2]
    assert cells[3] == "7"
    assert "Timescales or deadlines (the sources give none)" in page


def test_a_count_of_1_to_4_is_never_a_number_in_table_chart_or_total(page):
    assert '<td class="count">fewer than 5</td>' in row(page, "dash-checklist")
    assert '<td class="count">fewer than 5</td>' in row(page, "known|dash-scoring")
    assert '<td class="count">fewer than 5</td>' in row(page, "dash-checklist|no")
    # The not-covered total is 9 + 2 = 11: only "at least 9" is shown, so 2 cannot be worked out.
    assert re.search(r'data-total="not-covered">at least 9<', page)
    assert "11" not in re.findall(r'data-total="not-covered">([^<]*)<', page)[0]
    charts = " ".join(re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL))
    labels = re.findall(r'<g id="[a-z-]+-count-\d+">\s*<text[^>]*>([^<]*)</text>', charts)
    assert {"7", "9", "fewer than 5"} <= set(labels), "the bars are labelled with their counts"
    assert not set(labels) & {"1", "2", "3", "4"}


def test_reflection_scenarios_and_group_sessions_are_counted_without_the_group_code(page):
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row(page, "reflection|started")) == [
        "Guided reflection (conflict or abuse?)", "started", "5"]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row(page, "group|seemed-well"))[1:] == ["group sessions opened", "fewer than 5"]
    assert "ABC123" not in page


def test_the_csv_has_the_same_counts_and_the_same_suppression(found, page):
    table = list(csv.DictReader(io.StringIO(csv_report(found))))
    by_item = {(r["section"], r["item"]): r["count"] for r in table}
    assert by_item[("What the sources could not answer", "Timescales or deadlines (the sources give none)")] == "9"
    assert by_item[("What the sources could not answer", "Total of the numbers shown")] == "at least 9"
    counts_shown = {r["count"] for r in table}
    assert not counts_shown & {"1", "2", "3", "4"}, "a small count appears as a number in the CSV"
    assert "fewer than 5" in counts_shown


def test_the_page_is_self_contained(page):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "@media print" in page
    assert "counts of <strong>questions and uses, not of people</strong>" in page
    assert "Questions asked between 2 November 2026 and 3 November 2026" in page


def test_an_empty_range_says_so(database, settings):
    engine = make_engine(f"sqlite:///{database}")
    empty = read_insight(engine, load_labels(engine, settings.knowledge_dir), date(2025, 1, 1), date(2025, 1, 31))
    assert empty.empty
    assert "Nothing was counted between 1 January 2025 and 31 January 2025" in html_report(empty, "Insight report")


def run(database, *args):
    env = {"DASG_DATABASE_URL": f"sqlite:///{database}"}
    return CliRunner(mix_stderr=False).invoke(insight, ["report", *args], env=env)


def test_the_cli_writes_the_page_and_the_csv(database, tmp_path):
    out, table = tmp_path / "report.html", tmp_path / "counts.csv"
    result = run(database, "--from", "2026-11-02", "--to", "2026-11-03", "-o", str(out), "--csv", str(table),
                 "--title", "Demoshire LSCP")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"Wrote the insight report for 2026-11-02 to 2026-11-03 to {out} and {table}"
    assert "<h1>Demoshire LSCP</h1>" in out.read_text(encoding="utf-8")
    assert table.read_text(encoding="utf-8").startswith("section,item,detail,source,period,count\n")


def test_the_cli_writes_csv_when_the_output_ends_in_csv(database, tmp_path):
    out = tmp_path / "report.csv"
    result = run(database, "--from", "2026-11-02", "--to", "2026-11-03", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("section,item,")


def test_the_cli_refuses_a_bad_date(database, tmp_path):
    result = run(database, "--from", "2026-13-01", "--to", "2026-11-03", "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert "Invalid value for '--from': '2026-13-01' is not a date: write it as YYYY-MM-DD" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_cli_refuses_from_after_to(database, tmp_path):
    result = run(database, "--from", "2026-11-05", "--to", "2026-11-03", "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert "--from (2026-11-05) is after --to (2026-11-03): give the earlier day first." in result.stderr


def test_the_cli_says_clearly_when_nothing_was_counted(database, tmp_path):
    out = tmp_path / "r.html"
    result = run(database, "--from", "2025-01-01", "--to", "2025-01-31", "-o", str(out))
    assert result.exit_code == 0
    assert "Nothing was counted between 2025-01-01 and 2025-01-31" in result.stderr
    assert 'id="empty"' in out.read_text(encoding="utf-8")
