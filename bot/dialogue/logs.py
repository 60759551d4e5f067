"""Keeps what users type out of the servers' logs above DEBUG.

Rasa and rasa-sdk log some message text at INFO, WARNING or ERROR ("Failed to parse arguments
in line '/...'", structured events with ``user_text=``, an action server's error body quoted in
a traceback). ``install()`` wraps the process's log record factory so that every record above
DEBUG, its traceback included, has the text of the messages being handled (``handling``) and
the values of Rasa's text-carrying fields replaced by ``[redacted]``. DEBUG records keep the
text (DEBUG is for development only) but with personal details scrubbed out: phone numbers,
emails, postcodes, NHS and National Insurance numbers, dates of birth and names become
``[phone]``, ``[email]``... (``bot.privacy.detectors.scrub``). ``bot.web`` installs it in the Rasa
server (with the messages it is handling), ``actions/__init__.py`` in the action server.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator

REDACTED = "[redacted]"
MIN_CHARS = 3  # shorter messages ("ok", "hi") are not searched for: they would blank ordinary words

# Fields of Rasa's structured log events that carry what the user typed (rasa.utils.log_utils'
# anonymizable keys and a few more), as JSON ("text": "...") or as key=value ('...').
_FIELDS = (
    "text", "user_text", "response_text", "parse_data_text", "parse_data_entities", "message", "user_message",
    "tracker_latest_message", "slot_values", "slot_candidates", "rasa_event", "rasa_events", "prediction_events",
    "json_message", "response", "request_body", "latest_message", "token_text", "entity", "current_entity",
)
_KEYS = "|".join(_FIELDS)
_JSON_FIELD = re.compile(rf'("(?:{_KEYS})"\s*:\s*)("(?:[^"\\]|\\.)*"|\{{[^{{}}]*\}}|\[[^\[\]]*\])')
_KEY_VALUE = re.compile(rf"\b((?:{_KEYS})=)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
# Rasa's warnings about "/..." messages quote the message and parts of it up to the end.
_PARSE_FAILED = re.compile(r"(Failed to parse arguments in line ).*", re.DOTALL)

_handling: dict[str, int] = {}
_installed: list[Callable[..., logging.LogRecord]] = []


@contextmanager
def handling(text: str) -> Iterator[None]:
    """While the block runs, ``text`` (in any escaped form) is redacted from logs above DEBUG."""
    if len(text) < MIN_CHARS:
        yield
        return
    _handling[text] = _handling.get(text, 0) + 1
    try:
        yield
    finally:
        _handling[text] -= 1
        if not _handling[text]:
            del _handling[text]


def _forms(text: str) -> set[str]:
    """The ways a log line may show ``text``: as it is, JSON-escaped, repr-escaped, in a bytes repr."""
    escaped = json.dumps(text)[1:-1]
    forms = {text, escaped, json.dumps(text, ensure_ascii=False)[1:-1], repr(text)[1:-1],
             repr(escaped.encode("utf-8"))[2:-1], repr(text.encode("utf-8"))[2:-1]}
    forms |= {line for line in text.splitlines() if len(line.strip()) >= MIN_CHARS}
    return {form for form in forms if len(form) >= MIN_CHARS}


def redact(line: str) -> str:
    """``line`` without the texts being handled and without the values of text-carrying fields."""
    for text in list(_handling):
        for form in sorted(_forms(text), key=len, reverse=True):
            if form in line:
                line = line.replace(form, REDACTED)
    line = _JSON_FIELD.sub(lambda m: f'{m.group(1)}"{REDACTED}"', line)
    line = _KEY_VALUE.sub(lambda m: f"{m.group(1)}'{REDACTED}'", line)
    return _PARSE_FAILED.sub(lambda m: m.group(1) + REDACTED, line)


def scrub_details(line: str) -> str:
    """``line`` with personal details replaced by their kind (imported here: the detectors read the
    project's lists on first use, which the log filter must not do while the process starts)."""
    from bot.privacy.detectors import scrub

    return scrub(line)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message and traceback redacted above DEBUG, scrubbed of personal details at DEBUG."""
    clean = scrub_details if record.levelno <= logging.DEBUG else redact
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return record  # a malformed call: logging reports it when the record is emitted
    cleaned = clean(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        trace = logging.Formatter().formatException(record.exc_info)
        record.exc_text = clean(trace)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)
    return record


def install() -> None:
    """Redact every log record of this process from now on (once), warnings included."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)  # Rasa's "Failed to parse arguments" is a warning: log it, redacted
    _installed.append(factory)
