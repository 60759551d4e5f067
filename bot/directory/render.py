"""Directory outcomes as plain text for the chat: the service card (never markup, whatever the
directory held), what a search asked for, counts, and the wider searches offered when it found nothing.

Wording comes from ``knowledge/directory/wording.yml`` through ``say(key, **values)``
(``load_wording()``). How old a record may be before its card warns is
``DASG_DIRECTORY_STALE_MONTHS`` (default 12), read by ``stale_after_months``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from bot.config import PROJECT_ROOT
from bot.directory.query import Alternative, Request
from bot.directory.schema import Service
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.validate import plain_text
from bot.text.validation import ContentError, Problem, read_mapping, reporter

WORDING_FILE = PROJECT_ROOT / "knowledge" / "directory" / "wording.yml"
STALE_MONTHS_VARIABLE = "DASG_DIRECTORY_STALE_MONTHS"
STALE_MONTHS = 12
MAX_DESCRIPTION = 280
MAX_ELIGIBILITY = 240
Say = Callable[..., str]  # say(key, **values): the wording ``key`` with its placeholders filled
REQUIRED = (
    "ask_area", "did_you_mean", "unknown_area", "unknown_area_unnamed", "no_areas", "found", "found_all", "found_by_name",
    "what_needs",
    "what_audience", "what_age", "what_ages", "or", "more_button", "end", "none", "none_described",
    "none_described_anywhere", "alternatives",
    "alternative", "wider_need", "any_age", "any_audience", "any_need", "all_services", "show_alternative",
    "front_door", "check", "services_one", "services_many", "service_offers", "service_for", "service_for_unstated",
    "ages", "ages_from", "ages_up_to", "service_eligibility", "service_address", "service_open", "service_refer",
    "service_contact", "service_phone", "service_email", "service_languages", "service_cost", "service_checked",
    "service_stale",
)


class WordingError(ContentError):
    about = " in the directory wording"


@dataclass(frozen=True)
class Wording:
    """The directory's wording, keyed by name; calling it fills a key's placeholders."""

    texts: Mapping[str, str]

    def __call__(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values) if values else self.texts[key]


@lru_cache(maxsize=4)
def load_wording(path: Path = WORDING_FILE) -> Wording:
    """The wording file, checked: every key the directory uses is there and not empty."""
    data = read_mapping(Path(path), Path(path).name, WordingError)
    wording = data.get("wording")
    raw: dict = wording if isinstance(wording, dict) else {}
    problems: list[Problem] = []
    missing = [key for key in REQUIRED if not str(raw.get(key) or "").strip()]
    if missing:
        reporter(problems, Path(path).name)("wording", f"missing or empty: {', '.join(missing)}")
        raise WordingError(problems)
    return Wording({key: " ".join(str(value).split()) for key, value in raw.items()})


def stale_after_months(environ: Mapping[str, str] | None = None) -> int:
    """How many months after its last check a record's card warns (``DASG_DIRECTORY_STALE_MONTHS``)."""
    value = (os.environ if environ is None else environ).get(STALE_MONTHS_VARIABLE, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else STALE_MONTHS


def _clean(text: str) -> str:
    # Directory text is shown as text: tags and markdown links are spelt out, never rendered.
    return " ".join(plain_text(text or "").split())


def _shorten(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "..."


def count_text(count: int, say: Say) -> str:
    """"1 service", "3 services"."""
    return say("services_one") if count == 1 else say("services_many", count=count)


def age_text(min_age: int | None, max_age: int | None, say: Say) -> str:
    """A service's age limits ("ages 3 to 10"), or "" when it gives none."""
    if min_age is not None and max_age is not None:
        return say("ages", low=min_age, high=max_age)
    if min_age is not None:
        return say("ages_from", low=min_age)
    if max_age is not None:
        return say("ages_up_to", high=max_age)
    return ""


def date_text(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later``."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


@dataclass(frozen=True)
class CardOptions:
    """What a card needs besides the service: today's date and when a record counts as old."""

    today: date | None = None
    stale_months: int = STALE_MONTHS


def service_text(service: Service, say: Say | None = None, options: CardOptions = CardOptions()) -> str:
    """The card: name and organisation, what it offers, who it is for and ages, eligibility,
    where, opening times, how to refer, contacts, languages, cost, and when it was last checked."""
    say = say or load_wording()
    name, organisation = _clean(service.name), _clean(service.organisation)
    lines = [f"{name} ({organisation})" if organisation and organisation != name else name]
    if service.description:
        lines.append(_shorten(_clean(service.description)))
    if service.type_labels:
        lines.append(say("service_offers", types="; ".join(service.type_labels)))
    who = ", ".join(service.audience_labels) or say("service_for_unstated")
    ages = age_text(service.min_age, service.max_age, say)
    lines.append(say("service_for", who="; ".join(p for p in (who, ages) if p)))
    optional = (("service_eligibility", "eligibility", _shorten(_clean(service.eligibility), MAX_ELIGIBILITY)),
                ("service_address", "address", _clean(service.address)),
                ("service_open", "times", _clean(service.opening_times)),
                ("service_refer", "how", _clean(service.how_to_refer)))
    lines += [say(key, **{slot: value}) for key, slot, value in optional if value]
    contact = [say("service_phone", phone=_clean(service.phone)) if service.phone else "",
               say("service_email", email=_clean(service.email)) if service.email else "",
               _clean(service.website)]
    if any(contact):
        lines.append(say("service_contact", contact=", ".join(c for c in contact if c)))
    languages = ", ".join(_clean(language) for language in service.languages if _clean(language))
    if languages:
        lines.append(say("service_languages", languages=languages))
    if _clean(service.fees):
        lines.append(say("service_cost", cost=_clean(service.fees)))
    checked = _checked_line(service, say, options)
    if checked:
        lines.append(checked)
    return "\n".join(lines)


def _checked_line(service: Service, say: Say, options: CardOptions) -> str:
    """"Last checked: 15 September 2026", with a warning when that is longer ago than allowed."""
    checked = service.assured_date or service.last_modified
    if checked is None:
        return ""
    today = options.today or date.today()
    if months_between(checked, today) >= options.stale_months:
        return say("service_stale", date=date_text(checked), months=options.stale_months)
    return say("service_checked", date=date_text(checked))


def needs_text(needs: tuple[str, ...], say: Say, taxonomy: Taxonomy) -> str:
    """Service types by label, as alternatives: "Refuge or IDVA"."""
    return f" {say('or')} ".join(taxonomy.label(n) for n in needs if n in taxonomy.types)


def request_text(request: Request, say: Say | None = None, taxonomy: Taxonomy | None = None) -> str:
    """What a search asked for, to follow the area: " offering Refuge for children and young people
    affected aged 7". The audience is left out when every type asked for is for that audience anyway."""
    say, taxonomy = say or load_wording(), taxonomy or load_taxonomy()
    parts = []
    if request.needs:
        parts.append(say("what_needs", needs=needs_text(request.needs, say, taxonomy)))
    if request.audience and request.audience in taxonomy.audiences and not _implied(request, taxonomy):
        parts.append(say("what_audience", audience=taxonomy.audience_label(request.audience)))
    if request.age is not None:
        low, high = (request.age, request.age) if isinstance(request.age, int) else request.age
        parts.append(say("what_age", age=low) if low == high else say("what_ages", low=low, high=high))
    return "".join(" " + p for p in parts)


def _implied(request: Request, taxonomy: Taxonomy) -> bool:
    """Every type asked for names the audience's side itself ("Programmes for people who cause harm")."""
    side = _side(request.audience or "")
    return bool(request.needs) and all(
        n in taxonomy.types and side in {_side(a) for a in taxonomy.types[n].audiences} for n in request.needs)


def _side(audience: str) -> str:
    """Both causing-harm audiences are one side; every other audience is its own."""
    return "causing_harm" if audience.endswith("causing_harm") else audience


def alternative_text(alternative: Alternative, say: Say | None = None, taxonomy: Taxonomy | None = None) -> str:
    """A wider search offered when nothing matched ("services for other ages")."""
    say = say or load_wording()
    if alternative.kind == "wider_need":
        return say("wider_need", needs=needs_text(alternative.needs, say, taxonomy or load_taxonomy()))
    return say(alternative.kind)
