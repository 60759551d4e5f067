""""Was this useful?": the buttons under a guidance answer, a vote counted as entry id and vote
only, a short thanks, and nothing else changed (not even mid-reflection)."""

from __future__ import annotations

import pytest

from bot.dialogue.render import FEEDBACK_ENTITY
from bot.dialogue.state import ConversationState, TailoringState
from bot.dialogue.types import Entity, Turn, payload
from bot.feedback.handler import FEEDBACK_KIND
from bot.insight.counters import counts
from bot.knowledge.store import make_engine
from bot.web.payloads import Vocabularies, as_typed

SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))


def vote(router, intent, entry_id, state=SETTLED):
    text = payload(intent, **{FEEDBACK_ENTITY: entry_id})
    return router.respond(Turn(text, intent, 1.0, (Entity(FEEDBACK_ENTITY, entry_id),), state=state))


def feedback_counts(settings) -> dict[str, int]:
    return {c.key: c.count for c in counts(make_engine(settings.database_url), FEEDBACK_KIND)}


def test_a_guidance_answer_carries_the_yes_and_no_payloads(router):
    reply = router.respond(Turn("what is MARAC?", "ask_marac", 0.9, state=SETTLED))
    answer = reply.messages[0]
    assert answer.custom["type"] == "guidance"
    assert answer.custom["feedback"] == {"yes": '/affirm{"feedback":"marac-what-is"}',
                                         "no": '/deny{"feedback":"marac-what-is"}'}
    # Not quick replies: the related topics stay the message's only buttons.
    assert all("feedback" not in b.payload for b in answer.buttons)


def test_a_vote_is_counted_as_entry_and_vote_and_thanked_for(router, settings):
    before = feedback_counts(settings)
    state = SETTLED.with_(last_entry_id="marac-what-is")
    yes = vote(router, "affirm", "marac-what-is", state)
    no = vote(router, "deny", "dash-checklist", state)
    assert yes.types == ["feedback_thanks"] and yes.messages[0].text == "Thank you for your feedback."
    assert yes.messages[0].custom == {"type": "feedback_thanks", "entry_id": "marac-what-is", "vote": "yes"}
    assert yes.state == state and no.state == state, "a vote changes nothing in the conversation"
    after = feedback_counts(settings)
    assert after.get("marac-what-is|yes", 0) == before.get("marac-what-is|yes", 0) + 1
    assert after.get("dash-checklist|no", 0) == before.get("dash-checklist|no", 0) + 1
    assert set(after) <= {f"{e}|{v}" for e in router.renderer.entries for v in ("yes", "no")}


def test_a_vote_mid_reflection_is_not_an_answer(router):
    started = router.respond(Turn("/start_reflection", "start_reflection", 1.0, state=SETTLED))
    reply = vote(router, "affirm", "conflict-vs-abuse", started.state)
    assert reply.types == ["feedback_thanks"]
    assert reply.state.reflection == started.state.reflection


@pytest.mark.parametrize("entities", [(), (Entity(FEEDBACK_ENTITY, "no-such-entry"),)])
def test_a_vote_without_a_known_entry_is_not_taken(router, entities):
    reply = router.respond(Turn('/affirm{"feedback":"no-such-entry"}', "affirm", 1.0, entities, state=SETTLED))
    assert "feedback_thanks" not in reply.types


def test_only_votes_on_known_entries_pass_the_channel(settings):
    vocabularies = Vocabularies(settings)
    assert as_typed('/affirm{"feedback":"marac-what-is"}', vocabularies) == '/affirm{"feedback":"marac-what-is"}'
    assert as_typed('/deny{"feedback":"marac-what-is"}', vocabularies) == '/deny{"feedback":"marac-what-is"}'
    assert as_typed('/affirm{"feedback":"Jane Smith"}', vocabularies) == 'affirm{"feedback":"Jane Smith"}'
    assert as_typed('/affirm{"feedback":"marac-what-is","x":"y"}', vocabularies).startswith("affirm")
    assert as_typed('/affirm{"question":"fear","answer":"not_sure"}', vocabularies) == \
        '/affirm{"question":"fear","answer":"not_sure"}'
    assert as_typed('/deny{"question":"fear","answer":"maybe"}', vocabularies).startswith("deny")
    assert as_typed('/deny{"question":"Jane","answer":"no"}', vocabularies).startswith("deny")
