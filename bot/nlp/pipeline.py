"""Build the spaCy pipeline used for entity recognition and retrieval.

No pretrained English model is available here, so the pipeline is ``spacy.blank("en")``
with the lookup lemmatizer (tables from spacy-lookups-data) and an EntityRuler whose
patterns come from ``knowledge/terms.yml`` and ``knowledge/vocabulary.yml``. Patterns
match on lemmas of lower-cased text, so "Health Visitors" and "health visitor" agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from bot.knowledge.schema import Term, VocabularyItem
from bot.text.normalise import normalise

AGENCY_LABEL = "agency"
AGE_STAGE_LABEL = "age_stage"
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

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._stop_words = nlp.Defaults.stop_words - _KEEP

    def __call__(self, text: str) -> Analysis:
        doc = self.nlp(normalise(text)[:5000])
        lemmas = tuple(
            t.lemma_ or t.text
            for t in doc
            if not (t.is_punct or t.is_space or t.text in self._stop_words or t.lemma_ in self._stop_words)
            and any(ch.isalnum() for ch in t.text)
        )
        mentions = tuple(Mention(e.label_, e.ent_id_ or e.text, e.text, e.start_char, e.end_char) for e in doc.ents)
        return Analysis(lemmas=lemmas, mentions=mentions)


@lru_cache(maxsize=4)
def analyser_for(knowledge_dir: Path) -> TextAnalyser:
    """The analyser for a knowledge folder, built once per process."""
    from bot.knowledge.loader import load_vocabulary

    terms, agencies, age_stages = load_vocabulary(Path(knowledge_dir))
    return TextAnalyser(build_nlp(patterns_for(terms, agencies, age_stages)))
