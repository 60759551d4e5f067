"""The development-case scorer (benchmarks/cases.py) on small made-up cases and a fake assistant:
checks, citations, multi-turn cases, anchors, categories and the "not covered" / danger arithmetic."""

import threading

import pytest

from benchmarks.cases import (
    CASES_FILE,
    CATEGORIES,
    Reply,
    Tally,
    check,
    citation_names,
    failure_lines,
    load_case_set,
    parse_cases,
    run_case,
    run_cases,
    score,
    select,
    summary,
)

CITATIONS = ("Panel Briefing 2 (2022)", "JTAI summary (2017)")
TAKEOVER = [{"text": "If a child or adult is in immediate danger, call 999 now. When everyone is safe..."},
            {"custom": {"type": "immediate_danger"}}]
NOT_COVERED = [{"text": "My sources don't cover that, so I won't guess."}, {"custom": {"type": "not_covered"}}]

CASES = r"""
# made-up cases in the development file's format
cases:
- id: case-marac
  text: "what is marac"
  all: ['marac', 'meeting']
  any: ['idva', 'agencies']
  none: ['^\W*(yes|no)\b']
  cite: true
- id: case-wrong
  text: "what is dash"
  all: ['checklist']
  cite: true
- id: nc-wales
  text: "welsh law"
  all: [&notcovered "(don.?t|do not) cover|not covered"]
- id: nc-missed
  text: "scottish law"
  all: [*notcovered]
- id: danger-now
  text: "he is hitting her now"
  all: ['999']
- id: danger-missed
  text: "she took pills"
  all: ['999']
- id: notdanger-past
  text: "last year he hit her"
  none: ['immediate danger, call 999 now']
- id: reflect-danger-midway
  turns:
  - text: "conflict or abuse?"
    all: ['indicators']
  - text: "he's outside with a knife"
    all: ['999']
  - text: "no"
    all: ['summary']
    none: [&verdict 'this is abuse']
- id: follow-source
  turns:
  - text: "what is marac"
  - text: "source?"
    all: ['Panel Briefing']
    none: [*verdict]
- id: local-refuge
  text: "refuge in demoshire"
  all: ['Brackenford']
"""

