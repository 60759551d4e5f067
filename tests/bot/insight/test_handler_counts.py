"""What each handler counts for the insight report, through the real router: the rows, by kind and
key (ids only, never words), nothing for a reply that was only tried, and a reply even when
counting fails."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from bot.dialogue.state import ConversationState, TailoringState
from bot.dialogue.types import Entity, Turn, payload
from bot.insight import events
from bot.insight.counters import counts
from bot.insight.events import Insight
from bot.knowledge.store import make_engine

SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))
DAY = date(2026, 11, 30)


def owners(router):
    """The handlers (or the talk they share) that take an ``insight``."""
    found = []
    for handler in router.handlers:
        owner = getattr(handler, "talk", handler)
        if hasattr(owner, "insight") and owner not in found:
            found.append(owner)
    return found


@pytest.fixture
def counted(router, tmp_path, monkeypatch):
    """The router counting into a database of this test's own, on a fixed day."""
    engine = make_engine(f"sqlite:///{tmp_path / 'counts.db'}")
    insight = Insight(engine, today=lambda: DAY)
    for owner in owners(router):
        monkeypatch.setattr(owner, "insight", insight)
    return engine


def rows(engine, kind=None) -> list[tuple[str, str, int]]:
    return [(c.kind, c.key, c.count) for c in counts(engine, kind) if c.day == DAY]


def ask(router, text, intent=None, confidence=0.0, state=SETTLED, entities=()):
    return router.respond(Turn(text, intent, confidence, tuple(entities), state=state))


def press(router, intent, state=SETTLED, **entities):
    return ask(router, payload(intent, **entities), intent, 1.0, state, [Entity(k, v) for k, v in entities.items()])


def test_the_knowledge_reflection_and_scenario_handlers_all_count(router):
    assert {type(owner).__name__ for owner in owners(router)} >= {
        "KnowledgeTalk", "ReflectionTalk", "ScenarioPlayHandler", "PausedScenarioHandler", "ScenarioRequestHandler"}


def test_an_answer_is_counted_by_topic_and_entry(router, counted):
    reply = ask(router, "what is MARAC?", "ask_marac", 0.9)
    assert reply.kind == "answer" and reply.state.last_entry_id == "marac-what-is"
    assert rows(counted) == [(events.ANSWER, "marac|marac-what-is", 1)]


def test_an_entry_chosen_with_a_button_is_counted_as_an_answer(router, counted):
    reply = press(router, "choose_entry", entry_id="dash-checklist")
    assert reply.state.last_entry_id == "dash-checklist"
    assert rows(counted) == [(events.ANSWER, "dash|dash-checklist", 1)]


def test_a_gap_is_counted_by_its_kind_and_the_closest_topic_never_the_words(router, counted):
    reply = ask(router, "within how many days must the strategy meeting happen after a referral?")
    assert reply.kind == "not_covered" and reply.messages[0].custom["gap"] == "timescales"
    ((kind, key, n),) = rows(counted)
    how, what, topic = key.split("|")
    assert (kind, how, what, n) == (events.NOT_COVERED, "gap", "timescales", 1)
    assert topic == "-" or topic in {e.topic for e in router.renderer.entries.values()}
    assert "strategy" not in key and "referral" not in key


def test_a_question_known_not_to_be_covered_is_counted_by_its_id(router, counted):
    reply = ask(router, "how do I score the dash - is it a points system?")
    assert reply.kind == "not_covered"
    assert rows(counted) == [(events.NOT_COVERED, "known|dash-scoring|-", 1)]


def test_a_confident_out_of_scope_reading_is_counted_as_such(router, counted):
    reply = ask(router, "what's the weather going to be like tomorrow?", "out_of_scope", 0.95)
    assert reply.kind == "not_covered"
    assert rows(counted) == [(events.NOT_COVERED, "out_of_scope|-|-", 1)]


def test_an_unsure_thanks_tried_as_a_question_counts_nothing(router, counted):
    reply = ask(router, "thanks", "thanks", 0.5)
    assert reply.kind == "small_talk"
    assert rows(counted) == []


def test_the_reflection_counts_offer_start_finish_and_stop(router, counted):
    offered = ask(router, "how do I tell conflict from domestic abuse?", "ask_conflict_vs_abuse", 0.9)
    assert offered.types[-1] == "reflection_offer"
    reply = press(router, "start_reflection", offered.state)
    while reply.kind == "reflection":
        reply = ask(router, "no", state=reply.state)
    assert reply.kind == "reflection_summary"
    again = press(router, "start_reflection")
    stopped = ask(router, "stop", state=again.state)
    assert stopped.types == ["reflection_stopped"]
    assert dict((key, n) for _, key, n in rows(counted, events.REFLECTION)) == {
        "offered": 1, "started": 2, "finished": 1, "stopped": 1}
    assert rows(counted, events.ANSWER) == [(events.ANSWER, "conflict_vs_abuse|conflict-vs-abuse", 1)]


def test_a_scenario_counts_its_start_and_quit_and_not_a_question_it_did_not_answer(router, counted):
    started = press(router, "start_scenario", scenario_id="seemed-well")
    assert "scenario_intro" in started.types
    # A question on the way that the sources do not answer is part of the exercise, not a "not covered".
    ask(router, "how much does a place on a perpetrator course cost per man?", state=started.state)
    paused = ask(router, "pause", state=started.state)
    quit_reply = ask(router, "quit", state=paused.state)
    assert quit_reply.state.scenario is None
    assert rows(counted) == [(events.SCENARIO, "seemed-well|quit", 1), (events.SCENARIO, "seemed-well|started", 1)]


def test_a_counting_failure_is_logged_and_the_answer_still_given(router, counted, monkeypatch, caplog):
    def locked(*args, **kwargs):
        raise OperationalError("UPDATE insight_counters ...", {}, Exception("database is locked"))

    monkeypatch.setattr(events, "count", locked)
    with caplog.at_level(logging.ERROR, logger="bot.insight.events"):
        reply = ask(router, "what is MARAC?", "ask_marac", 0.9)
    assert reply.kind == "answer" and reply.state.last_entry_id == "marac-what-is"
    assert "could not count knowledge_answer" in caplog.text
    assert rows(counted) == []


def test_a_key_that_is_not_made_of_ids_fails_loudly(tmp_path):
    insight = Insight(make_engine(f"sqlite:///{tmp_path / 'counts.db'}"))
    with pytest.raises(ValueError, match="topic must be an id of the project's vocabularies, not 'my client Jane'"):
        insight.answered("my client Jane", "marac-what-is")
    with pytest.raises(ValueError, match="reflection event must be one of offered, started, finished, stopped"):
        insight.reflection("typed")
    with pytest.raises(ValueError, match="way of not being covered must be one of"):
        insight.not_covered("because")


def test_the_kind_names_are_the_ones_the_features_write(router):
    from bot.directory.insight import NOTHING_FOUND
    from bot.feedback.handler import FEEDBACK_KIND
    from bot.scenarios.groups import RESULT_KIND, SESSION_KIND

    assert (events.ANSWER_FEEDBACK, events.NOTHING_FOUND) == (FEEDBACK_KIND, NOTHING_FOUND)
    assert (events.SCENARIO_GROUP, events.SCENARIO_GROUP_RESULT) == (SESSION_KIND, RESULT_KIND)
