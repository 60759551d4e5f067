"""The intent model: trained on a few examples it ranks intents, and a saved model ranks the same."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.config import PROJECT_ROOT
from bot.nlp.intents import IntentModel, lemma_view, lemma_views
from bot.nlp.pipeline import analyser_for

EXAMPLES = {
    "ask_marac": ["what is a marac", "when does a case go to marac", "what happens at the risk assessment conference",
                  "who attends marac meetings"],
    "greet": ["hello", "hi there", "good morning", "hey"],
    "ask_dash": ["what is the dash checklist", "who completes a dash", "dash risk checklist questions",
                 "how do I use the dash"],
}


@pytest.fixture(scope="module")
def analyser():
    return analyser_for(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def model(analyser):
    texts = [t for examples in EXAMPLES.values() for t in examples]
    intents = [i for i, examples in EXAMPLES.items() for _ in examples]
    return IntentModel().fit(texts, lemma_views(analyser, texts), intents)


def test_lemma_view_names_domain_terms_by_their_canonical_id(analyser):
    assert "term:marac" in lemma_view(analyser, "Multi-Agency Risk Assessment Conference").split()
    assert lemma_view(analyser, "MARAC meetings").split() == ["marac", "meeting", "term:marac"]


def test_ranks_unseen_wordings_with_probabilities(model, analyser):
    texts = ["can you tell me about multi-agency risk assessment conferences", "hiya", "DASH risk identification"]
    ranked = model.rank(texts, lemma_views(analyser, texts))
    assert [r[0][0] for r in ranked] == ["ask_marac", "greet", "ask_dash"]
    for ranking in ranked:
        assert sorted(i for i, _ in ranking) == sorted(EXAMPLES)
        assert abs(sum(p for _, p in ranking) - 1.0) < 1e-6


def test_saved_model_loads_and_ranks_the_same(model, analyser, tmp_path):
    path = tmp_path / "intents.skops"
    model.save(path)
    loaded = IntentModel.load(path)
    texts = ["who goes to marac"]
    assert loaded.rank(texts, lemma_views(analyser, texts)) == model.rank(texts, lemma_views(analyser, texts))


def test_untrained_model_and_empty_data_fail_clearly(analyser):
    with pytest.raises(RuntimeError, match="not been trained"):
        IntentModel().rank(["hello"], ["hello"])
    with pytest.raises(ValueError, match="no training examples"):
        IntentModel().fit([], [], [])


def test_a_model_holding_unexpected_types_is_refused_with_its_own_error(tmp_path):
    import skops.io as sio

    from bot.nlp.intents import UntrustedModelError

    path = tmp_path / "intents.skops"
    sio.dump({"regularisation": 1.0, "vectorisers": [], "classifier": Fraction(1, 3)}, path)
    with pytest.raises(UntrustedModelError, match="refusing to load unexpected types"):
        IntentModel.load(path)


class _Storage:
    """A model storage whose resource is missing, or holds ``files``."""

    def __init__(self, folder=None):
        self.folder = folder

    def read_from(self, resource):
        from contextlib import contextmanager

        @contextmanager
        def reading():
            if self.folder is None:
                raise ValueError(f"Resource '{resource}' does not exist.")
            yield self.folder

        return reading()


def test_the_rasa_component_tolerates_only_a_missing_model(tmp_path, caplog):
    from bot.nlp.intents import UntrustedModelError
    from bot.nlp.rasa_components import MODEL_FILE, TfidfIntentClassifier

    config = TfidfIntentClassifier.get_default_config()
    missing = TfidfIntentClassifier.load(config, _Storage(None), "intents", None)
    assert missing.model is None and "No trained intent model found" in caplog.text
    empty = TfidfIntentClassifier.load(config, _Storage(tmp_path), "intents", None)
    assert empty.model is None

    import skops.io as sio

    sio.dump({"regularisation": 1.0, "vectorisers": [], "classifier": Fraction(1, 3)}, tmp_path / MODEL_FILE)
    with pytest.raises(UntrustedModelError):
        TfidfIntentClassifier.load(config, _Storage(tmp_path), "intents", None)
