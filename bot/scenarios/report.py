"""A group's results as one self-contained HTML page (inline styles and SVG, no external assets).

Per step: how many trainees answered and covered each key point, which option each choice got,
with a bar chart; and the points most often missed. Every count goes through
``bot.insight.disclosure.shown``: counts of 1 to 4 read "fewer than 5" and are drawn as a hatched
bar up to that size, never as the exact number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from bot.insight.disclosure import SMALLEST_SHOWN, shown
from bot.scenarios.groups import GroupResults
from bot.scenarios.schema import Scenario, Step

MOST_MISSED = 5
BAR_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 360, 28, 330
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b;
padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-top:1px solid #ccc;padding-top:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid #ddd;vertical-align:top}td.count{white-space:nowrap;font-variant-numeric:tabular-nums}
.note{color:#444;font-size:.95rem}.best{font-weight:600}svg text{font-size:13px;fill:#1b1b1b}
"""


@dataclass(frozen=True)
class Row:
    """One bar: what it counts, the count, and out of how many."""

    label: str
    count: int
    of: int
    best: bool = False


def group_report(scenario: Scenario, results: GroupResults, today: date | None = None) -> str:
    """The HTML page for one group's results in ``scenario``."""
    joined, finished = results.get("joined"), results.get("finished")
    parts = [
        f"<h1>Group {escape(results.code)}: {escape(scenario.title)}</h1>",
        f'<p class="note">Report of {(today or date.today()).isoformat()}. Trainees who joined: '
        f'<strong data-count="joined">{shown(joined).text}</strong>; finished the scenario: '
        f'<strong data-count="finished">{shown(finished).text}</strong>.</p>',
        '<p class="note">Only key point ids, option ids and counts were kept: no answers and nobody\'s identity. '
        f"Counts from 1 to {SMALLEST_SHOWN - 1} are shown as \"fewer than {SMALLEST_SHOWN}\".</p>",
        _most_missed(scenario, results),
    ]
    for number, step in enumerate(scenario.steps, start=1):
        parts.append(_step(number, step, results))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Group {escape(results.code)}: {escape(scenario.title)}</title>\n<style>{STYLE}</style>\n"
            f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _most_missed(scenario: Scenario, results: GroupResults) -> str:
    missed = []
    for step in scenario.steps:
        answered = results.get(step.id, "answered")
        for kp in step.key_points:
            gap = answered - results.get(step.id, "point", kp.id)
            if gap > 0:
                missed.append((gap, answered, kp.id, _label(kp.id), _first_sentence(kp.missing)))
    if not missed:
        return "<h2>Points most often missed</h2>\n<p>No key point was missed by the trainees who answered.</p>"
    missed.sort(key=lambda m: (-m[0], m[2]))
    items = "".join(f'<li data-point="{escape(kid)}"><strong>{escape(label)}</strong>: missed by '
                    f"{shown(gap).text} of {shown(of).text}. {escape(why)}</li>"
                    for gap, of, kid, label, why in missed[:MOST_MISSED])
    return f'<h2>Points most often missed</h2>\n<ol id="most-missed">{items}</ol>'


def _step(number: int, step: Step, results: GroupResults) -> str:
    head = f'<section data-step="{escape(step.id)}">\n<h2>Step {number}: {escape(step.question)}</h2>'
    if step.is_choice:
        rows = [Row(c.label, results.get(step.id, "choice", c.id), 0, c.best) for c in step.choices]
        total = sum(r.count for r in rows)
        rows = [Row(r.label, r.count, total, r.best) for r in rows]
        intro = f"<p>Trainees who chose at this step: {shown(total).text}. The option the sources support is in bold.</p>"
        keys = [f"choice:{c.id}" for c in step.choices]
    else:
        answered = results.get(step.id, "answered")
        rows = [Row(_label(kp.id), results.get(step.id, "point", kp.id), answered) for kp in step.key_points]
        intro = f"<p>Trainees who answered: {shown(answered).text}. How many covered each key point:</p>"
        keys = [f"point:{kp.id}" for kp in step.key_points]
    table = "".join(f'<tr data-key="{key}"><td class="{"best" if row.best else ""}">{escape(row.label)}</td>'
                    f'<td class="count">{shown(row.count).text}</td></tr>' for key, row in zip(keys, rows, strict=True))
    what = "Option" if step.is_choice else "Key point"
    return (f"{head}\n{intro}\n<table><thead><tr><th>{what}</th><th>Trainees</th></tr></thead>"
            f"<tbody>{table}</tbody></table>\n{_chart(step, rows)}\n</section>")


def _chart(step: Step, rows: list[Row]) -> str:
    """A horizontal bar per row; a count of 1-4 is a hatched bar up to "fewer than 5", labelled so."""
    height = ROW_HEIGHT * len(rows) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 110
    scale = max([r.of for r in rows] + [SMALLEST_SHOWN])
    pattern = f"hatch-{escape(step.id)}"
    bars = []
    for i, row in enumerate(rows):
        y = 4 + i * ROW_HEIGHT
        count = shown(row.count)
        size = (count.value if count.value is not None else SMALLEST_SHOWN - 1) / scale * BAR_WIDTH
        fill = f"url(#{pattern})" if count.suppressed else "#1d70b8"
        label = row.label if len(row.label) <= 48 else row.label[:46] + "…"
        bars.append(f'<text x="0" y="{y + 17}">{escape(label)}</text>'
                    f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{size:.1f}" height="{ROW_HEIGHT - 10}" fill="{fill}"/>'
                    f'<text x="{LABEL_WIDTH + size + 6:.1f}" y="{y + 17}">{count.text}</text>')
    title = "Options chosen" if step.is_choice else "Key points covered"
    return (f'<svg role="img" aria-label="{title}: bar chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
            f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="3" height="6" fill="#8eb8dc"/></pattern></defs>'
            f'{"".join(bars)}</svg>')


def _label(point_id: str) -> str:
    """A key point id as words: "speak_with_children" -> "Speak with children"."""
    words = point_id.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _first_sentence(text: str) -> str:
    head, _, _ = text.partition(". ")
    return head if head.endswith(".") else head + "."
