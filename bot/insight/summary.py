"""The insight report's tables, read from the counters between two days: what each line counts,
its words, and how its count may be shown.

Every number the report (HTML or CSV) shows comes from a ``Line`` and goes through
``bot.insight.disclosure.shown``: 1 to 4 is "fewer than 5". A total is the sum of the numbers
its table shows, and says "at least" when some of its lines were fewer than 5, so nothing
suppressed can be worked out by subtracting. The topics' totals are the sums of the weekly
numbers the chart of topics over time shows, for the same reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from bot.insight import events
from bot.insight.counters import Count, counts
from bot.insight.disclosure import FEWER_THAN, shown
from bot.insight.labels import Labels

MOST_ASKED = 15
DAILY_UP_TO = 14  # a range of up to two weeks is shown by day, a longer one by week (starting on Monday)


@dataclass(frozen=True)
class Line:
    """One count in a table: what it counts (``key``, for the CSV and tests), its words, the period."""

    key: str
    label: str
    count: int
    detail: str = ""
    period: str = ""
    extra: str = ""  # a second column some tables have (the source citation)
    at_least: bool = False  # a sum of shown numbers that left some out (fewer than 5 each)

    @property
    def text(self) -> str:
        """The count in words: "12", "fewer than 5", "at least 12"."""
        if self.at_least:
            return f"at least {self.count}" if self.count else f"{FEWER_THAN} in each period"
        return shown(self.count).text

    @property
    def value(self) -> int | None:
        """The number a chart may draw (None: not exactly)."""
        if self.at_least:
            return self.count or None
        return shown(self.count).value


@dataclass(frozen=True)
class Section:
    """A table of the report, with its chart's caption."""

    id: str
    title: str
    caption: str
    columns: tuple[str, ...]  # label, detail, extra, count headings (empty: no such column)
    lines: tuple[Line, ...]

    def total(self) -> str:
        """The sum of the numbers shown: exact when nothing was left out, else "at least N"."""
        visible = sum(line.value or 0 for line in self.lines)
        if any(line.at_least or line.value is None for line in self.lines):
            return f"at least {visible}" if visible else f"{FEWER_THAN} in each"
        return str(visible)


@dataclass(frozen=True)
class Insight:
    """Every table of the report for one date range."""

    since: date
    until: date
    periods: tuple[str, ...]
    topics_over_time: Section
    topics: Section
    entries: Section
    not_covered: Section
    local_gaps: Section
    feedback: Section
    use: Section

    @property
    def sections(self) -> tuple[Section, ...]:
        return (self.topics_over_time, self.topics, self.entries, self.not_covered, self.local_gaps, self.feedback,
                self.use)

    @property
    def empty(self) -> bool:
        return not any(s.lines for s in self.sections)


def period_of(day: date, since: date, until: date) -> str:
    """The day itself for a short range ("2026-11-30"), else its week (Monday to Sunday) within the
    range ("2026-11-23 to 2026-11-29"; a week cut by the range starts or ends with it)."""
    if (until - since).days < DAILY_UP_TO:
        return day.isoformat()
    monday = day - timedelta(days=day.weekday())
    start, end = max(monday, since), min(monday + timedelta(days=6), until)
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def short_period(period: str) -> str:
    """A period for a column heading or an axis: "2 Nov", "2-8 Nov", "30 Nov-6 Dec"."""
    days = [date.fromisoformat(part) for part in period.split(" to ")]
    first, last = days[0], days[-1]
    if first == last:
        return f"{first.day} {first:%b}"
    if first.month == last.month:
        return f"{first.day}-{last.day} {last:%b}"
    return f"{first.day} {first:%b}-{last.day} {last:%b}"


def periods_between(since: date, until: date) -> tuple[str, ...]:
    days = (since + timedelta(days=n) for n in range((until - since).days + 1))
    return tuple(dict.fromkeys(period_of(d, since, until) for d in days))


