"""Directory services as short plain-text blocks for the chat: never markup, whatever the directory held."""

from __future__ import annotations

from bot.directory.schema import Service
from bot.directory.validate import plain_text

MAX_DESCRIPTION = 280


def _clean(text: str) -> str:
    # Directory text is shown as text: tags and markdown links are spelt out, never rendered.
    return " ".join(plain_text(text or "").split())


def _shorten(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "..."


def age_text(min_age: int | None, max_age: int | None) -> str:
    if min_age is not None and max_age is not None:
        return f"ages {min_age} to {max_age}"
    if min_age is not None:
        return f"ages {min_age} and over"
    if max_age is not None:
        return f"ages up to {max_age}"
    return ""


def service_text(service: Service) -> str:
    """Name and organisation, what it offers, who it is for and ages, how to refer, contact and opening times."""
    name = _clean(service.name)
    organisation = _clean(service.organisation)
    lines = [f"{name} ({organisation})" if organisation and organisation != name else name]
    if service.description:
        lines.append(_shorten(_clean(service.description)))
    if service.type_labels:
        lines.append("Offers: " + "; ".join(service.type_labels))
    who = ", ".join(service.audience_labels)
    ages = age_text(service.min_age, service.max_age)
    if who or ages:
        lines.append("For: " + "; ".join(p for p in (who, ages) if p))
    if service.how_to_refer:
        lines.append("How to refer: " + _clean(service.how_to_refer))
    contact = [f"phone {_clean(service.phone)}" if service.phone else "",
               f"email {_clean(service.email)}" if service.email else "",
               _clean(service.website)]
    if any(contact):
        lines.append("Contact: " + ", ".join(c for c in contact if c))
    if service.opening_times:
        lines.append("Open: " + _clean(service.opening_times))
    return "\n".join(lines)
