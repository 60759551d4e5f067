"""Answer, clarify ("did you mean") or "not covered", as one decision over both signals."""

import numpy as np
import pytest

from bot.knowledge.answering import MEANING_ANSWER, MEANING_SUGGEST, Answering
from bot.knowledge.search import Hit
from bot.knowledge.semantic import SemanticIndex


class Messages(dict):
    def not_covered_topic(self, text):
        return None


def entry(entry_id, topic="topic"):
    from bot.knowledge.schema import Citation, Entry

    return Entry(id=entry_id, topic=topic, title=f"Title of {entry_id}", questions=(f"question {entry_id}",),
                 answer=f"Answer of {entry_id}.", citations=(Citation("s", "x"),))


@pytest.fixture
def answering():
    return Answering(index=None, entries={}, intent_topics={"ask_x": "topic"}, messages=Messages())


def test_strong_words_answer(answering):
    assert answering.decide([Hit(entry("a"), score=12.0, coverage=0.6)], None, 0.0).kind == "answer"


def test_close_meaning_answers_where_few_words_match(answering):
    hit = Hit(entry("a"), score=0.0, coverage=0.0, meaning=MEANING_ANSWER + 0.01)
    assert answering.decide([hit], None, 0.0).kind == "answer"


def test_near_meaning_asks_which_was_meant(answering):
    hit = Hit(entry("a"), score=0.0, coverage=0.0, meaning=MEANING_SUGGEST + 0.01)
    assert answering.decide([hit], None, 0.0).kind == "suggest"


def test_weak_evidence_is_not_covered(answering):
    assert answering.decide([Hit(entry("a"), score=2.0, coverage=0.1, meaning=0.3)], None, 0.0).kind == "none"
    assert answering.decide([], None, 0.0).kind == "none"


def test_an_out_of_scope_reading_is_never_offered_choices(answering):
    hit = Hit(entry("a"), score=4.0, coverage=0.3, meaning=MEANING_SUGGEST + 0.01)
    assert answering.decide([hit], "out_of_scope", 0.9).kind == "none"


class FakeEncoder:
    """Vectors along fixed axes: texts naming the same word point the same way."""

    AXES = ["money", "school", "court"]

    def encode(self, texts):
        rows = []
        for text in texts:
            row = np.array([1.0 if axis in text.lower() else 0.0 for axis in self.AXES] + [0.1])
            rows.append(row / np.linalg.norm(row))
        return np.stack(rows)


def test_closeness_is_the_best_of_an_entrys_texts():
    money = entry("money")
    school = entry("school")
    index = SemanticIndex([money, school], FakeEncoder())
    closeness = index.closeness("he takes her money")
    assert closeness["money"] > 0.9 > closeness["school"]
