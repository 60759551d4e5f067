"""Field checks shared by the directory importers: ids, text, ages, dates, email, web and phone values.

Each check records a located problem and returns a cleaned value (or None), so a reader
can carry on and report every problem in one pass. Reading bytes and CSV is in ``textfile``.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlparse

from bot.directory.cleaning import MAX_AREA, has_invisible, normalise_area, plain_text
from bot.directory.schema import Problems
from bot.directory.textfile import Table, column_key, decode, header_key, read_csv

__all__ = ["MAX_AGE", "FieldChecks", "Table", "column_key", "decode", "header_key", "plain_text", "read_csv", "shown"]

MAX_AGE = 120
STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
MAX_ID = 200
# The longest text kept per field (characters); the default for other text fields is MAX_TEXT.
MAX_TEXT = 2000
LIMITS = {"name": 300, "organisation": 300, "description": 5000, "eligibility": 5000, "address": 500,
          "phone": 100, "email": 320}
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9()\s.\-]{3,}(?:\s*(?:ext\.?|extension|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
_WEB = re.compile(r"^https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][^\s<>\"]*)?$")
_BAD_ID = re.compile(r"[<>\"'`\\\s]")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def shown(value, limit: int = 40) -> str:
    """A value as a message quotes it: repr, cut short."""
    text = repr(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


_ALIASES = {"organization": "organisation", "eligibility_description": "eligibility", "number": "phone"}


@lru_cache(maxsize=1024)
def limit_for(field: str) -> int:
    """The longest text kept for a field, by its last name ("contacts[0].phones[0].number" is a phone)."""
    key = field.rsplit(".", 1)[-1].replace(" ", "_")
    return LIMITS.get(_ALIASES.get(key, key), MAX_TEXT)


class FieldChecks:
    """Value checks that record problems against one file."""

    def __init__(self, file: str, problems: Problems):
        self.file = file
        self.problems = problems

    def error(self, row: str, field: str, message: str) -> None:
        self.problems.error(self.file, row, field, message)

    def warn(self, row: str, field: str, message: str) -> None:
        self.problems.warn(self.file, row, field, message)

    def text(self, row: str, field: str, value, required: bool = False, limit: int | None = None) -> str:
        if type(value) is str and value and not required:  # the common case, checked first for speed
            text = plain_text(value)
            most = limit or limit_for(field)
            if len(text) <= most:
                return text
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(row, field, "is required and must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(row, field, f"must be text, not {_kind(value)}")
            return ""
        if isinstance(value, float) and not math.isfinite(value):
            self.error(row, field, f"must be text, not the number {value}")
            return ""
        text = plain_text(str(value))
        most = limit or limit_for(field)
        if len(text) > most:
            self.error(row, field, f"is {len(text):,} characters long; at most {most:,} are kept")
            return ""
        if required and not text:
            self.error(row, field, "is required and must not be empty (it holds only markup or invisible characters)")
        return text

    def identifier(self, row: str, field: str, value, required: bool = True) -> str:
        """An id: text (or a whole number), 1 to 200 characters, no spaces at the ends, quotes, markup or
        invisible characters (single spaces inside are allowed)."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(row, field, "is required: every service needs an id")
            return ""
        if not isinstance(value, str):
            self.error(row, field, f"must be text, not {_kind(value)}")
            return ""
        text = value.strip()
        if len(text) > MAX_ID:
            self.error(row, field, f"is {len(text):,} characters long; an id has at most {MAX_ID}")
        elif has_invisible(text) or _BAD_ID.search(text.replace(" ", "")) or "  " in text:
            self.error(row, field, f"{shown(text)} is not a usable id: use letters, digits and - _ . : / "
                                   "(no quotes, markup, line breaks or invisible characters)")
        else:
            return text
        return ""

    def area(self, row: str, field: str, value) -> str:
        """An area name: plain text on one line, NFC, invisible characters removed, at most 80 characters."""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(row, field, f"must be text, not {_kind(value)}")
            return ""
        name = normalise_area(str(value))
        if len(name) > MAX_AREA:
            self.error(row, field, f"{shown(name)} is {len(name)} characters long: not an area name (at most "
                                   f"{MAX_AREA}); give the place's name, or import with --area NAME")
            return ""
        return name

    def age(self, row: str, field: str, value) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and len(value) < 40:
            try:
                number = float(value.strip().replace("_", "x"))
            except ValueError:
                number = None
        if isinstance(number, float) and math.isinf(number):
            self.error(row, field, f"must not be negative ({number})" if number < 0 else f"must be at most {MAX_AGE} ({number})")
            return None
        if number is None or number != number or number != int(number):
            self.error(row, field, f"must be a whole number of years, not {shown(value)}")
            return None
        if number < 0:
            self.error(row, field, f"must not be negative ({_whole(number)})")
            return None
        if number > MAX_AGE:
            self.error(row, field, f"must be at most {MAX_AGE} ({_whole(number)})")
            return None
        return int(number)

    def age_range(self, row: str, fields: tuple[str, str], low, high) -> tuple[int | None, int | None]:
        low_age, high_age = self.age(row, fields[0], low), self.age(row, fields[1], high)
        if low_age is not None and high_age is not None and low_age > high_age:
            self.error(row, fields[0], f"is greater than {fields[1]} ({low_age} > {high_age})")
        return low_age, high_age

    def date(self, row: str, field: str, value) -> date | None:
        """A date as ORUK gives it (2023-03-15, or a date-time such as 2023-03-15T10:30:45Z) or as a
        UK spreadsheet does (15/03/2023); between 1990 and 2100."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            self.error(row, field, f"must be a date as text (YYYY-MM-DD), not {_kind(value)}")
            return None
        text = value.strip()
        found = _parse_date(text)
        if found is None:
            self.error(row, field, f"{shown(text)} is not a date (use YYYY-MM-DD)")
        elif not EARLIEST <= found <= LATEST:
            self.error(row, field, f"{shown(text)} is not a plausible date (1990 to 2100)")
            found = None
        return found

    def email(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value)
        if text and not _EMAIL.match(text.removeprefix("mailto:")):
            self.error(row, field, f"{shown(text)} is not an email address")
            return ""
        return text.removeprefix("mailto:")

    def website(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value)
        if not text or _WEB.match(text):
            return text
        candidate = text if "://" in text or ":" in text.split("/")[0] else f"https://{text}"
        parsed = urlparse(candidate)
        if parsed.scheme not in ("http", "https") or "." not in parsed.netloc or " " in candidate:
            self.error(row, field, f"{shown(text)} is not a web address (use http:// or https://)")
            return ""
        return candidate

    def phone(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value).strip("\"' ")
        if text and (not _PHONE.match(text) or sum(map(str.isdigit, text)) < 3):
            self.error(row, field, f"{shown(text)} is not a phone number")
            return ""
        return text

    def status(self, row: str, field: str, value, missing_warning: bool = True) -> str:
        text = self.text(row, field, value).lower()
        if not text:
            if missing_warning:
                self.warn(row, field, "is missing; the service is treated as active")
            return "active"
        if text not in STATUSES:
            self.error(row, field, f"{shown(text)} is not an ORUK status (one of {', '.join(sorted(STATUSES))})")
            return ""
        return text


def _parse_date(text: str) -> date | None:
    uk = _UK_DATE.match(text)
    try:
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
    except ValueError:
        return None


def _whole(number: float) -> str:
    return f"{int(number)}" if abs(number) < 1e15 else f"{number:.3g}"


def _kind(value) -> str:
    return {dict: "an object", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)
