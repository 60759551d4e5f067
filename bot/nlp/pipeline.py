"""Build the spaCy pipeline used for entity recognition and retrieval.

No pretrained English model is available here, so the pipeline is ``spacy.blank("en")``
with the lookup lemmatizer (tables from spacy-lookups-data) and an EntityRuler whose
patterns come from ``knowledge/terms.yml`` and ``knowledge/vocabulary.yml``. Patterns
match on lemmas of lower-cased text, so "Health Visitors" and "health visitor" agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from bot.knowledge.schema import Term, VocabularyItem
from bot.text.normalise import normalise

AGENCY_LABEL = "agency"
AGE_STAGE_LABEL = "age_stage"
# "5-11 year olds", "a 7 year old", "7yo", "aged 7" (in normalised, lower-case text).
_AGE = re.compile(r"\b(\d{1,2})\s*(?:-|to)\s*(\d{1,2})\s*-?\s*(?:years?|yrs?)[\s-]*olds?\b"
                  r"|\b(\d{1,2})\s*-?\s*(?:years?|yrs?)[\s-]*olds?\b|\b(\d{1,2})\s*yo\b|\baged (\d{1,2})\b")
# Function words spaCy lists as stop words but that carry meaning in this domain.
_KEEP = {"whole", "together", "alone", "own", "first", "before", "after", "against", "nobody", "never", "not", "no"}


@dataclass(frozen=True)
class Mention:
    """An entity found in text: its label, canonical id and the words that matched."""

    label: str
    id: str
    text: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Analysis:
    """What the pipeline found in one text."""

    lemmas: tuple[str, ...]
    mentions: tuple[Mention, ...]

    def ids(self, label: str | None = None) -> list[str]:
        return [m.id for m in self.mentions if label is None or m.label == label]


def patterns_for(
    terms: list[Term], agencies: dict[str, VocabularyItem], age_stages: dict[str, VocabularyItem]
) -> list[dict]:
    """EntityRuler phrase patterns for every term, agency and age stage synonym."""
    patterns: list[dict] = []
    for term in terms:
        patterns += [{"label": term.label, "pattern": normalise(p), "id": term.id} for p in term.phrases]
    for label, items in ((AGENCY_LABEL, agencies), (AGE_STAGE_LABEL, age_stages)):
        for item in items.values():
            patterns += [{"label": label, "pattern": normalise(p), "id": item.id} for p in (item.label, *item.synonyms)]
    return patterns


def build_nlp(patterns: list[dict]) -> Language:
    """A blank English pipeline with lookup lemmas and an EntityRuler over lemmas."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LEMMA", "overwrite_ents": True})
    nlp.initialize()
    # initialize() clears the ruler, so patterns go in afterwards.
    ruler.add_patterns(patterns)
    return nlp


class TextAnalyser:
    """Turns text into content lemmas and domain mentions, for NLU and retrieval alike."""

    def __init__(self, nlp: Language, age_years: dict[str, tuple[int, int]] | None = None):
        self.nlp = nlp
        self._stop_words = nlp.Defaults.stop_words - _KEEP
        self.age_years = age_years or {}

    def __call__(self, text: str) -> Analysis:
        doc = self.nlp(normalise(text)[:5000])
        lemmas = tuple(
            t.lemma_ or t.text
            for t in doc
            if not (t.is_punct or t.is_space or t.text in self._stop_words or t.lemma_ in self._stop_words)
            and any(ch.isalnum() for ch in t.text)
        )
        mentions = tuple(Mention(e.label_, e.ent_id_ or e.text, e.text, e.start_char, e.end_char) for e in doc.ents)
        return Analysis(lemmas=lemmas, mentions=mentions + self._ages(doc.text, mentions))

    def _ages(self, text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
        """Age stages named by numbers ("a 7 year old", "5-11 year olds", "15yo"), where no age
        stage was named in words at the same place."""
        found = []
        for match in _AGE.finditer(text):
            numbers = [int(n) for n in match.groups() if n is not None]
            middle = (min(numbers) + max(numbers)) / 2
            stage = next((sid for sid, (low, high) in self.age_years.items() if low <= middle <= high + 0.5), None)
            taken = any(m.label == AGE_STAGE_LABEL and m.start < match.end() and match.start() < m.end for m in mentions)
            if stage is not None and not taken:
                found.append(Mention(AGE_STAGE_LABEL, stage, match.group(), match.start(), match.end()))
        return tuple(found)


@lru_cache(maxsize=4)
def analyser_for(knowledge_dir: Path) -> TextAnalyser:
    """The analyser for a knowledge folder, built once per process."""
    from bot.knowledge.loader import load_vocabulary

    terms, agencies, age_stages = load_vocabulary(Path(knowledge_dir))
    years = {item.id: item.years for item in age_stages.values() if item.years is not None}
    return TextAnalyser(build_nlp(patterns_for(terms, agencies, age_stages)), years)
