"""Every shipped entry stands alone: its answer and detail open with what the source says, true
for any question that leads to them, and an entry about a list names every item of it."""

import re

import pytest

# Openers written for one wording of a question: a reply to "is that enough?" reads as the
# opposite of the source when another question reaches the same entry.
YES_NO = re.compile(r"^\W*(?:yes|yeah|yep|nope|no|not necessarily|only if|it depends)\b\s*(?:[^\w\s'\"]|$)",
                    re.IGNORECASE)
JUDGEMENTS = ("take it seriously", "be cautious", "be careful", "don't", "do not", "always", "never", "only if")
# An instruction as the first word answers one question ("should I ...?"), not the topic.
IMPERATIVES = {"ask", "avoid", "check", "consider", "ensure", "find", "keep", "look", "make", "record", "recognise",
               "remember", "speak", "take", "think", "treat", "try", "use"}


def texts(knowledge):
    for entry in knowledge.entries.values():
        for field in ("answer", "detail"):
            if getattr(entry, field):
                yield entry.id, field, getattr(entry, field)


def opener_problem(text: str) -> str | None:
    if YES_NO.match(text):
        return "opens with yes/no"
    words = [word.strip(".,:;!?'\"()") for word in text.lower().split()]
    judgement = next((j for j in JUDGEMENTS if words[:len(j.split())] == j.split()), None)
    if judgement:
        return f"opens with '{judgement}'"
    if words and words[0] in IMPERATIVES:
        return f"opens with the instruction '{words[0]}'"
    return None


@pytest.mark.parametrize(
    "text",
    ["Yes: see each child.", "No. It is not.", "No - never.", "yes, always.", "Not necessarily: it depends.",
     "Only if you are sure.", "Take it seriously and act.", "Be cautious.", "Don't assume.", "Do not assume.",
     "Always ask.", "Never close.", "Ask about children every time.", "Make the abuser visible."],
)
def test_openers_written_for_one_wording_are_caught(text):
    assert opener_problem(text)


@pytest.mark.parametrize(
    "text",
    ["The Panel found no evidence of a coordinated response.", "No agency owned domestic abuse work.",
     "Nobody spoke with the children.", "Domestic abuse is defined in law.", "Always-on services are rare."],
)
def test_substance_is_not_mistaken_for_an_opener(text):
    assert opener_problem(text) is None


def test_every_answer_and_detail_starts_with_the_substance(knowledge):
    found = [f"{eid} {field}: {problem}: {text[:60]!r}"
             for eid, field, text in texts(knowledge) if (problem := opener_problem(text))]
    assert not found, "\n".join(found)


# Entries about a list in the sources, and words that name each item: a question asking for
# "the four principles" or "the five findings" gets all of them from the answer alone.
LISTS = {
    "four-principles": ["domestic abuse-informed", "trauma-informed", "intersectional", "whole family"],
    "panel-key-findings": ["multi-agency join-up", "children as victims", "diverse backgrounds"],
    "panel-recommendations": ["central role", "experts by experience", "front door", "training", "rapid reviews",
                              "protected characteristics", "recommendation eight", "information-sharing protocols",
                              "commissioning", "support offer", "national child protection practice framework"],
    "national-review-recommendation-eight": ["information-sharing protocols", "commissioning", "support offer",
                                             "national child protection practice framework"],
    "jtai-key-findings": ["public health", "information sharing", "prevent, protect and repair", "crises",
                          "perpetrator"],
    "jtai-assurance-questions": ["multi-agency", "health", "local authority", "children's social care", "police",
                                 "probation", "schools"],
    "jtai-assurance-questions-multi-agency": ["perpetrators", "communities", "information sharing",
                                              "community rehabilitation company", "interventions", "different ages",
                                              "training", "coercive"],
    "jtai-assurance-questions-health": ["pathways", "audit", "gps", "adult-facing", "commission differently"],
    "jtai-assurance-questions-probation": ["strategy discussions", "waiting lists", "resonated"],
    "jtai-assurance-questions-schools": ["curriculum", "pshe", "support"],
    "impact-by-age": ["babies", "pre-school", "primary", "adolescent"],
    "diverse-backgrounds": ["ethnicity", "gender", "disability", "immigration status"],
    "definition-domestic-abuse": ["physical or sexual", "violent or threatening", "controlling or coercive",
                                  "economic", "psychological, emotional or other"],
    "womencentre-pilot": ["understanding domestic abuse", "women", "children and young people", "invisible men",
                          "risk", "multi-agency working", "young people's own abusive relationships"],
    "what-works-evidence": ["opening closed doors", "for baby's sake", "drive project", "harbour"],
    "whole-family-programmes": ["opening closed doors", "for baby's sake"],
}


@pytest.mark.parametrize("entry_id, items", LISTS.items(), ids=list(LISTS))
def test_an_entry_about_a_list_names_every_item_in_its_answer(knowledge, entry_id, items):
    answer = knowledge.entries[entry_id].answer.lower()
    assert [item for item in items if item not in answer] == []