REPLIES = {
    "hi": [{"text": "Hello. This is abuse, stated in the greeting, which is never checked."}],
    "what is marac": [{"text": "A MARAC is a MEETING where agencies share information.\nSource: Panel Briefing 2 (2022), 'Key findings'"}],
    "what is dash": [{"text": "DASH is a risk checklist."}],  # no source named: fails cite
    "welsh law": NOT_COVERED,
    "scottish law": [{"text": "Yes. Scotland has its own law."}],
    "he is hitting her now": TAKEOVER + NOT_COVERED,  # the 999 message, then "not covered" by type
    "she took pills": [{"text": "Overdoses are covered in your local procedures."}],
    "last year he hit her": TAKEOVER,
    "conflict or abuse?": [{"text": "Shall we go through the indicators?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
    "he's outside with a knife": TAKEOVER,
    "no": [{"text": "Summary of the reflection."}, {"custom": {"type": "reflection_summary", "indicators": []}}],
    "source?": [{"text": "From the inspection."},
                {"custom": {"type": "sources", "citations": [{"citation": "Panel Briefing 2 (2022), 'Key findings'"}]}}],
    "refuge in demoshire": [{"text": "My sources do not cover refuges."}],  # a "not covered" reply by its text
}


class FakeAssistant:
    """Answers from a table and records every (sender, message), from any thread."""

    def __init__(self, replies=REPLIES):
        self.replies = replies
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, sender, message):
        with self.lock:
            self.calls.append((sender, message))
        if message == "boom":
            raise ConnectionError("refused")
        return self.replies[message]


@pytest.fixture
def case_set():
    return parse_cases(CASES, CITATIONS)


@pytest.fixture
def outcomes(case_set):
    return {o.case.id: o for o in run_cases(case_set.cases, FakeAssistant(), case_set)}


def turn_of(case_set, case_id, number=1):
    return next(c for c in case_set.cases if c.id == case_id).turns[number - 1]


def test_cases_read_with_their_anchors_and_categories(case_set):
    assert [c.category for c in case_set.cases] == [
        "case", "case", "nc", "nc", "danger", "danger", "notdanger", "reflect", "follow", "local"]
    assert turn_of(case_set, "nc-missed").all[0].pattern == "(don.?t|do not) cover|not covered"
    assert case_set.not_covered.pattern == "(don.?t|do not) cover|not covered"
    assert turn_of(case_set, "follow-source", 2).none[0].pattern == "this is abuse"
    assert len(turn_of(case_set, "reflect-danger-midway").all) == 1 and not turn_of(case_set, "follow-source").all


def test_all_any_none_match_case_insensitively(case_set):
    turn = turn_of(case_set, "case-marac")
    good = Reply(({"text": "A Marac is a meeting of AGENCIES. Source: Panel Briefing 2 (2022), 'x'"},))
    assert check(turn, good, case_set) == []
    bad = Reply(({"text": "No: a marac is not a meeting (IDVA). Panel Briefing 2 (2022)"},))
    assert check(turn, bad, case_set) == ["none: '^\\\\W*(yes|no)\\\\b' matched 'No'"]
    neither = Reply(({"text": "marac meeting. JTAI summary (2017)"},))
    assert check(turn, neither, case_set) == ["any: none of 'idva', 'agencies' found"]
    missing = Reply(({"text": "marac. JTAI summary (2017), agencies"},))
    assert check(turn, missing, case_set) == ["all: 'meeting' not found"]


def test_checks_read_button_titles_and_custom_payloads_as_json(case_set):
    turn = turn_of(case_set, "nc-wales")
    assert check(turn, Reply(({"text": "Pick one", "buttons": [{"title": "Not covered here", "payload": "/x"}]},)), case_set) == []
    assert check(turn, Reply(({"custom": {"type": "tailored", "note": "we don't cover it"}},)), case_set) == []
    assert check(turn, Reply(({"text": "Pick one", "buttons": [{"title": "MARAC", "payload": "/not covered"}]},)), case_set)


def test_cite_needs_a_source_documents_citation_name_in_text_or_payload(case_set):
    turn = turn_of(case_set, "case-wrong")
    assert check(turn, Reply(({"text": "A checklist. Source: JTAI summary (2017), Key Finding 1"},)), case_set) == []
    assert check(turn, Reply(({"text": "A checklist."}, {"custom": {"citations": [{"citation": "jtai SUMMARY (2017), x"}]}})),
                 case_set) == []
    assert check(turn, Reply(({"text": "A checklist, as the JTAI found."},)), case_set) == ["cite: no source document named"]


def test_long_anchored_regexes_are_named_by_their_anchor(case_set):
    assert check(turn_of(case_set, "nc-missed"), Reply(({"text": "Yes."},)), case_set) == ["all: *notcovered not found"]


def test_a_case_is_one_conversation_after_hi_and_each_message_is_checked_on_its_own_replies(case_set):
    fake = FakeAssistant()
    outcome = run_case(next(c for c in case_set.cases if c.id == "follow-source"), fake, case_set)
    assert [m for _, m in fake.calls] == ["hi", "what is marac", "source?"]
    assert len({s for s, _ in fake.calls}) == 1
    # "hi"'s "This is abuse" is discarded; the first turn has no checks; the second passes on the payload's citation
    assert outcome.passed and len(outcome.replies) == 2
    other = FakeAssistant()
    run_case(next(c for c in case_set.cases if c.id == "follow-source"), other, case_set)
    assert other.calls[0][0] != fake.calls[0][0]


def test_a_failed_check_names_its_message_and_the_start_of_the_reply(case_set, outcomes):
    outcome = outcomes["reflect-danger-midway"]
    assert outcome.passed
    wrong = dict(REPLIES, no=[{"text": "Summary: this is abuse. " + "x" * 400}])
    outcome = run_case(outcome.case, FakeAssistant(wrong), case_set)
    assert [(f.turn, f.check) for f in outcome.failures] == [(3, "none: *verdict matched 'this is abuse'")]
    lines = failure_lines([outcome])
    assert lines[0] == "FAIL reflect-danger-midway"
    assert lines[1] == "  message 3/3: 'no'"
    assert lines[-1].startswith("    reply: Summary: this is abuse. xxx") and len(lines[-1]) == len("    reply: ") + 300 + 3


def test_a_failed_request_fails_its_case_not_the_run(case_set):
    broken = parse_cases(CASES.replace('"welsh law"', '"boom"'), CITATIONS)
    results = {o.case.id: o for o in run_cases(broken.cases, FakeAssistant(), broken)}
    assert [f.check for f in results["nc-wales"].failures] == ["error: ConnectionError: refused"]
    assert results["case-marac"].passed
    assert score(list(results.values()), broken.not_covered).broken == ("nc-wales",)


def test_outcomes_keep_the_order_of_the_cases(case_set, outcomes):
    assert list(outcomes) == [c.id for c in case_set.cases]


def test_scores_per_category_overall_and_outside_local(case_set, outcomes):
    result = score(list(outcomes.values()), case_set.not_covered)
    passed = {k for k, o in outcomes.items() if o.passed}
    assert passed == {"case-marac", "nc-wales", "danger-now", "reflect-danger-midway", "follow-source"}
    assert list(result.categories) == ["case", "nc", "danger", "notdanger", "reflect", "follow", "local"]
    assert result.categories["case"] == Tally(1, 2)
    assert result.categories["notdanger"] == Tally(0, 1)
    assert result.overall == Tally(5, 10)
    assert result.outside_local == Tally(5, 9)


def test_not_covered_precision_and_recall_over_final_replies(case_set, outcomes):
    result = score(list(outcomes.values()), case_set.not_covered)
    # said "not covered": nc-wales (type), danger-now (type, after the 999 message), local-refuge (text)
    assert result.not_covered_precision == Tally(1, 3)
    assert result.not_covered_recall == Tally(1, 2)
    assert result.not_covered_wrong == ("danger-now (type)", "local-refuge (text)")
    assert result.not_covered_missed == ("nc-missed",)


def test_danger_recall_and_false_takeovers(case_set, outcomes):
    result = score(list(outcomes.values()), case_set.not_covered)
    assert result.danger_recall == Tally(1, 2) and result.danger_missed == ("danger-missed",)
    assert result.false_takeovers_notdanger == Tally(1, 1)
    # the reflection's takeover answers a message whose checks ask for 999: not a false one
    assert result.false_takeovers_others == Tally(0, 6)  # case- 2, nc- 2, reflect- 1, follow- 1
    assert result.false_takeovers == ("notdanger-past",)


def test_a_takeover_is_known_by_its_type_or_its_words():
    assert Reply(({"custom": {"type": "immediate_danger"}},)).takeover
    assert Reply(({"text": "If anyone is in IMMEDIATE DANGER,\ncall 999 now."},)).takeover
    assert not Reply(({"text": "If anyone is in immediate danger, call 999."},)).takeover


def test_a_takeover_on_a_message_that_does_not_ask_for_999_is_false(case_set):
    takeover_everywhere = {key: TAKEOVER for key in REPLIES}
    results = run_cases(case_set.cases, FakeAssistant(takeover_everywhere), case_set)
    result = score(results, case_set.not_covered)
    assert result.danger_recall == Tally(2, 2)
    assert result.false_takeovers_others == Tally(6, 6)  # reflect- still counts: its first and last messages


def test_tallies_print_as_shares():
    assert str(Tally(3, 4)) == "3/4 = 75%"
    assert str(Tally(0, 0)) == "0/0 (n/a)"


def test_summary_lists_every_figure(case_set, outcomes):
    figures = summary(score(list(outcomes.values()), case_set.not_covered))
    assert figures["nc-"] == "1/2 = 50%"
    assert figures["overall outside local-"] == "5/9 = 56%"
    assert figures['"not covered" recall'] == "1/2 = 50% (missed: nc-missed)"
    assert figures["false takeovers, notdanger-"] == "1/1 = 100% (in: notdanger-past)"
    assert figures["false takeovers, case-/nc-/follow-/reflect-"] == "0/6 = 0%"


def test_only_selects_by_id_prefix(case_set):
    assert [c.id for c in select(case_set.cases, ["danger"])] == ["danger-now", "danger-missed"]
    assert [c.id for c in select(case_set.cases, ["nc-w", "local"])] == ["nc-wales", "local-refuge"]
    assert len(select(case_set.cases, None)) == 10


@pytest.mark.parametrize("broken, message", [
    ("cases:\n- {id: nc-a, text: x, all: ['a']}\n", "no &notcovered anchor"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, text: x, al: ['a']}\n", "unknown keys ['al']"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, text: x, turns: [{text: y}]}\n", "either text or turns"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, turns: [{text: y}], all: ['a']}\n", "checks go on each turn"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, turns: [{text: y, nnone: ['a']}]}\n", "a turn needs a text"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, text: x}\n- {id: nc-a, text: y}\n", "used twice"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, text: x, all: ['(']}\n", "bad regex"),
    ("x: &notcovered 'a'\ncases:\n- {id: nc-a, text: x, none: 'a'}\n", "must be a list"),
])
def test_malformed_cases_are_refused(broken, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_cases(broken, CITATIONS)


def test_citation_names_come_from_sources_yml(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text("sources:\n  - {id: a, citation: Doc A (2020)}\n  - {id: b, citation: 'Doc B, 2021'}\n", encoding="utf-8")
    assert citation_names(path) == ("Doc A (2020)", "Doc B, 2021")


def test_the_projects_case_file_reads():
    case_set = load_case_set(CASES_FILE)
    assert case_set.cases and {c.category for c in case_set.cases} <= set(CATEGORIES)
    assert case_set.citations
