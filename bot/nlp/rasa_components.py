"""Rasa NLU graph components that wrap the project's rule-based spaCy pipeline.

Only Rasa imports this module (it is named in ``config.yml``); the rest of ``bot``
stays free of Rasa so it can be unit-tested on its own.

- ``DomainEntityExtractor`` adds agencies, age stages and domain terms (MARAC, DASH,
  Drive...) as entities whose values are canonical ids, e.g. ``agency=health_visitor``.
- ``TfidfIntentClassifier`` predicts intents with ``bot.nlp.intents.IntentModel``
  (logistic regression over TF-IDF words, characters and the analyser's lemmas and term ids).
- ``ImmediateDangerClassifier`` runs after the intent classifier and makes ``immediate_danger``
  mean exactly what the action server's safety check calls the takeover (``bot.safety.check``:
  patterns and the danger classifier, with the sentence encoder as configured): forced when the
  check says takeover, whatever NLU predicted, and replaced by the next intent when NLU predicted
  it but the check does not.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import load_settings
from bot.nlp.encoder import load_encoder
from bot.nlp.intents import IntentModel, lemma_views
from bot.nlp.pipeline import analyser_for
from bot.safety.check import load_danger_check

DANGER_INTENT = "immediate_danger"
RANKING_LENGTH = 10
log = logging.getLogger(__name__)
MODEL_FILE = "intent_model.skops"


class _RuleBased:
    """What both components share: nothing to train, nothing to persist, no configuration."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_RuleBased":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class DomainEntityExtractor(_RuleBased, GraphComponent, EntityExtractorMixin):
    """Entities from the EntityRuler of the project's blank-English spaCy pipeline."""

    def __init__(self) -> None:
        self.analyse = analyser_for(load_settings().knowledge_dir)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload: its entities are given explicitly
            entities = [
                {
                    ENTITY_ATTRIBUTE_TYPE: mention.label,
                    ENTITY_ATTRIBUTE_VALUE: mention.id,
                    ENTITY_ATTRIBUTE_START: mention.start,
                    ENTITY_ATTRIBUTE_END: mention.end,
                    "text": mention.text,
                }
                for mention in self.analyse(text).mentions
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ImmediateDangerClassifier(_RuleBased, GraphComponent, IntentClassifier):
    """``immediate_danger`` if and only if the safety check says takeover, so the Rasa server and
    the action server agree on which messages get the 999 takeover."""

    def __init__(self) -> None:
        # The action server's check (bot.dialogue.build): with the sentence encoder unless
        # DASG_ENCODER=off, the examples' embeddings from the var folder's cache. The encoder
        # loads once per process, when the model is loaded (a few seconds), not on a first message.
        settings = load_settings()
        encoder = load_encoder(settings.var_dir) if settings.encoder else None
        self.danger = load_danger_check(settings.safety_file, encoder=encoder,
                                        cache_dir=settings.var_dir / "embeddings")

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload: its intent is given explicitly
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != DANGER_INTENT]
            if self.danger.matches(text):
                intent = {INTENT_NAME_KEY: DANGER_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == DANGER_INTENT:
                # NLU's guess alone is not the takeover: the next intent stands (the action
                # server's check still gives a message that may describe danger the reminder).
                message.set(INTENT, ranking[0] if ranking else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                            add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Intent classification with the project's ``IntentModel`` (needs no Rasa featurizer)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"regularisation": 50.0, "max_iter": 2000, "random_state": 42}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: IntentModel | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.model = model
        self.analyse = analyser_for(load_settings().knowledge_dir)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        texts = [e.get(TEXT) for e in examples]
        self.model = IntentModel(regularisation=self.config["regularisation"], max_iter=self.config["max_iter"],
                                 random_state=self.config["random_state"])
        self.model.fit(texts, lemma_views(self.analyse, texts), [e.get(INTENT) for e in examples])
        with self._storage.write_to(self._resource) as directory:
            self.model.save(directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfIntentClassifier":
        model = None
        with ExitStack() as stack:
            try:
                directory = stack.enter_context(model_storage.read_from(resource))
            except ValueError:  # Rasa's "resource does not exist": this model was never trained
                directory = None
            if directory is None or not (directory / MODEL_FILE).exists():
                log.warning("No trained intent model found: every message will get no intent.")
            else:
                model = IntentModel.load(directory / MODEL_FILE)  # a refused or broken model fails loudly
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        rankings = self.model.rank(texts, lemma_views(self.analyse, texts))
        for message, ranking in zip(messages, rankings, strict=True):
            ranked = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                      for name, confidence in ranking[:RANKING_LENGTH]]
            message.set(INTENT, ranked[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranked, add_to_output=True)
        return messages
