"""The message metadata the assistant keeps: an allow-list of keys with closed vocabularies.

Clients may send any ``metadata`` with a message, and Rasa stores it with the user event, in
``parse_data`` and in the ``session_started_metadata`` slot. Anything free-form there could hold
what someone typed, so the channels (``bot.web.channel``, ``bot.web.rest``) and the tracker store
keep only the keys below, and only when their value is one of the listed words.
"""

from __future__ import annotations

from typing import Any, Mapping

# Which front end sent the message: the web widget, the terminal chat, a benchmark or a test.
ALLOWED_METADATA: dict[str, frozenset[str]] = {
    "client": frozenset({"widget", "terminal", "benchmark", "test"}),
}


def allowed_metadata(metadata: Any) -> dict[str, str]:
    """The allow-listed part of ``metadata``: known keys whose value is one of their words; nothing else."""
    if not isinstance(metadata, Mapping):
        return {}
    return {key: metadata[key] for key, words in ALLOWED_METADATA.items()
            if isinstance(metadata.get(key), str) and metadata[key] in words}
