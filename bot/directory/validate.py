"""Field checks shared by the directory importers: text decoding, CSV rows, ages, email, web and phone values.

Each check records a located problem and returns a cleaned value (or None), so a reader
can carry on and report every problem in one pass.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from urllib.parse import urlparse

from bot.directory.schema import Problems

MAX_AGE = 120
STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9()\s.\-]{3,}(?:\s*(?:ext\.?|extension|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")
_BREAK = re.compile(r"<\s*(?:br|/p|/li|/div)\s*/?>", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


_SIMPLE = re.compile(r"[^<&\]\x00-\x1f\x7f\u00a0]*")  # nothing to clean but the ends (the common case)
_WEB = re.compile(r"^https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][^\s<>\"]*)?$")


def plain_text(value: str) -> str:
    """Directory text as plain text: HTML tags and entities removed, markdown links spelled out, spaces tidied."""
    if _SIMPLE.fullmatch(value) and "  " not in value:
        return value.strip()
    if "<" in value or "&" in value:
        value = html.unescape(_BREAK.sub("\n", value))
        value = _TAG.sub("", value)
        value = _TAG.sub("", html.unescape(value))  # tags that were written as entities
    if "](" in value:
        value = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) else m.group(2), value)
    value = _CONTROL.sub("", value)
    lines = (_SPACES.sub(" ", line).strip() for line in value.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def decode(data: bytes, file: str, problems: Problems) -> str | None:
    """Bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        problems.error(file, "", "", "the file is empty")
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                message = f"not valid {encoding} text despite its byte-order mark"
                problems.error(file, _line_at(data, exc.start), "", message)
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as first:
        where = _line_at(data, first.start)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        problems.error(
            file, _line_at(data, exc.start), "",
            f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252 text; save the file as UTF-8",
        )
        return None
    problems.warn(file, where, "", "not UTF-8: read as Windows-1252 (save as UTF-8 to be sure accents are right)")
    return text


def _line_at(data: bytes, offset: int) -> str:
    newlines = data.count(b"\n", 0, offset)
    return f"line {newlines + 1}"


@dataclass(frozen=True)
class Table:
    """A CSV table: normalised header names and rows as dicts, each with its spreadsheet row number."""

    file: str
    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]


def header_key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").replace("_", " ").replace("-", " ").strip().lower().split())


def column_key(name: str) -> str:
    """An ORUK column name as written, without a stray BOM, spaces or capitals."""
    return name.replace("\ufeff", "").strip().lower()


def read_csv(text: str, file: str, problems: Problems, key=header_key) -> Table | None:
    """Parse CSV text; rows are numbered as a spreadsheet shows them (the header is row 1)."""
    # "\r\r\n" comes from converting CRLF twice (the ORUK examples have it): one row end, not a blank row.
    reader = csv.reader(io.StringIO(text.replace("\r\r\n", "\r\n"), newline=""))
    try:
        raw_header = next(reader, None)
        if not raw_header or not any(h.strip() for h in raw_header):
            problems.error(file, "row 1", "", "the file has no header row")
            return None
        header = tuple(key(h) for h in raw_header)
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                problems.error(file, "row 1", name, "this column appears twice in the header")
            seen.add(name)
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                problems.error(
                    file, f"row {number}", "", f"has {len(values)} values but the header has {len(header)} columns"
                )
                continue
            row = dict(zip(header, map(str.strip, values), strict=False))  # a short row leaves columns out
            row.pop("", None)
            rows.append((number, row))
    except csv.Error as exc:
        problems.error(file, f"line {reader.line_num}", "", f"not valid CSV: {exc}")
        return None
    return Table(file, header, rows)


class FieldChecks:
    """Value checks that record problems against one file."""

    def __init__(self, file: str, problems: Problems):
        self.file = file
        self.problems = problems

    def error(self, row: str, field: str, message: str) -> None:
        self.problems.error(self.file, row, field, message)

    def warn(self, row: str, field: str, message: str) -> None:
        self.problems.warn(self.file, row, field, message)

    def text(self, row: str, field: str, value, required: bool = False) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(row, field, "is required and must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(row, field, f"must be text, not {type(value).__name__}")
            return ""
        return plain_text(str(value))

    def identifier(self, row: str, field: str, value) -> str:
        if isinstance(value, (int,)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(row, field, "is required: every service needs an id")
            return ""
        return value.strip()

    def age(self, row: str, field: str, value) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or number != number or number != int(number):
            self.error(row, field, f"must be a whole number of years, not {value!r}")
            return None
        if number < 0:
            self.error(row, field, f"must not be negative ({int(number)})")
            return None
        if number > MAX_AGE:
            self.error(row, field, f"must be at most {MAX_AGE} ({int(number)})")
            return None
        return int(number)

    def age_range(self, row: str, fields: tuple[str, str], low, high) -> tuple[int | None, int | None]:
        low_age, high_age = self.age(row, fields[0], low), self.age(row, fields[1], high)
        if low_age is not None and high_age is not None and low_age > high_age:
            self.error(row, fields[0], f"is greater than {fields[1]} ({low_age} > {high_age})")
        return low_age, high_age

    def email(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value)
        if text and not _EMAIL.match(text.removeprefix("mailto:")):
            self.error(row, field, f"{text!r} is not an email address")
            return ""
        return text.removeprefix("mailto:")

    def website(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value)
        if not text or _WEB.match(text):
            return text
        candidate = text if "://" in text or ":" in text.split("/")[0] else f"https://{text}"
        parsed = urlparse(candidate)
        if parsed.scheme not in ("http", "https") or "." not in parsed.netloc or " " in candidate:
            self.error(row, field, f"{text!r} is not a web address (use http:// or https://)")
            return ""
        return candidate

    def phone(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value).strip("\"' ")
        if text and (not _PHONE.match(text) or sum(ch.isdigit() for ch in text) < 3):
            self.error(row, field, f"{text!r} is not a phone number")
            return ""
        return text

    def status(self, row: str, field: str, value) -> str:
        text = self.text(row, field, value).lower()
        if not text:
            self.warn(row, field, "is missing; the service is treated as active")
            return "active"
        if text not in STATUSES:
            self.error(row, field, f"{text!r} is not an ORUK status (one of {', '.join(sorted(STATUSES))})")
            return ""
        return text
