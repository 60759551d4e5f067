"""The partnership's insight report: one self-contained HTML page (inline CSS and SVG charts, no
scripts, nothing fetched), readable offline and printable, and the same counts as CSV.

Each chart has a plain-language caption and the table of its numbers under it (the accessible
text of the chart). Every count goes through ``Line.text`` (``bot.insight.disclosure``), so a count
from 1 to 4 never appears as a number, in the charts, the tables, the totals or the CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from html import escape

from bot.insight.charts import bar_chart, time_chart
from bot.insight.disclosure import FEWER_THAN, SMALLEST_SHOWN
from bot.insight.summary import Insight, Section, short_period

TOTALLED = {"topics", "not-covered", "local-gaps", "not-useful"}  # tables whose lines are all there is
CSV_COLUMNS = ("section", "item", "detail", "source", "period", "count")
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem auto;max-width:62rem;
color:#1b1b1b;padding:0 1rem;line-height:1.45}
header{border-bottom:3px solid #1d5b79;margin-bottom:1.5rem}h1{font-size:1.7rem;margin:0 0 .3rem}
h2{font-size:1.3rem;margin-top:2.2rem;border-top:1px solid #ccc;padding-top:1rem}
.note{color:#3d3d3d;font-size:.95rem}.headline{display:flex;flex-wrap:wrap;gap:.8rem;padding:0;list-style:none}
.headline li{border:1px solid #c9d3da;border-radius:.4rem;padding:.6rem .9rem;min-width:11rem}
.headline strong{display:block;font-size:1.4rem}
figure{margin:1rem 0}svg.chart{width:100%;height:auto;max-width:100%}figcaption{font-size:.95rem;color:#3d3d3d}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
td.count,th.count{white-space:nowrap;font-variant-numeric:tabular-nums;text-align:right}
tfoot td{font-weight:600;border-top:2px solid #999}.wide{overflow-x:auto}
@media print{body{margin:0;max-width:none;font-size:10.5pt}header{border-bottom-width:2px}
section{break-inside:avoid-page}section.long{break-inside:auto}section+section{break-before:page}
table{page-break-inside:auto}tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def html_report(insight: Insight, title: str, generated: date | None = None) -> str:
    """The whole page."""
    parts = [_header(insight, title, generated or date.today())]
    if insight.empty:
        parts.append(f'<p id="empty" class="note"><strong>Nothing was counted between {_range(insight)}.</strong> '
                     "Either the assistant was not used in that time, or its counting was not switched on.</p>")
    else:
        parts.append(_headline(insight))
        charts = {"topics-over-time": time_chart(insight.topics_over_time, insight.periods, insight.topics)}
        for section in insight.sections:
            chart = charts[section.id] if section.id in charts else bar_chart(section)
            parts.append(_section(section, chart, insight.periods))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}: {_range(insight)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


def _range(insight: Insight) -> str:
    return f"{_day(insight.since)} and {_day(insight.until)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _header(insight: Insight, title: str, generated: date) -> str:
    return (f"<header>\n<h1>{escape(title)}</h1>\n"
            f'<p><strong>Questions asked between {_range(insight)}</strong> · report made on {_day(generated)}</p>\n'
            '<p class="note">These are counts of <strong>questions and uses, not of people</strong>: one practitioner '
            "asking three questions counts three times. Nothing anyone typed was kept: only which guidance was given, "
            "which kinds of question the sources could not answer, which local searches found nothing, and the "
            f"\"Was this useful?\" votes. To protect the people behind small numbers, any count from 1 to "
            f"{SMALLEST_SHOWN - 1} is shown as \"{FEWER_THAN}\", and totals add up only the numbers shown "
            "(\"at least\" when some were left out).</p>\n</header>")


def _headline(insight: Insight) -> str:
    items = (("topics", "questions answered with guidance"), ("not-covered", "questions the sources could not answer"),
             ("local-gaps", "local searches that found no service"), ("not-useful", "answers rated not useful"))
    sections = {s.id: s for s in insight.sections}
    cells = "".join(f'<li><strong data-total="{key}">{escape(sections[key].total())}</strong>{escape(words)}</li>'
                    for key, words in items)
    return f'<ul class="headline" aria-label="In short">{cells}</ul>'


def _section(section: Section, chart: str | None, periods: tuple[str, ...]) -> str:
    long = " long" if len(section.lines) > 20 else ""
    parts = [f'<section id="{section.id}" class="report{long}" aria-labelledby="{section.id}-title">',
             f'<h2 id="{section.id}-title">{escape(section.title)}</h2>']
    if not section.lines:
        parts.append('<p class="note">Nothing was counted for this in the range.</p></section>')
        return "\n".join(parts)
    if chart is not None:
        parts.append(f"<figure>{chart}<figcaption id=\"{section.id}-caption\">{escape(section.caption)} "
                     "The table below gives the numbers.</figcaption></figure>")
    parts.append(_by_period(section, periods) if any(line.period for line in section.lines) else _table(section))
    parts.append("</section>")
    return "\n".join(parts)


def _table(section: Section) -> str:
    label, detail, extra, count = section.columns
    period = any(line.period for line in section.lines)
    heads = [label] + ([detail] if detail else []) + ([extra] if extra else []) + (["Period"] if period else [])
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads) + f'<th scope="col" class="count">{escape(count)}</th>'
    rows = []
    for line in section.lines:
        cells = [line.label] + ([line.detail] if detail else []) + ([line.extra] if extra else []) + \
                ([line.period] if period else [])
        tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
        key = escape(f"{line.key}@{line.period}" if line.period else line.key)
        rows.append(f'<tr data-key="{key}">{tds}<td class="count">{escape(line.text)}</td></tr>')
    foot = ""
    if section.id in TOTALLED:
        foot = (f'<tfoot><tr><td colspan="{len(heads)}">Total of the numbers shown</td>'
                f'<td class="count" data-total="{section.id}">{escape(section.total())}</td></tr></tfoot>')
    return (f"<table><caption>{escape(section.title)}: the numbers</caption><thead><tr>{header}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody>{foot}</table>")


def _by_period(section: Section, periods: tuple[str, ...]) -> str:
    """A table of topics (rows) by period (columns): the numbers of the chart over time."""
    cells = {(line.key, line.period): line for line in section.lines}
    topics = {line.key: line.label for line in section.lines}
    header = f'<th scope="col">{escape(section.columns[0])}</th>' + "".join(
        f'<th scope="col" class="count" title="{escape(p)}">{escape(short_period(p))}</th>' for p in periods)
    rows = []
    for key, label in sorted(topics.items(), key=lambda item: item[1]):
        tds = "".join(f'<td class="count" data-period="{escape(p)}">{escape(cells[key, p].text if (key, p) in cells else "0")}'
                      "</td>" for p in periods)
        rows.append(f'<tr data-key="{escape(key)}"><th scope="row">{escape(label)}</th>{tds}</tr>')
    title = escape(section.title)
    return (f'<div class="wide" tabindex="0" role="region" aria-label="{title}: the numbers"><table>'
            f"<caption>{title}: {escape(section.columns[3].lower())} by period</caption>"
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def csv_report(insight: Insight) -> str:
    """The same counts as the page, one row per table line, with the same suppression and totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in insight.sections:
        for line in section.lines:
            writer.writerow((section.title, line.label, line.detail, line.extra, line.period, line.text))
        if section.id in TOTALLED and section.lines:
            writer.writerow((section.title, "Total of the numbers shown", "", "", "", section.total()))
    return out.getvalue()
