"""Showing counts without pointing at people: counts of 1 to 4 are shown as "fewer than 5".

The one place that decides how a count is shown in a report (scenario group results, and the
LSCP's insight report), so every report suppresses small numbers the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALLEST_SHOWN = 5  # counts from 1 up to one less than this are not shown exactly
FEWER_THAN = f"fewer than {SMALLEST_SHOWN}"


@dataclass(frozen=True)
class Shown:
    """A count as a report may show it: the words, and the number a chart may draw (None: not exactly)."""

    text: str
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def shown(count: int) -> Shown:
    """0 and counts of 5 or more as they are; 1 to 4 as "fewer than 5", with no number to draw."""
    if count < 0:
        raise ValueError(f"a count is never negative: {count}")
    if 0 < count < SMALLEST_SHOWN:
        return Shown(FEWER_THAN, None)
    return Shown(str(count), count)


def show_count(count: int) -> str:
    """The words for a count: "0", "fewer than 5", "12"."""
    return shown(count).text
