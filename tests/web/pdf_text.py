"""The text of a PDF that Chromium printed, for tests that check what a printout says.

Chromium (Skia) writes each font as a Type0 font with Identity-H encoding and a ToUnicode CMap,
and its text as hex strings in ``Tj`` / ``TJ``. This reads exactly that much of the format: no
PDF library is needed for it.
"""

from __future__ import annotations

import re
import zlib

_HEADER = re.compile(rb"(\d+) 0 obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(\s+0\s+R)?")
_STREAM = re.compile(rb"stream\r?\n(.*)", re.S)
_REF = rb"(\d+) 0 R"
_TOKENS = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\[|\]|(-?[\d.]+)|(T\*|Td|TD|Tm|BT|ET|Tj|TJ|')")


def _objects(data: bytes) -> dict[int, bytes]:
    """Each object's bytes. A stream is cut at its /Length, not at the first "endobj" or "endstream":
    compressed bytes can hold those words by chance (a page's text then came out truncated)."""
    found: dict[int, bytes] = {}
    lengths: dict[int, int] = {}  # streams whose /Length is another object: cut once that is read
    position = 0
    while match := _HEADER.search(data, position):
        number, start = int(match.group(1)), match.end()
        end = data.find(b"endobj", start)
        opens = data.find(b"stream", start)
        stream = re.compile(rb"stream\r?\n").match(data, opens) if 0 <= opens < max(end, 0) else None
        length = _LENGTH.search(data, start, opens) if stream else None
        if stream and length and not length.group(2):
            stop = stream.end() + int(length.group(1))
            found[number] = data[start:stop]
            position = data.find(b"endobj", stop) + len(b"endobj")
            continue
        if stream and length:
            lengths[number] = int(length.group(1))
            end = data.find(b"endstream", stream.end())
        found[number] = data[start:end]
        position = (end if end >= 0 else len(data)) + 1
    for number, length_object in lengths.items():  # an indirect /Length: cut the stream to it
        size = found.get(length_object, b"").strip()
        if size.isdigit():
            head, _, tail = found[number].partition(b"stream")
            body = re.sub(rb"^\r?\n", b"", tail)
            found[number] = head + b"stream\n" + body[: int(size)]
    return found


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if not match:
        return b""
    raw = match.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body[: body.find(b"stream")] else raw


def _cmap(text: bytes) -> dict[int, str]:
    """Character codes to text, from a ToUnicode CMap's bfchar and bfrange sections."""
    mapping: dict[int, str] = {}

    def chars(hex_text: bytes) -> str:
        return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")

    for section in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for code, value in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(code, 16)] = chars(value)
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, rest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", section):
            first, last = int(low, 16), int(high, 16)
            if rest.startswith(b"["):
                for offset, value in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", rest)):
                    mapping[first + offset] = chars(value)
            else:
                start = int(rest[1:-1], 16)
                width = len(rest) - 2
                for offset in range(last - first + 1):
                    mapping[first + offset] = chars(f"{start + offset:0{width}X}".encode())
    return mapping


def _fonts(objects: dict[int, bytes], page: bytes) -> dict[bytes, dict[int, str]]:
    resources = page
    ref = re.search(rb"/Resources\s+" + _REF, page)
    if ref:
        resources = objects.get(int(ref.group(1)), b"")
    block = re.search(rb"/Font\s*<<(.*?)>>", resources, re.S)
    fonts: dict[bytes, dict[int, str]] = {}
    for name, num in re.findall(rb"/([A-Za-z0-9_.+-]+)\s+" + _REF, block.group(1) if block else b""):
        font = objects.get(int(num), b"")
        to_unicode = re.search(rb"/ToUnicode\s+" + _REF, font)
        fonts[name] = _cmap(_stream(objects.get(int(to_unicode.group(1)), b""))) if to_unicode else {}
    return fonts


def _page_text(content: bytes, fonts: dict[bytes, dict[int, str]]) -> str:
    out: list[str] = []
    cmap: dict[int, str] = {}
    for font, hex_text, number, operator in _TOKENS.findall(content):
        if font:
            cmap = fonts.get(font, {})
        elif hex_text:
            codes = bytes.fromhex(hex_text.decode())
            out.append("".join(cmap.get(int.from_bytes(codes[i:i + 2], "big"), "") for i in range(0, len(codes) - 1, 2)))
        elif number and float(number) < -250:  # a wide gap inside a TJ array reads as a space
            out.append(" ")
        elif operator in (b"T*", b"BT", b"ET", b"'"):  # moving within a line (Td, Tm) places glyphs, not breaks
            out.append("\n")
    return "".join(out)


def pdf_text(data: bytes) -> str:
    """All the text of the PDF's pages, in the order it is drawn."""
    objects = _objects(data)
    pages = [body for body in objects.values() if re.search(rb"/Type\s*/Page\b(?!s)", body)]
    texts = []
    for page in pages:
        fonts = _fonts(objects, page)
        contents = re.search(rb"/Contents\s+(?:\[([^\]]*)\]|" + _REF + rb")", page)
        refs = re.findall(_REF, contents.group(1)) if contents and contents.group(1) else [contents.group(2)] if contents else []
        texts.append("".join(_page_text(_stream(objects[int(r)]), fonts) for r in refs if int(r) in objects))
    return "\n".join(texts)
