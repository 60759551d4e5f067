"""bot.dialogue.logs: no message text above DEBUG, whoever logs it (Rasa included)."""

from __future__ import annotations

import io
import json
import logging
import warnings

import pytest

from bot.dialogue import logs
from bot.dialogue.logs import REDACTED, handling, redact, redact_record

MARKER = "zanzibarquokka"


@pytest.fixture
def installed():
    """The filter installed in this process for one test, then the previous factory back."""
    previous = logging.getLogRecordFactory()
    logs._installed.clear()
    logging.captureWarnings(False)  # importing actions installed it before pytest began catching warnings
    logs.install()
    yield
    logging.setLogRecordFactory(previous)
    logging.captureWarnings(False)
    logs._installed.clear()


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_the_text_being_handled_is_redacted_in_every_escaped_form():
    text = f'my "{MARKER}" café\nsecond line'
    with handling(text):
        for shown in (text, json.dumps(text), repr(text), str(json.dumps(text).encode()), str(text.encode()),
                      f"ClientResponseError: 500, body='{json.dumps({'tracker': {'text': text}})}'"):
            assert MARKER not in redact(shown), shown
    assert MARKER in redact(text), "only while it is being handled"


def test_short_messages_are_not_searched_for():
    with handling("ok"):
        assert redact("token ok") == "token ok"


@pytest.mark.parametrize("line", [
    f'{{"event": "message.parsing.failed", "user_text": "/{MARKER}", "level": "warning"}}',
    f"message.parsing.failed  user_text='/{MARKER}'",
    f'{{"event": "rest.message.received.failure", "text": "{MARKER} \\"quoted\\" text"}}',
    f"Failed to parse arguments in line '/x{{{MARKER}'. Expected the intent ... Continuing without {MARKER}.",
    f'body={{"request_body": {{"tracker": {{"latest_message": {{"text": "{MARKER}"}}}}}}}}',
])
def test_rasas_text_carrying_fields_are_redacted_without_knowing_the_text(line):
    cleaned = redact(line)
    assert MARKER not in cleaned and REDACTED in cleaned


def test_debug_records_keep_their_text():
    record = logging.LogRecord("rasa", logging.DEBUG, __file__, 1, "user said %s", (MARKER,), None)
    assert MARKER in redact_record(record).getMessage()
    record = logging.LogRecord("rasa", logging.WARNING, __file__, 1, '{"user_text": "%s"}', (MARKER,), None)
    assert MARKER not in redact_record(record).getMessage()


def test_installed_it_redacts_messages_tracebacks_and_rasas_warnings(installed, captured):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    log = logging.getLogger("rasa.core.processor")
    text = f"what about {MARKER}?"
    with handling(text):
        log.info("Received %s", text)
        try:
            raise ValueError(f"could not read {text}")
        except ValueError:
            log.exception("Encountered an exception while running action 'action_respond'.")
        log.debug("debug may say %s", text)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        domain = Domain.from_dict({"intents": ["greet"]})
        YAMLStoryReader.unpack_regex_message(Message({"text": f'/greet{{"{MARKER}": 1}}'}), domain)
    output = captured.getvalue()
    assert output.count(MARKER) == 1, output  # the DEBUG line only
    assert "debug may say" in output and "Encountered an exception" in output and "ValueError" in output
    assert "Failed to parse arguments in line [redacted]" in output
