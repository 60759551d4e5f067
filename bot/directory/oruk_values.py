"""ORUK values that become one line of directory text: schedules, a location's address, a language, a cost.

Shared by the JSON and CSV readers; each value is checked, so a wrong type gets a located message.
"""

from __future__ import annotations

import math

from bot.directory.validate import FieldChecks, shown

# ISO 639 codes of the languages most asked for in England, for files that give a code without a name.
LANGUAGE_NAMES = {
    "en": "English", "eng": "English", "cy": "Welsh", "cym": "Welsh", "wel": "Welsh", "pl": "Polish", "pol": "Polish",
    "ur": "Urdu", "urd": "Urdu", "pa": "Punjabi", "pan": "Punjabi", "bn": "Bengali", "ben": "Bengali", "ar": "Arabic",
    "ara": "Arabic", "so": "Somali", "som": "Somali", "ro": "Romanian", "ron": "Romanian", "rum": "Romanian",
    "pt": "Portuguese", "por": "Portuguese", "es": "Spanish", "spa": "Spanish", "fr": "French", "fra": "French",
    "lt": "Lithuanian", "lit": "Lithuanian", "gu": "Gujarati", "guj": "Gujarati", "ta": "Tamil", "tam": "Tamil",
    "tr": "Turkish", "tur": "Turkish", "ku": "Kurdish", "kur": "Kurdish", "fa": "Persian", "fas": "Persian",
    "zh": "Chinese", "zho": "Chinese", "it": "Italian", "ita": "Italian", "de": "German", "deu": "German",
    "hi": "Hindi", "hin": "Hindi", "ti": "Tigrinya", "tir": "Tigrinya", "am": "Amharic", "amh": "Amharic",
    "uk": "Ukrainian", "ukr": "Ukrainian", "ru": "Russian", "rus": "Russian", "bg": "Bulgarian", "bul": "Bulgarian",
    "ps": "Pashto", "pus": "Pashto", "sq": "Albanian", "sqi": "Albanian", "ga": "Irish", "gle": "Irish",
    "gd": "Scottish Gaelic", "gla": "Scottish Gaelic", "bfi": "British Sign Language", "sgn": "Sign language",
}
CURRENCIES = {"GBP": "£", "EUR": "€", "USD": "$"}
ADDRESS_PARTS = ("address_1", "address_2", "city", "postal_code")
MAX_AMOUNT = 1_000_000


class OrukValues:
    """Checks and words the small ORUK objects around a service."""

    def __init__(self, checks: FieldChecks):
        self.checks = checks

    def schedule(self, row: str, path: str, raw: dict) -> str:
        """A schedule as one line: its description, else its days and hours."""
        c = self.checks
        description = c.text(row, f"{_at(path)}description", raw.get("description"))
        if description:
            return description
        days = c.text(row, f"{_at(path)}byday", raw.get("byday"), limit=100)
        opens = c.text(row, f"{_at(path)}opens_at", raw.get("opens_at"), limit=40)[:5]
        closes = c.text(row, f"{_at(path)}closes_at", raw.get("closes_at"), limit=40)[:5]
        hours = f"{opens}-{closes}" if opens and closes else opens or closes
        return " ".join(p for p in (days, hours) if p)

    def location(self, row: str, path: str, location: dict, addresses: list[tuple[str, dict]]) -> str:
        """A physical location as one display line: venue name, street, town, postcode ("" for a virtual one)."""
        c = self.checks
        kind = c.text(row, f"{_at(path)}location_type", location.get("location_type"), limit=40).lower()
        if kind == "virtual":
            return ""
        parts = [c.text(row, f"{_at(path)}name", location.get("name"), limit=300)]
        for address_path, address in addresses[:1]:
            parts += [c.text(row, f"{_at(address_path)}{key}", address.get(key), limit=200) for key in ADDRESS_PARTS]
        seen: set[str] = set()
        kept = []
        for part in (" ".join(p.split()) for p in parts):
            if part and part.casefold() not in seen:
                seen.add(part.casefold())
                kept.append(part)
        return ", ".join(kept)

    def language(self, row: str, path: str, raw: dict) -> str:
        """A language's name; from its ISO code when the file gives only that."""
        c = self.checks
        name = c.text(row, f"{_at(path)}name", raw.get("name"), limit=100)
        if name:
            return name.replace(",", " ")
        code = c.text(row, f"{_at(path)}code", raw.get("code"), limit=20)
        if code and code.lower() not in LANGUAGE_NAMES:
            c.warn(row, f"{_at(path)}code", f"{shown(code)} is not a language code this import knows; kept as written")
        return LANGUAGE_NAMES.get(code.lower(), code) if code else ""

    def cost(self, row: str, path: str, raw: dict) -> str:
        """A cost option in words: "£35 per 1 hour session (Under 18s and Over 60s)"."""
        c = self.checks
        amount = raw.get("amount")
        words = []
        if amount not in (None, ""):
            value = _number(amount)
            if value is None or value < 0 or value > MAX_AMOUNT:
                c.error(row, f"{_at(path)}amount", f"must be an amount of money (0 to {MAX_AMOUNT:,}), not {shown(amount)}")
                return ""
            currency = c.text(row, f"{_at(path)}currency", raw.get("currency"), limit=10).upper() or "GBP"
            symbol = CURRENCIES.get(currency, f"{currency} ")
            words.append("Free" if value == 0 else f"{symbol}{value:,.2f}".replace(".00", ""))
        words.append(c.text(row, f"{_at(path)}amount_description", raw.get("amount_description"), limit=300))
        option = c.text(row, f"{_at(path)}option", raw.get("option"), limit=300)
        text = " ".join(w for w in words if w)
        return f"{text} ({option})" if text and option else text or option

    def fees(self, row: str, raw: dict, costs: list[str]) -> str:
        """The service's fees in words: its ``fees`` (or ``fees_description``) and its cost options."""
        c = self.checks
        fees = c.text(row, "fees", raw.get("fees")) or c.text(row, "fees_description", raw.get("fees_description"))
        return "; ".join(dict.fromkeys(p for p in (fees, *costs) if p))


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value) if abs(value) < 1e300 else math.inf
    elif isinstance(value, str) and len(value) < 30:
        try:
            number = float(value.strip().lstrip("£"))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _at(path: str) -> str:
    """A field path prefix: "contacts[0]." or nothing."""
    return f"{path}." if path else ""
