"""The immediate-danger classifier: labelled examples (``knowledge/safety/examples.yml``), a
TF-IDF (+ sentence embedding) logistic regression model over them, and the cross-validation
that fits and measures the thresholds of the three tiers.

Plain scikit-learn, trained when the check is first loaded (about a thousand short messages:
about a second), so the action server and the Rasa server each train the same model from the
same file and agree on every message; no model is saved (the examples' embeddings are cached
by ``bot.safety.check``).

Three views of each message, and a fourth with the sentence encoder:
- words, word pairs and triples (TF-IDF, sublinear), apostrophes dropped ("he's" and "hes"
  alike), stop words kept: the tense and time cues are the point ("is", "just", "right now",
  "tonight" against "was", "used to", "last year", "what if", "in the review");
- character n-grams within words (2-5, TF-IDF), which absorb typos and texting spellings;
- the names of the cues ``patterns.yml`` finds (past, hypothetical, training, now, just, under
  way...) and whether a danger pattern matched, at a lower weight;
- with an embedder (``bot.nlp.encoder``), the message's sentence embedding: its meaning, so
  present danger worded unlike any example still lands near the examples that mean the same.
  The two variants score differently, so each has its own thresholds in the examples file.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import floor
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, read_mapping, reporter

TAKEOVER, REMINDER, NONE = "takeover", "reminder", "none"
TIERS = (TAKEOVER, REMINDER, NONE)
MIN_EXAMPLES = 20  # per tier: fewer cannot be cross-validated meaningfully
# How thresholds are fitted (see examples.yml): the share of `none` examples allowed the
# takeover, and the margin below the lowest-scored takeover example for the reminder.
MAX_FALSE_TAKEOVER = 0.03
REMINDER_MARGIN = 0.02
# Where examples.yml keeps the thresholds of each variant of the check.
THRESHOLD_FIELDS = {True: "thresholds", False: "thresholds_without_encoder"}  # with the encoder?

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> one L2-normalised row each


@dataclass(frozen=True)
class Thresholds:
    """``takeover`` applies to P(takeover); ``reminder`` to P(takeover) + P(reminder)."""

    takeover: float
    reminder: float


@dataclass(frozen=True)
class Score:
    """What the classifier says of one message."""

    takeover: float  # P(takeover)
    danger: float  # P(takeover) + P(reminder): at least the reminder


def decide(pattern: bool, score: Score, thresholds: Thresholds) -> str:
    """The tier: a present-danger pattern (with no past or hypothetical cue) or a high
    P(takeover) is the takeover; a medium probability of danger is the reminder."""
    if pattern or score.takeover >= thresholds.takeover:
        return TAKEOVER
    if score.danger >= thresholds.reminder:
        return REMINDER
    return NONE


@dataclass(frozen=True)
class SafetyExamples:
    """The labelled messages, in file order, and the thresholds fitted for each variant."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    thresholds: Thresholds  # for the check with the sentence encoder's view (the default)
    thresholds_without_encoder: Thresholds  # for the check without it (DASG_ENCODER=off)

    def count(self, tier: str) -> int:
        return self.labels.count(tier)

    def thresholds_for(self, encoder: bool) -> Thresholds:
        return self.thresholds if encoder else self.thresholds_without_encoder


def load_examples(path: Path) -> SafetyExamples:
    """Read and check the examples file; every problem is reported with file, field and why."""
    file = str(path)
    data = read_mapping(path, file)
    problems: list[Problem] = []
    thresholds = {encoder: _thresholds(data.get(field), reporter(problems, file, field))
                  for encoder, field in THRESHOLD_FIELDS.items()}
    texts: list[str] = []
    labels: list[str] = []
    raw = data.get("examples")
    if not isinstance(raw, dict):
        problems.append(Problem(file, "", "examples", f"must map each tier ({', '.join(TIERS)}) to a list of messages"))
        raw = {}
    for tier in [t for t in raw if t not in TIERS]:
        problems.append(Problem(file, "examples", str(tier), f"unknown tier: use {', '.join(TIERS)}"))
    seen: dict[str, str] = {}
    for tier in TIERS:
        report = reporter(problems, file, "examples")
        items = raw.get(tier)
        if not isinstance(items, list):
            report(tier, "missing: give a list of messages")
            continue
        if len(items) < MIN_EXAMPLES:
            report(tier, f"has {len(items)} messages: give at least {MIN_EXAMPLES}")
        for index, item in enumerate(items, start=1):
            field = f"{tier}[{index}]"
            if not isinstance(item, str) or not item.strip():
                report(field, _not_a_message(item))
                continue
            key = normalise(item)
            if key in seen:
                report(field, f"repeats a message already under {seen[key]}: {item!r}")
                continue
            seen[key] = tier
            texts.append(item)
            labels.append(tier)
    if problems:
        raise ContentError(problems)
    return SafetyExamples(tuple(texts), tuple(labels), thresholds[True], thresholds[False])


