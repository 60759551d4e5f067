"""The immediate-danger check that runs on every message before anything else is decided.

Two signals, one decision in three tiers (``takeover``, ``reminder``, ``none``): the patterns of
``knowledge/safety/patterns.yml`` and the classifier trained on ``knowledge/safety/examples.yml``
(``bot.safety.classifier``), which with the sentence encoder also reads the message's meaning.
A present-danger pattern with no past, hypothetical or training cue, or a high classifier
probability, is the takeover; a medium probability is the reminder. The action server and the
Rasa NLU component use this same check (with the encoder unless ``DASG_ENCODER=off``), so both
read a message alike.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from bot.safety.classifier import (
    NONE,
    TAKEOVER,
    DangerClassifier,
    Figures,
    SafetyExamples,
    Score,
    Thresholds,
    cross_validated_scores,
    decide,
    figures,
    fit_thresholds,
    load_examples,
)
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_mapping, reporter

if TYPE_CHECKING:
    from bot.nlp.encoder import SentenceEncoder

EXAMPLES_FILE = "examples.yml"  # next to the patterns file unless given
EMBEDDINGS_FILE = "safety.npz"  # the examples' embeddings, in the cache folder given
# What a negated danger phrase becomes: no pattern matches it, and the classifier learns from it.
NEGATED = "notindanger"


@dataclass(frozen=True)
class Patterns:
    """Compiled danger and negation patterns, and the named cues, from ``patterns.yml``."""

    danger: tuple[re.Pattern, ...]
    negation: tuple[re.Pattern, ...]
    not_present: dict[str, tuple[re.Pattern, ...]]  # cue name -> patterns: not happening now
    present: dict[str, tuple[re.Pattern, ...]]  # cue name -> patterns: signs it is happening now

    def clean(self, text: str | None) -> str:
        """The message normalised, each negated danger phrase ("not in immediate danger") one token."""
        cleaned = normalise(text or "")
        for pattern in self.negation:
            cleaned = pattern.sub(f" {NEGATED} ", cleaned)
        return cleaned

    def matches(self, cleaned: str) -> bool:
        """A danger pattern matches the cleaned text."""
        return _any(self.danger, cleaned)

    def not_now(self, cleaned: str) -> bool:
        """A past, hypothetical, training, review or habitual cue is in the cleaned text."""
        return any(_any(group, cleaned) for group in self.not_present.values())

    def present_danger(self, cleaned: str) -> bool:
        """A danger pattern matches and nothing says it is not happening now."""
        return self.matches(cleaned) and not self.not_now(cleaned)

    def cues(self, cleaned: str) -> str:
        """The classifier's view of the signals: the names of the cues found, and whether a
        danger pattern matched (``danger_pattern``), space-separated."""
        names = [f"not_present_{name}" for name, group in self.not_present.items() if _any(group, cleaned)]
        names += [f"present_{name}" for name, group in self.present.items() if _any(group, cleaned)]
        if self.matches(cleaned):
            names.append("danger_pattern")
        return " ".join(names) or "no_cue"


def _any(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


@dataclass(frozen=True)
class Assessment:
    """What the check makes of one message."""

    tier: str
    pattern: bool  # a present-danger pattern matched, with no not-present cue
    score: Score


NO_DANGER = Assessment(NONE, False, Score(0.0, 0.0))


@dataclass(frozen=True)
class DangerCheck:
    """The patterns, the classifier trained on the examples, and the thresholds."""

    patterns: Patterns
    classifier: DangerClassifier
    thresholds: Thresholds

    def assess(self, text: str | None) -> Assessment:
        """The tier of a message; a button payload (``/intent...``) is never danger."""
        if not text or not text.strip() or text.startswith("/"):
            return NO_DANGER
        cleaned = self.patterns.clean(text)
        pattern = self.patterns.present_danger(cleaned)
        # The embedding reads the message as written, as the answer search does: one encoding a turn.
        vectors = self.classifier.embed([text]) if self.classifier.embed is not None else None
        (score,) = self.classifier.scores([cleaned], [self.patterns.cues(cleaned)], vectors)
        return Assessment(decide(pattern, score, self.thresholds), pattern, score)

    def tier(self, text: str | None) -> str:
        return self.assess(text).tier

    def matches(self, text: str | None) -> bool:
        """True when ``text`` describes a present, immediate danger: the 999 takeover."""
        return self.tier(text) == TAKEOVER


def load_patterns(path: Path) -> Patterns:
    """Read and compile the safety patterns, reporting every problem with file, field and why."""
    data = read_mapping(path, str(path))
    problems: list[Problem] = []
    report = reporter(problems, str(path))
    patterns = Patterns(
        danger=compile_patterns(data.get("danger"), "danger", report),
        negation=compile_patterns(data.get("negation"), "negation", report, required=False),
        not_present=_cue_groups(data.get("not_present"), "not_present", report),
        present=_cue_groups(data.get("present"), "present", report),
    )
    if problems:
        raise ContentError(problems)
    return patterns


def _cue_groups(raw: object, field: str, report) -> dict[str, tuple[re.Pattern, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report(field, "must map each cue name to a list of regular expressions")
        return {}
    groups = {}
    for name, patterns in raw.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+", name):
            report(field, f"cue name {name!r}: use lower-case letters and underscores")
            continue
        groups[name] = compile_patterns(patterns, f"{field}.{name}", report)
    return groups


def load_danger_check(path: Path, examples: Path | None = None, encoder: "SentenceEncoder | None" = None,
                      cache_dir: Path | None = None) -> DangerCheck:
    """The check from the patterns at ``path`` and the examples (default: ``examples.yml`` next to
    it), the classifier trained on them; once per process for the same arguments.

    With ``encoder`` the classifier also reads each message's sentence embedding, and the
    thresholds are the file's ``thresholds``; without, ``thresholds_without_encoder``. The
    examples' embeddings are kept in ``cache_dir/safety.npz`` by text hash (without
    ``cache_dir``: encoded at every start), so a restart encodes only the examples edited since.
    """
    cache = Path(cache_dir) if cache_dir is not None and encoder is not None else None  # one check per variant
    return _load_danger_check(Path(path), Path(examples or Path(path).with_name(EXAMPLES_FILE)), encoder, cache)


@lru_cache(maxsize=4)
def _load_danger_check(path: Path, examples: Path, encoder: "SentenceEncoder | None",
                       cache_dir: Path | None) -> DangerCheck:
    patterns = load_patterns(path)
    labelled = load_examples(examples)
    cleaned = [patterns.clean(t) for t in labelled.texts]
    vectors = example_vectors(labelled.texts, encoder, cache_dir) if encoder is not None else None
    classifier = DangerClassifier(encoder.encode if encoder is not None else None)
    classifier.fit(cleaned, [patterns.cues(t) for t in cleaned], labelled.labels, vectors)
    return DangerCheck(patterns, classifier, labelled.thresholds_for(encoder is not None))


def example_vectors(texts: Sequence[str], encoder: "SentenceEncoder", cache_dir: Path | None = None) -> np.ndarray:
    """The embeddings of the examples as written, from the on-disk cache where it has them."""
    if cache_dir is None:
        return encoder.encode(list(texts))
    from bot.nlp.encoder import EmbeddingStore

    try:
        return EmbeddingStore(Path(cache_dir) / EMBEDDINGS_FILE, encoder).vectors(texts)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile):  # the other server writing it this moment
        return encoder.encode(list(texts))


@dataclass(frozen=True)
class Evaluation:
    """Cross-validated tiers of the labelled examples under the file's thresholds for the
    variant (with or without the encoder), and the thresholds the fitting rule would choose on
    the same scores."""

    examples: SafetyExamples
    encoder: bool  # the variant: the classifier read the examples' embeddings
    thresholds: Thresholds  # the file's, for this variant
    tiers: tuple[str, ...]
    figures: Figures
    fitted: Thresholds
    pattern_hits: dict[str, int]  # per label: examples a present-danger pattern takes over


def evaluate(patterns: Patterns, examples: SafetyExamples, folds: int = 5, seeds: Sequence[int] = (1, 2, 3),
             vectors: np.ndarray | None = None) -> Evaluation:
    """Every example decided as the live check would, by classifiers that never saw it; with
    ``vectors`` (the examples' embeddings, see ``example_vectors``) as the check with the encoder."""
    cleaned = [patterns.clean(t) for t in examples.texts]
    scores = cross_validated_scores(cleaned, [patterns.cues(t) for t in cleaned], examples.labels, folds, seeds,
                                    vectors)
    hits = [patterns.present_danger(t) for t in cleaned]
    encoder = vectors is not None
    thresholds = examples.thresholds_for(encoder)
    tiers = tuple(decide(p, s, thresholds) for p, s in zip(hits, scores, strict=True))
    pattern_hits = {label: sum(h for h, lab in zip(hits, examples.labels, strict=True) if lab == label)
                    for label in dict.fromkeys(examples.labels)}
    return Evaluation(examples, encoder, thresholds, tiers, figures(examples.labels, tiers),
                      fit_thresholds(examples.labels, scores, hits), pattern_hits)
