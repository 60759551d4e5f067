"""Reading directory files as text: size limit, encodings (UTF-8, UTF-16/32 with a BOM, Windows-1252),
files that are not text at all, and CSV tables, refusing rows that a stray quote has merged.

Every refusal is a located problem ("file: line 3: ..."), never an exception.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from bot.directory.schema import Problems

MAX_FILE_BYTES = 200_000_000  # a 100,000-service ORUK export is about 60 MB
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an Excel .xls workbook (or another Office file)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def read_file(path: Path, problems: Problems) -> bytes | None:
    """The file's bytes, or None after reporting that it is too large or unreadable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.error(path.name, "", "", f"the file is {_size(size)}; at most {_size(MAX_FILE_BYTES)} is read: "
                                              "split it (for example by area) and import each part")
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.error(path.name, "", "", f"cannot be read: {exc.strerror or exc}")
        return None


def _size(count: int) -> str:
    return f"{count / 1e6:,.1f} MB" if count >= 1e6 else f"{count:,} bytes"


def decode(data: bytes, file: str, problems: Problems) -> str | None:
    """Bytes as text: UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252 with a warning."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        problems.error(file, "", "", "the file is empty")
        return None
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            problems.error(file, "", "", f"is {kind}, not a CSV or JSON text file: save it as 'CSV UTF-8' or JSON")
            return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _no_nul(data[len(bom):].decode(encoding), file, problems)
            except UnicodeDecodeError as exc:
                message = f"not valid {encoding} text despite its byte-order mark"
                problems.error(file, _line_at(data, exc.start), "", message)
                return None
    if b"\x00" in data:
        return _nul_bytes(data, file, problems)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as first:
        where = _line_at(data, first.start)
    mixed = _utf8_line(data)
    if mixed:
        problems.error(file, where, "", f"mixes encodings: this line is not UTF-8 but {mixed} is; save the whole "
                                        "file as UTF-8")
        return None
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


def _nul_bytes(data: bytes, file: str, problems: Problems) -> None:
    head = data[:4000]
    if head.count(b"\x00") * 3 > len(head):
        problems.error(file, "", "", "looks like UTF-16 (or UTF-32) text without a byte-order mark: save the file as UTF-8")
    else:
        problems.error(file, _line_at(data, data.index(b"\x00")), "",
                       "contains a NUL byte (character 0): not a text file, or a damaged one")
    return None


def _no_nul(text: str, file: str, problems: Problems) -> str | None:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.error(file, f"line {line}", "", "contains a NUL character (character 0): not a text file, or a damaged one")
        return None
    return text


def _utf8_line(data: bytes) -> str:
    """The first line that is UTF-8 with accented letters, when the file also has lines that are not UTF-8."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if _UTF8_MULTIBYTE.search(line):
            try:
                line.decode("utf-8")
                return f"line {number}"
            except UnicodeDecodeError:
                pass
    return ""


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
        if not _header_ok(header, file, problems):
            return None
        rows, line = [], reader.line_num
        for number, values in enumerate(reader, start=2):
            first, line = line + 1, reader.line_num
            if not "".join(values).strip():
                continue
            # only a record read over several lines can be rows merged by a stray quote
            if line > first and _merged(values, header, f"row {number}", (first, line), file, problems):
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
        message = str(exc)
        if "field larger than field limit" in message:
            message = (f"a value is longer than {csv.field_size_limit():,} characters (a stray double quote can run "
                       "a value on to the end of the file)")
        problems.error(file, f"line {reader.line_num}", "", f"not valid CSV: {message}")
        return None
    return Table(file, header, rows)


def _header_ok(header: tuple[str, ...], file: str, problems: Problems) -> bool:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.error(file, "row 1", name, "this column appears twice in the header")
        if "\n" in name or len(name) > 100:
            problems.error(file, "row 1", "", f"{name[:30]!r}... is not a column name: a stray double quote in the "
                                              "header row?")
            return False
        seen.add(name)
    return True


def _merged(values: list[str], header: tuple[str, ...], row: str, lines: tuple[int, int], file: str,
            problems: Problems) -> bool:
    """Whether a quoted value runs on over lines that look like rows of their own (a stray quote merged them)."""
    enough = max(2, len(header) - 2)  # nearly a whole row: a list of days with commas is not one
    for index, value in enumerate(values):
        if "\n" not in value:
            continue
        rest = value.replace("\r", "").split("\n")[1:]
        if any(len(next(csv.reader([text]), [])) >= enough for text in rest):
            column = header[index] if index < len(header) else f"column {index + 1}"
            problems.error(
                file, row, column,
                f"a double quote opens a value that runs on from line {lines[0]} to line {lines[1]}, over lines that "
                "look like rows of their own: a stray \" has merged rows; remove it or close it",
            )
            return True
    return False
