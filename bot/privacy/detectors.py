"""Personal details in a message (UK phone numbers, emails, postcodes, NHS and National Insurance
numbers, dates of birth, people's names): found for logs and counters, and scrubbed out of them.

The widget runs the same detectors before a message is sent (web/src/privacy.js). Both read one
definition, ``detectors.json`` beside this module (lists, and where the project's own names come
from), and the same labelled drafts (eval/pii_drafts.yml) check that they agree. Which numbers are
not personal: service lines (03, 080x, 084x, 087x, 09 and short codes such as 999, 111, 116 123)
and any phone, email or postcode that a loaded directory file publishes for a service.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from bot.config import PROJECT_ROOT

DEFINITION_FILE = Path(__file__).with_name("detectors.json")
KINDS = ("email", "phone", "nhs_number", "ni_number", "postcode", "date_of_birth", "name")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A UK number written nationally (0 and ten digits) or internationally (+44 and ten digits), with
# single spaces, dashes, dots or brackets between digits.
PHONE = re.compile(r"(?<![\w+])(?:\+44[ \t]?(?:\(0\)[ \t]?)?|\(?0)(?:\d[ \t().-]{0,2}){9}\d(?!\d)")
PERSONAL_PHONE_PREFIXES = ("01", "02", "07")  # geographic and mobile: 03, 08 and 09 are organisations' lines
NHS = re.compile(r"(?<![\w])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w])")
NI = re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.IGNORECASE)
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTH}\.?(?:,?[ \t]+\d{{4}})?"
         rf"|{_MONTH}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+\d{{4}})?)")
# A date of birth is a day and month (a year alone is no one's) after a cue: "DOB", "born", "birthday".
DATE_OF_BIRTH = re.compile(
    rf"\b(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|born|birthday)(?:[ \t]+(?:is|was|on))?"
    rf"[ \t]*[:=-]?[ \t]*(?:the[ \t]+)?({_DATE})(?![\w/])",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W_]+(?:['’&-][^\W_]+)*")
POSSESSIVE = re.compile(r"['’]s$")
SENTENCE_END = re.compile(r"[.!?:;\"“(]\s*$")


@dataclass(frozen=True)
class Finding:
    """One personal detail: its kind (one of ``KINDS``) and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str

    def __repr__(self) -> str:
        return f"Finding({self.kind}, {self.start}:{self.end})"


@dataclass(frozen=True)
class Lists:
    """What the name detector and the number detectors need to know about the project's own words."""

    phrases: frozenset[str]
    max_phrase_words: int
    first_names: frozenset[str]
    common_word_names: frozenset[str]
    titles: frozenset[str]
    not_surnames: frozenset[str]
    known_phones: frozenset[str]
    known_emails: frozenset[str]
    known_postcodes: frozenset[str]


def phrase_key(text: str) -> str:
    """A phrase as the detectors compare it: its words in lower case, single spaces, straight quotes."""
    return " ".join(WORD.findall(text.replace("’", "'").lower()))


def _split_values(captured: str) -> Iterator[str]:
    for part in captured.split(","):
        value = part.strip().strip("\"'").strip()
        if value:
            yield value


def _directory_values(node: Any, phrases: set[str], phones: set[str], emails: set[str], postcodes: set[str]) -> None:
    """Names, phone numbers, emails and postcodes anywhere in an Open Referral UK JSON file."""
    if isinstance(node, list):
        for item in node:
            _directory_values(item, phrases, phones, emails, postcodes)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                if key in ("name", "organisation", "organization", "address_1", "city", "region", "location"):
                    phrases.add(phrase_key(value))
                elif key == "number":
                    phones.add(phone_digits(value))
                elif key == "email":
                    emails.add(value.strip().lower())
                elif key in ("postal_code", "postcode"):
                    postcodes.add(postcode_key(value))
            else:
                _directory_values(value, phrases, phones, emails, postcodes)


def read_definition(path: Path = DEFINITION_FILE) -> dict[str, Any]:
    """The shared definition (detectors.json), with a clear error if it is broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from error
    required = ("max_phrase_words", "stop_sources", "directory_glob", "titles", "first_names", "common_word_names",
                "not_surnames", "known_phrases")
    for key in required:
        if key not in data:
            raise ValueError(f"{path}: the key {key!r} is missing")
    return data


def useful_phrases(phrases: set[str], definition: dict[str, Any]) -> set[str]:
    """The phrases that can change a finding: single words (never a surname) and phrases of up to
    ``max_phrase_words`` words with a title or first name in them (it is not a name there). Other
    phrases would only mask words no name can start with; leaving them out keeps the widget small."""
    starts = set(definition["first_names"]) | set(definition["titles"])
    return {p for p in phrases if p and (" " not in p or (len(p.split()) <= definition["max_phrase_words"]
                                                             and any(_bare(w) in starts for w in p.split())))}


def build_lists(root: Path = PROJECT_ROOT, definition: dict[str, Any] | None = None) -> Lists:
    """The lists from detectors.json and from the project's knowledge and directory files."""
    data = definition or read_definition()
    phrases = {phrase_key(p) for p in data["known_phrases"]}
    for source in data["stop_sources"]:
        patterns = [re.compile(p, re.MULTILINE) for p in source["patterns"]]
        for path in sorted(root.glob(source["glob"])):
            text = path.read_text(encoding="utf-8")
            for pattern in patterns:
                for match in pattern.finditer(text):
                    phrases.update(phrase_key(v) for v in _split_values(match.group(1)))
    phones: set[str] = set()
    emails: set[str] = set()
    postcodes: set[str] = set()
    for path in sorted(root.glob(data["directory_glob"])):
        _directory_values(json.loads(path.read_text(encoding="utf-8")), phrases, phones, emails, postcodes)
    return Lists(
        phrases=frozenset(useful_phrases(phrases, data)), max_phrase_words=data["max_phrase_words"],
        first_names=frozenset(data["first_names"]),
        common_word_names=frozenset(data["common_word_names"]), titles=frozenset(data["titles"]),
        not_surnames=frozenset(data["not_surnames"]), known_phones=frozenset(phones - {""}),
        known_emails=frozenset(emails), known_postcodes=frozenset(postcodes - {""}),
    )


