"""What the directory counts for the LSCP's insight report: searches that found nothing, by area,
need and age band (``bot.insight.counters``; never the words of the message).

The key is "area|need|age band": the area as the directory names it; the need as service type
ids joined by "+", "described" for a need told in words no type names, or "any"; the age band
of the person asked about ("0-4", "5-11", "12-17", "18+") or "any".
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Union

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.insight.counters import count
from bot.insight.events import NOTHING_FOUND  # every kind is named there

log = logging.getLogger(__name__)

SEPARATOR = "|"
AGE_BANDS = ((0, 4, "0-4"), (5, 11, "5-11"), (12, 17, "12-17"))

Age = Union[int, tuple[int, int]]


def age_band(age: Age | None) -> str:
    """The band of an age (the lower end of a range): "0-4", "5-11", "12-17", "18+", or "any"."""
    if age is None:
        return "any"
    low = age if isinstance(age, int) else age[0]
    return next((label for start, end, label in AGE_BANDS if start <= low <= end), "18+")


def nothing_found_key(area: str, needs: tuple[str, ...], described: bool, age: Age | None) -> str:
    need = "+".join(needs) if needs else ("described" if described else "any")
    return SEPARATOR.join((area.replace(SEPARATOR, "/"), need, age_band(age)))


def count_nothing_found(engine: Engine, area: str, needs: tuple[str, ...], described: bool, age: Age | None,
                        day: date | None = None) -> None:
    """Count one search in ``area`` that found nothing; a counting failure never stops the reply."""
    try:
        count(engine, NOTHING_FOUND, nothing_found_key(area, needs, described, age), day)
    except SQLAlchemyError:
        log.exception("could not count a directory search that found nothing")
