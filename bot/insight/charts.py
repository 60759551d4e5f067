"""The insight report's charts as inline SVG, drawn with matplotlib (no files, no JavaScript).

A count shown as "fewer than 5" is never drawn at its height: a bar chart gives it a hatched
bar up to 5 labelled "fewer than 5"; a line chart puts the point in the shaded band below 5.
The text of every label stays text in the SVG (not paths), so it is searchable and prints sharply.
"""

from __future__ import annotations

import io
import re
import textwrap
from html import escape

from bot.insight.disclosure import FEWER_THAN, SMALLEST_SHOWN
from bot.insight.summary import Line, Section, short_period

BAR_COLOUR = "#1d5b79"
SUPPRESSED_COLOUR = "#9aa5ad"
LINE_COLOURS = ("#1d5b79", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00838f", "#5d4037", "#546e7a")
MOST_BARS = 12
MOST_LINES = 6
LABEL_WIDTH = 48  # characters a bar's label wraps at


def _pyplot():
    """matplotlib's pyplot on the file-only backend, with text kept as text in the SVG."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 10,
                                "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False})
    import matplotlib.pyplot as plt

    return plt


def _svg(figure, title: str, described_by: str) -> str:
    """The figure as an inline ``<svg>`` (no XML header, no metadata) that names itself for screen readers."""
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = described_by  # the same page each time, and ids unique on the page
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    _pyplot().close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{escape(title)}" aria-describedby="{described_by}" '
                 'preserveAspectRatio="xMinYMin meet" ', svg, count=1)
    return re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r'\1 class="chart"', svg, count=1)


def bar_chart(section: Section, lines: tuple[Line, ...] | None = None) -> str | None:
    """Horizontal bars, the largest at the top; None when there is nothing to draw."""
    lines = (lines if lines is not None else section.lines)[:MOST_BARS]
    if not lines:
        return None
    plt = _pyplot()
    height = 0.9 + 0.42 * len(lines)
    figure, axes = plt.subplots(figsize=(8.5, height))
    labels = [textwrap.fill(_bar_label(line), LABEL_WIDTH) for line in lines]
    positions = range(len(lines))[::-1]
    biggest = max((line.value or SMALLEST_SHOWN) for line in lines)
    for number, (y, line) in enumerate(zip(positions, lines, strict=True)):
        if line.value is None:
            axes.barh(y, SMALLEST_SHOWN, color="white", edgecolor=SUPPRESSED_COLOUR, hatch="///", height=0.6)
        else:
            axes.barh(y, line.value, color=BAR_COLOUR, height=0.6)
        axes.text((line.value or SMALLEST_SHOWN) + biggest * 0.01, y, line.text, va="center", gid=f"{section.id}-count-{number}")
    axes.set_yticks(list(positions), labels)
    axes.set_xlim(0, biggest * 1.25)
    axes.set_xlabel(section.columns[3])
    axes.xaxis.get_major_locator().set_params(integer=True)
    return _svg(figure, section.title, f"{section.id}-caption")


def _bar_label(line: Line) -> str:
    return f"{line.label} ({line.detail})" if line.detail and not line.extra else line.label


def time_chart(section: Section, periods: tuple[str, ...], topics: Section) -> str | None:
    """One line per topic (the most asked first) across the periods; None when there is nothing to draw."""
    chosen = [line.key for line in topics.lines[:MOST_LINES]]
    if not chosen:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8.5, 4.2))
    cells = {(line.key, line.period): line for line in section.lines}
    axes.axhspan(0, SMALLEST_SHOWN, color="#e4e9ec", zorder=0, label=f"{FEWER_THAN} (not drawn exactly)")
    for number, topic in enumerate(chosen):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        values = []
        for period in periods:
            cell = cells.get((topic, period))
            values.append(0 if cell is None else (cell.value if cell.value is not None else SMALLEST_SHOWN / 2))
        label = next(line.label for line in topics.lines if line.key == topic)
        axes.plot(range(len(periods)), values, marker="o", color=colour, label=textwrap.fill(label, 40))
    axes.set_xticks(range(len(periods)), [short_period(p) for p in periods], rotation=45 if len(periods) > 8 else 0,
                    ha="right" if len(periods) > 8 else "center")
    axes.set_xlabel("Week" if any(" to " in p for p in periods) else "Day")
    axes.set_ylabel(section.columns[3])
    axes.set_ylim(bottom=0)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _svg(figure, section.title, f"{section.id}-caption")