@lru_cache(maxsize=1)
def project_lists() -> Lists:
    """The project's lists, read once per process."""
    return build_lists()


def phone_digits(text: str) -> str:
    """A UK phone number as national digits ("+44 (0)7700 900123" -> "07700900123")."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+44"):
        digits = digits[2:]
        digits = digits if digits.startswith("0") and len(digits) == 11 else "0" + digits
    return digits


def postcode_key(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10..2 on the first nine digits give the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _numbers(text: str, lists: Lists) -> Iterator[Finding]:
    for match in EMAIL.finditer(text):
        if match.group().lower() not in lists.known_emails:
            yield Finding("email", match.start(), match.end(), match.group())
    for match in PHONE.finditer(text):
        digits = phone_digits(match.group())
        if len(digits) == 11 and digits.startswith(PERSONAL_PHONE_PREFIXES) and digits not in lists.known_phones:
            yield Finding("phone", match.start(), match.end(), match.group())
    for match in NHS.finditer(text):
        if nhs_checksum_ok(re.sub(r"\D", "", match.group())):
            yield Finding("nhs_number", match.start(), match.end(), match.group())
    for match in NI.finditer(text):
        yield Finding("ni_number", match.start(), match.end(), match.group())
    for match in POSTCODE.finditer(text):
        if postcode_key(match.group()) not in lists.known_postcodes:
            yield Finding("postcode", match.start(), match.end(), match.group())
    for match in DATE_OF_BIRTH.finditer(text):
        yield Finding("date_of_birth", match.start(1), match.end(1), match.group(1))


def _masked(words: list[re.Match[str]], lists: Lists) -> list[bool]:
    """Which words belong to one of the project's own names (longest phrase first)."""
    keys = [w.group().replace("’", "'").lower() for w in words]
    masked = [False] * len(words)
    for i in range(len(words)):
        for j in range(min(len(words), i + lists.max_phrase_words), i, -1):
            if " ".join(keys[i:j]) in lists.phrases:
                for k in range(i, j):
                    masked[k] = True
                break
    return masked


def _capitalised(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word) and not any(c.isdigit() for c in word)


def _bare(word: str) -> str:
    return POSSESSIVE.sub("", word.replace("’", "'")).lower()


def _names(text: str, lists: Lists) -> Iterator[Finding]:
    """Two or more capitalised words that start with a title or a first name, none a project word."""
    words = list(WORD.finditer(text))
    masked = _masked(words, lists)

    def usable(i: int) -> bool:
        return not masked[i] and _capitalised(words[i].group())

    def joined(i: int) -> bool:  # word i follows word i - 1 on the same line, with only spaces (or a title's dot)
        gap = text[words[i - 1].end():words[i].start()]
        return gap.strip(" \t.") == "" and "\n" not in gap and len(gap) <= 3

    def surname(i: int) -> bool:
        word = _bare(words[i].group())
        return usable(i) and joined(i) and word not in lists.not_surnames and word not in lists.phrases \
            and word not in lists.titles

    i = 0
    while i < len(words) - 1:
        word = _bare(words[i].group())
        gap = text[words[i - 1].end():words[i].start()] if i else ""
        start_of_sentence = i == 0 or bool(SENTENCE_END.search(gap)) or "\n" in gap
        is_title = word in lists.titles and usable(i)
        is_first = word in lists.first_names and usable(i) \
            and not (start_of_sentence and word in lists.common_word_names)
        if (is_title or is_first) and surname(i + 1):
            end = i + 1
            while end + 1 < len(words) and end - i < 3 and surname(end + 1):
                end += 1
            yield Finding("name", words[i].start(), words[end].end(), text[words[i].start():words[end].end()])
            i = end + 1
        else:
            i += 1


def find(text: str, lists: Lists | None = None) -> list[Finding]:
    """The personal details in ``text``, in order; where two overlap the earlier-listed kind wins."""
    lists = lists or project_lists()
    found: list[Finding] = []
    for finding in [*_numbers(text, lists), *_names(text, lists)]:
        if not any(f.start < finding.end and finding.start < f.end for f in found):
            found.append(finding)
    return sorted(found, key=lambda f: f.start)


def scrub(text: str, lists: Lists | None = None) -> str:
    """``text`` with every personal detail replaced by its kind: "[phone]", "[email]", "[name]"..."""
    for finding in reversed(find(text, lists)):
        text = f"{text[:finding.start]}[{finding.kind}]{text[finding.end:]}"
    return text


def kinds(text: str, lists: Lists | None = None) -> list[str]:
    """The kinds of detail in ``text``, each once, in the order of ``KINDS``."""
    present = {f.kind for f in find(text, lists)}
    return [kind for kind in KINDS if kind in present]
