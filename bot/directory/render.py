"""Directory outcomes as plain text for the chat: services (never markup, whatever the directory
held), what a search asked for, and the wider searches offered when it found nothing.

Wording comes from the ``directory_*`` keys of ``knowledge/messages.yml`` through ``say(key,
**values)`` (the dialogue renderer's ``text``); without one, the project's messages file is read.
"""

from __future__ import annotations

from typing import Callable

from bot.directory.query import Alternative, Request
from bot.directory.schema import Service
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.validate import plain_text

MAX_DESCRIPTION = 280
Say = Callable[..., str]  # say(key, **values): the wording ``key`` with its placeholders filled


def project_wording() -> Say:
    """The wording in the project's ``knowledge/messages.yml`` (for callers without a renderer)."""
    from bot.config import load_settings
    from bot.dialogue.wording import load_messages

    messages = load_messages(load_settings().messages_file)
    return lambda key, **values: messages[key].format(**values)


def _clean(text: str) -> str:
    # Directory text is shown as text: tags and markdown links are spelt out, never rendered.
    return " ".join(plain_text(text or "").split())


def _shorten(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "..."


def age_text(min_age: int | None, max_age: int | None, say: Say) -> str:
    """A service's age limits ("ages 3 to 10"), or "" when it gives none."""
    if min_age is not None and max_age is not None:
        return say("directory_ages", low=min_age, high=max_age)
    if min_age is not None:
        return say("directory_ages_from", low=min_age)
    if max_age is not None:
        return say("directory_ages_up_to", high=max_age)
    return ""


def service_text(service: Service, say: Say | None = None) -> str:
    """Name and organisation, what it offers, who it is for and ages, how to refer, contact and opening times."""
    say = say or project_wording()
    name = _clean(service.name)
    organisation = _clean(service.organisation)
    lines = [f"{name} ({organisation})" if organisation and organisation != name else name]
    if service.description:
        lines.append(_shorten(_clean(service.description)))
    if service.type_labels:
        lines.append(say("directory_service_offers", types="; ".join(service.type_labels)))
    who = ", ".join(service.audience_labels)
    ages = age_text(service.min_age, service.max_age, say)
    if who or ages:
        lines.append(say("directory_service_for", who="; ".join(p for p in (who, ages) if p)))
    if service.how_to_refer:
        lines.append(say("directory_service_refer", how=_clean(service.how_to_refer)))
    contact = [say("directory_service_phone", phone=_clean(service.phone)) if service.phone else "",
               say("directory_service_email", email=_clean(service.email)) if service.email else "",
               _clean(service.website)]
    if any(contact):
        lines.append(say("directory_service_contact", contact=", ".join(c for c in contact if c)))
    if service.opening_times:
        lines.append(say("directory_service_open", times=_clean(service.opening_times)))
    return "\n".join(lines)


def needs_text(needs: tuple[str, ...], say: Say, taxonomy: Taxonomy) -> str:
    """Service types by label, as alternatives: "Refuge or IDVA"."""
    return f" {say('directory_or')} ".join(taxonomy.label(n) for n in needs)


def request_text(request: Request, say: Say | None = None, taxonomy: Taxonomy | None = None) -> str:
    """What a search asked for, to follow the area: " offering Refuge for children for age 7"."""
    say, taxonomy = say or project_wording(), taxonomy or load_taxonomy()
    parts = []
    if request.needs:
        parts.append(say("directory_what_needs", needs=needs_text(request.needs, say, taxonomy)))
    if request.audience:
        parts.append(say("directory_what_audience", audience=taxonomy.audience_label(request.audience)))
    if request.age is not None:
        low, high = (request.age, request.age) if isinstance(request.age, int) else request.age
        key = "directory_what_age" if low == high else "directory_what_ages"
        parts.append(say(key, age=low, low=low, high=high))
    return "".join(" " + p for p in parts)


def alternative_text(alternative: Alternative, say: Say | None = None, taxonomy: Taxonomy | None = None) -> str:
    """A wider search offered when nothing matched ("services for other ages")."""
    say = say or project_wording()
    if alternative.kind == "wider_need":
        return say("directory_wider_need", needs=needs_text(alternative.needs, say, taxonomy or load_taxonomy()))
    return say(f"directory_{alternative.kind}")
