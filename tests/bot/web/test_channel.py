"""bot.web.channel's parts that need no server: the rate limit, metadata and the event payload."""

from __future__ import annotations

from bot.web.channel import RateLimit, _metadata, widget_payload


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_message_per_interval():
    clock = Clock()
    limit = RateLimit(burst=3, per_minute=30, clock=clock)
    assert [limit.allow() for _ in range(4)] == [True, True, True, False]
    clock.now += 1.9
    assert not limit.allow()
    clock.now += 0.2  # one message every 2 s
    assert limit.allow() and not limit.allow()
    clock.now += 600
    assert [limit.allow() for _ in range(4)] == [True, True, True, False], "never more than the burst saved up"


def test_metadata_must_be_an_object():
    assert _metadata(None) == {}
    assert _metadata({"a": 1}) == {}
    assert _metadata({"client": "widget", "name": "Jane Smith"}) == {"client": "widget"}
    assert _metadata('{"client": "terminal", "a": 1}') == {"client": "terminal"}
    for value in ([1], "[1]", "{not json", 5, "null", "[" * 5000):
        assert _metadata(value) is None, value


def test_one_event_per_message_with_its_custom_payload():
    message = {"text": "An answer\n\nSource: X", "buttons": [{"title": "More", "payload": "/ask_more"}],
               "custom": {"type": "guidance"}}
    assert widget_payload(message) == {
        "text": "An answer\n\nSource: X",
        "quick_replies": [{"content_type": "text", "title": "More", "payload": "/ask_more"}],
        "custom": {"type": "guidance"},
    }
    assert widget_payload({}) == {}
