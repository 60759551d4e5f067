"""The scenarios' fixed wording (``_settings.yml``) made into messages: texts, lists, citations."""

from __future__ import annotations

from typing import Any, Iterable

from bot.dialogue.types import Button, Message
from bot.knowledge.schema import Citation, cite
from bot.scenarios.schema import ScenarioLibrary


class Wording:
    """Texts from the settings, filled in, with their ``custom.type``."""

    def __init__(self, library: ScenarioLibrary):
        self.library = library
        self.texts = library.settings.texts
        self.buttons = library.settings.buttons

    def text(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values)

    def say(self, key: str, kind: str, buttons: Iterable[Button] = (), values: dict | None = None,
            **custom: Any) -> Message:
        """One text from the settings (filled with ``values``), its ``custom.type`` and other custom fields."""
        return Message(self.text(key, **(values or {})), tuple(buttons), {"type": kind, **custom})

    def items(self, texts: Iterable[str]) -> list[str]:
        return [self.text("list_item", text=text) for text in texts]

    def cited_items(self, cited: Iterable[tuple[str, Citation]]) -> list[str]:
        return self.items(self.text("cited", text=text, citation=cite(self.library.sources, citation))
                          for text, citation in cited)

    def cite(self, citation: Citation) -> dict[str, str]:
        return {"source": citation.source, "section": citation.section,
                "citation": cite(self.library.sources, citation)}