def read_insight(engine: Engine, labels: Labels, since: date, until: date) -> Insight:
    """The report's tables from the counters between ``since`` and ``until`` (both included)."""
    rows = counts(engine, since=since, until=until)
    by_kind: dict[str, list[Count]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    weekly = _topics_over_time(by_kind[events.ANSWER], labels, since, until)
    return Insight(since, until, periods_between(since, until), weekly, _topic_totals(weekly),
                   _entries(by_kind[events.ANSWER], labels), _not_covered(by_kind[events.NOT_COVERED], labels),
                   _local_gaps(by_kind[events.NOTHING_FOUND], labels), _feedback(by_kind[events.ANSWER_FEEDBACK], labels),
                   _use(by_kind[events.REFLECTION], by_kind[events.SCENARIO], by_kind[events.SCENARIO_GROUP], labels))


def _totals(rows: list[Count], key) -> Counter:
    totals: Counter = Counter()
    for row in rows:
        totals[key(row)] += row.count
    return totals


def _ranked(totals: Counter, line, limit: int | None = None) -> tuple[Line, ...]:
    """Lines by count, highest first (then by key, so the order is stable)."""
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return tuple(line(key, n) for key, n in ordered[:limit])


def _topics_over_time(rows: list[Count], labels: Labels, since: date, until: date) -> Section:
    cells = _totals(rows, lambda r: (r.key.split(events.SEPARATOR)[0], period_of(r.day, since, until)))
    lines = tuple(Line(topic, labels.topic(topic), n, period=period)
                  for (topic, period), n in sorted(cells.items(), key=lambda item: (item[0][1], item[0][0])))
    return Section("topics-over-time", "Topics over time",
                   "How many questions were answered on each topic in each period. Each line is a topic; a higher "
                   "point means more questions that period. Points in the shaded band at the bottom were fewer than 5 "
                   "and are not drawn at their exact height. A week cut by the start or end of the range has fewer days.",
                   ("Topic", "", "", "Answers"), lines)


def _topic_totals(weekly: Section) -> Section:
    totals: Counter = Counter()
    suppressed, labels = set(), {}
    for line in weekly.lines:
        totals[line.key] += line.value or 0
        labels[line.key] = line.label
        if line.value is None:
            suppressed.add(line.key)
    lines = tuple(Line(topic, labels[topic], n, at_least=topic in suppressed)
                  for topic, n in sorted(totals.items(), key=lambda item: (-item[1], item[0])))
    return Section("topics", "Most asked topics",
                   "The topics practitioners asked about most over the whole range: the sum of the numbers in the "
                   "chart above (\"at least\" where some periods had fewer than 5).",
                   ("Topic", "", "", "Answers"), lines)


def _entries(rows: list[Count], labels: Labels) -> Section:
    totals = _totals(rows, lambda r: r.key.split(events.SEPARATOR)[1])

    def line(entry_id: str, n: int) -> Line:
        entry = labels.entry(entry_id)
        return Line(entry_id, entry.title, n, detail=labels.topic(entry.topic), extra=entry.citation)

    return Section("entries", "Most asked guidance",
                   f"The {MOST_ASKED} pieces of guidance given most often as an answer (or chosen from a button), with "
                   "the source each one cites. A longer bar means the guidance was given more often.",
                   ("Guidance", "Topic", "Source", "Answers"), _ranked(totals, line, MOST_ASKED))


def _not_covered(rows: list[Count], labels: Labels) -> Section:
    totals = _totals(rows, lambda r: events.SEPARATOR.join(r.key.split(events.SEPARATOR)[:2]))

    def line(key: str, n: int) -> Line:
        how, what = key.split(events.SEPARATOR)
        return Line(key, labels.not_covered(how, what), n)

    return Section("not-covered", "What the sources could not answer",
                   "Questions the assistant said honestly it could not answer, by the kind of thing asked for (never "
                   "the words typed). A long bar points to guidance a partnership may want to add locally.",
                   ("What was asked for", "", "", "Questions"), _ranked(totals, line))


def _local_gaps(rows: list[Count], labels: Labels) -> Section:
    totals = _totals(rows, lambda r: r.key)

    def line(key: str, n: int) -> Line:
        area, need, band = (key.split(events.SEPARATOR) + ["", "", ""])[:3]
        return Line(key, f"{area}: {labels.need(need)}", n, detail=labels.age_band(band))

    return Section("local-gaps", "Local needs that found no service",
                   "Searches of the local directory that found no service, by area, the kind of service needed and "
                   "the age of the child or young person asked about. Each bar is a gap a commissioner may look at.",
                   ("Area and need", "Age", "", "Searches"), _ranked(totals, line))


def _feedback(rows: list[Count], labels: Labels) -> Section:
    totals = _totals(rows, lambda r: r.key)
    votes = Counter({key.removesuffix("|no"): n for key, n in totals.items() if key.endswith("|no")})

    def line(entry_id: str, n: int) -> Line:
        entry = labels.entry(entry_id)
        return Line(f"{entry_id}|no", entry.title, n, detail=labels.topic(entry.topic), extra=entry.citation)

    return Section("not-useful", "Answers rated not useful",
                   "How often practitioners pressed \"No\" under \"Was this useful?\" for each piece of guidance. "
                   "Guidance rated not useful often is worth reviewing with the people who use it.",
                   ("Guidance", "Topic", "Source", "\"Not useful\" votes"), _ranked(votes, line))


def _use(reflection: list[Count], scenario: list[Count], groups: list[Count], labels: Labels) -> Section:
    lines = [Line(f"reflection|{event}", "Guided reflection (conflict or abuse?)", n, detail=event)
             for event, n in _ordered(_totals(reflection, lambda r: r.key), events.REFLECTION_EVENTS)]
    per_scenario = _totals(scenario, lambda r: r.key)
    order = {event: number for number, event in enumerate(events.SCENARIO_EVENTS)}
    for key, n in sorted(per_scenario.items(), key=lambda item: (item[0].split(events.SEPARATOR)[0],
                                                                 order.get(item[0].split(events.SEPARATOR)[-1], 9))):
        scenario_id, event = key.split(events.SEPARATOR)
        lines.append(Line(key, f"Scenario: {labels.scenario(scenario_id)}", n, detail=event))
    # A group session's key is "<code>/<scenario id>": only the scenario is shown, never the code.
    for scenario_id, n in sorted(_totals(groups, lambda r: r.key.split("/", 1)[-1]).items()):
        lines.append(Line(f"group|{scenario_id}", f"Scenario: {labels.scenario(scenario_id)}", n,
                          detail="group sessions opened"))
    return Section("use", "Reflection and training scenarios",
                   "How often the guided reflection was offered, started, finished or stopped, and how often each "
                   "training scenario was started, finished or left, and how many group sessions trainers opened with it "
                   "(each group's own results: bot scenarios report CODE).",
                   ("Tool", "What happened", "", "Times"), tuple(lines))


def _ordered(totals: Counter, order: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(event, totals[event]) for event in order if event in totals]