def _not_a_message(item: Any) -> str:
    if isinstance(item, bool):
        return f"reads as {str(item).lower()}, not a message: put it in quotes"
    if isinstance(item, dict):
        return "reads as a mapping (a ': ' in it?), not a message: put it in quotes"
    return "must be a non-empty message"


def _thresholds(raw: Any, report) -> Thresholds:
    if not isinstance(raw, dict):
        report("", "must give 'takeover' and 'reminder', each a probability between 0 and 1")
        return Thresholds(1.0, 1.0)
    values = {}
    for name in ("takeover", "reminder"):
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            report(name, f"must be a probability between 0 and 1 (exclusive), not {value!r}")
            continue
        values[name] = float(value)
    if len(values) == 2 and values["reminder"] > values["takeover"]:
        report("reminder", f"must not be above takeover ({values['reminder']} > {values['takeover']})")
    return Thresholds(values.get("takeover", 1.0), values.get("reminder", 1.0))


def classifier_text(cleaned: str) -> str:
    """The text the classifier sees: normalised (by the check), apostrophes dropped."""
    return cleaned.replace("'", "")


class DangerClassifier:
    """Multinomial logistic regression over word and character TF-IDF views of the text, the
    names of the cues the safety patterns find (see ``Patterns.cues``) and, given an embedder,
    the sentence embedding of the message."""

    # The cue view's weight next to the two text views: cross-validated on the examples, 0.3
    # gave the best takeover recall (higher weights let a few cues outvote the wording).
    CUE_WEIGHT = 0.3
    # The embedding view's weight (its rows have length 1, like each TF-IDF view's), chosen by the
    # cross-validated takeover recall at the fitting rule, each weight with its own thresholds:
    # 0.5, 0.75, 1.0, 1.5 and 2.0 gave 97.4, 97.7, 98.4, 98.4 and 98.1% on the 951 examples of
    # the first version and 95.8, 97.3, 97.5, 96.3 and 95.8% on the 1,122 of the tenth batch;
    # 1.0 is at or near the best on both, and higher weights give more reminders on `none`
    # (8.8% at 1.0, 13.2% at 2.0).
    EMBEDDING_WEIGHT = 1.0

    def __init__(self, embed: Embed | None = None, regularisation: float = 10.0, random_state: int = 42):
        self.embed = embed
        self.regularisation = regularisation
        self.random_state = random_state
        self._vectorisers: list = []
        self._model = None
        self._embedded = False  # trained with the embedding view

    def fit(self, texts: Sequence[str], cues: Sequence[str], labels: Sequence[str],
            vectors: np.ndarray | None = None) -> "DangerClassifier":
        """Train on cleaned texts (see ``Patterns.clean``), their cue views and their tiers.
        ``vectors``: the messages' embeddings, when already known (default: ``embed(texts)``);
        given either, the classifier has the embedding view and needs it to score."""
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self._vectorisers = [
            TfidfVectorizer(ngram_range=(1, 3), token_pattern=r"(?u)\b\w+\b", sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            CountVectorizer(token_pattern=r"\S+", binary=True),
        ]
        views = self._views(texts, cues)
        dense = self._embedding(texts, vectors)
        self._embedded = dense is not None
        features = self._stack([v.fit_transform(view) for v, view in zip(self._vectorisers, views, strict=True)], dense)
        self._model = LogisticRegression(C=self.regularisation, class_weight="balanced", solver="newton-cg", max_iter=1000,
                                         random_state=self.random_state)
        self._model.fit(features, list(labels))
        return self

    def scores(self, texts: Sequence[str], cues: Sequence[str], vectors: np.ndarray | None = None) -> list[Score]:
        """P(takeover) and P(takeover or reminder) for each cleaned text and its cue view (and,
        if trained with the embedding view, its embedding: ``vectors`` or ``embed(texts)``)."""
        if self._model is None:
            raise RuntimeError("the danger classifier has not been trained")
        views = self._views(texts, cues)
        dense = self._embedding(texts, vectors) if self._embedded else None
        if self._embedded and dense is None:
            raise RuntimeError("the danger classifier was trained with embeddings: give vectors or an embedder")
        features = self._stack([v.transform(view) for v, view in zip(self._vectorisers, views, strict=True)], dense)
        classes = list(self._model.classes_)
        take, remind = classes.index(TAKEOVER), classes.index(REMINDER)
        return [Score(float(row[take]), float(row[take] + row[remind])) for row in self._model.predict_proba(features)]

    def _embedding(self, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray | None:
        if vectors is None and self.embed is not None:
            vectors = self.embed(list(texts))
        if vectors is not None and len(vectors) != len(texts):
            raise ValueError(f"{len(vectors)} embeddings for {len(texts)} texts")
        return vectors

    @staticmethod
    def _views(texts: Sequence[str], cues: Sequence[str]) -> list[list[str]]:
        prepared = [classifier_text(t) for t in texts]
        return [prepared, prepared, list(cues)]

    def _stack(self, matrices: list, dense: np.ndarray | None):
        from scipy.sparse import csr_matrix, hstack

        words, characters, cues = matrices
        blocks = [words, characters, cues * self.CUE_WEIGHT]
        if dense is not None:
            blocks.append(csr_matrix(self.EMBEDDING_WEIGHT * np.asarray(dense, dtype=np.float64)))
        return csr_matrix(hstack(blocks))


def cross_validated_scores(texts: Sequence[str], cues: Sequence[str], labels: Sequence[str], folds: int = 5,
                           seeds: Sequence[int] = (1, 2, 3), vectors: np.ndarray | None = None) -> list[Score]:
    """Each example scored only by models that did not see it: stratified ``folds``-fold
    cross-validation once per seed, the scores averaged over the seeds. With ``vectors`` (the
    examples' embeddings, one row each), the models have the embedding view."""
    from sklearn.model_selection import StratifiedKFold

    def rows(indices):
        return None if vectors is None else vectors[indices]

    totals = [[0.0, 0.0] for _ in texts]
    for seed in seeds:
        for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, labels):
            model = DangerClassifier().fit([texts[i] for i in train], [cues[i] for i in train],
                                           [labels[i] for i in train], rows(train))
            scored = model.scores([texts[i] for i in test], [cues[i] for i in test], rows(test))
            for i, score in zip(test, scored, strict=True):
                totals[i][0] += score.takeover
                totals[i][1] += score.danger
    return [Score(take / len(seeds), danger / len(seeds)) for take, danger in totals]


def fit_thresholds(labels: Sequence[str], scores: Sequence[Score], patterns: Sequence[bool],
                   max_false_takeover: float = MAX_FALSE_TAKEOVER, margin: float = REMINDER_MARGIN) -> Thresholds:
    """The rule examples.yml describes: takeover as low as the `none` examples allow (at most
    ``max_false_takeover`` of them taken over, patterns included), reminder low enough that
    every takeover example gets at least the reminder, less ``margin``."""
    none = [(s, p) for label, s, p in zip(labels, scores, patterns, strict=True) if label == NONE]
    allowed = floor(max_false_takeover * len(none)) - sum(p for _, p in none)
    highest = sorted((s.takeover for s, p in none if not p), reverse=True)
    above = highest[max(allowed, 0)] if highest and max(allowed, 0) < len(highest) else 0.0
    takeover = min(0.99, _up(above + 0.005))
    missed = [s.danger for label, s, p in zip(labels, scores, patterns, strict=True)
              if label == TAKEOVER and not p and s.takeover < takeover]
    reminder = _down(min(missed, default=takeover) - margin)
    return Thresholds(takeover=takeover, reminder=max(0.01, min(reminder, takeover)))


def _up(value: float) -> float:
    return -floor(round(-value * 100, 6)) / 100  # round first: 0.3 - 0.02 is 0.27999...


def _down(value: float) -> float:
    return floor(round(value * 100, 6)) / 100


@dataclass(frozen=True)
class Figures:
    """How each labelled tier came out in cross-validation: ``outcomes[label][tier]`` counts."""

    outcomes: dict[str, dict[str, int]]

    def share(self, label: str, *tiers: str) -> float:
        row = self.outcomes[label]
        total = sum(row.values())
        return sum(row[t] for t in tiers) / total if total else 0.0

    @property
    def takeover_recall(self) -> float:
        return self.share(TAKEOVER, TAKEOVER)

    @property
    def takeover_at_least_reminder(self) -> float:
        return self.share(TAKEOVER, TAKEOVER, REMINDER)

    @property
    def false_takeover(self) -> float:
        return self.share(NONE, TAKEOVER)


def figures(labels: Sequence[str], tiers: Sequence[str]) -> Figures:
    outcomes = {label: dict.fromkeys(TIERS, 0) for label in TIERS}
    for label, tier in zip(labels, tiers, strict=True):
        outcomes[label][tier] += 1
    return Figures(outcomes)
