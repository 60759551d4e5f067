"""Local services through the running assistant: Demoshire (loaded by the servers fixture) and the
directory built for these tests (tests/data/directory_search), imported while the servers run."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import PROJECT_ROOT
from bot.directory.insight import NOTHING_FOUND
from bot.directory.store import import_directory, remove_area
from bot.insight.counters import counts
from bot.knowledge.store import make_engine
from tests.bot.directory.searchdir import AREAS, FILES, SEARCH_DATA
from tests.conversation.conftest import Chat, kinds, messages, texts

pytestmark = pytest.mark.conversation
WAIT = 60  # seconds: the assistant re-reads the directory's areas at most every 5


def services(replies):
    return [m["text"].splitlines()[0] for m in messages(replies)
            if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "directory_service"]


def said(replies) -> str:
    return "\n".join(texts(replies))


@pytest.fixture(scope="module")
def search_directory(servers):
    """The test directory in the running assistant's database (removed again after this module)."""
    engine = make_engine(servers.database_url)
    for name in FILES:
        import_directory(engine, SEARCH_DATA / name)
    chat, deadline = Chat(servers.rest_url), time.monotonic() + WAIT
    while "Services in Brindleford" not in said(chat.send("what services are there in Brindleford?")):
        assert time.monotonic() < deadline, "the assistant did not see the imported areas"
        time.sleep(2)
    yield engine
    for area in AREAS:
        remove_area(engine, area)


def test_area_is_asked_then_remembered(chat):
    first = chat.send("what is available locally?")
    asked = [m for m in messages(first) if (m.get("custom") or {}).get("type") == "directory_ask_area"]
    assert asked, texts(first)
    titles = [b["title"] for b in asked[0]["buttons"]]
    assert {"Demoshire", "North Demoshire"} <= set(titles)
    listed = chat.send(asked[0]["buttons"][titles.index("North Demoshire")]["payload"])
    assert "Services in North Demoshire" in texts(listed)[0]
    assert len(services(listed)) == 3
    # The area is remembered: a later question without one uses it.
    later = chat.send("any local perpetrator programme I can refer dad to?")
    assert "North Demoshire Caring Dads (Brighter Futures Behaviour Change (fictional))" in services(later)


def test_area_age_and_need_in_the_question(chat):
    replies = chat.send("any support for a 15 year old in Demoshire?")
    header = next(t for t in texts(replies) if t.startswith("Services in"))
    assert header.startswith("Services in Demoshire") and "aged 15" in header
    assert "Young People's Violence Advisers (Demoshire Women's Aid)" in services(replies)


def test_more_pages_through_the_results(chat):
    first = chat.send("what services are there in Demoshire?")
    more = chat.send("more")
    assert "Showing 4 to 6" in texts(more)[0]
    assert not set(services(first)) & set(services(more))


def test_nothing_found_is_said_plainly_with_the_front_door(chat):
    replies = chat.send("is there counselling for a baby in North Demoshire?")
    text = said(replies)
    assert "I found no services in North Demoshire" in text
    assert "North Demoshire Family Front Door" in text
    assert "directory_none" in kinds(replies)


def test_directory_text_is_not_markup(chat):
    replies = chat.send("what services are there in Demoshire?")
    for text in texts(replies):
        assert "<" not in text and "](" not in text


# -- issue 14 on the test directory -----------------------------------------------------------------

def test_a_bare_area_name_answers_which_area(search_directory, new_chat):
    chat = new_chat()
    asked = chat.send("where's the nearest refuge that would take a mum and her kids?")
    assert "directory_ask_area" in kinds(asked)
    listed = chat.send("wexcombe moor pls")
    assert said(listed).startswith("Services in Wexcombe Moor offering Refuge and safe accommodation")
    assert "Heather House Refuge (Moorside Women's Trust)" in services(listed)


def test_a_slip_is_recognised_and_a_part_name_gets_did_you_mean(search_directory, new_chat):
    chat = new_chat()
    assert services(chat.send("IDVA in Upper Hadly?")) == []  # recognised: Upper Hadley has no IDVA
    assert "I found no services in Upper Hadley" in said(chat.send("IDVA in Upper Hadly?"))
    question = next(m for m in messages(chat.send("any IDVA in Wexcombe?"))
                    if (m.get("custom") or {}).get("type") == "directory_ask_area")
    assert question["text"].startswith("Did you mean Wexcombe Moor?")
    listed = chat.send(question["buttons"][0]["payload"])
    assert services(listed) == ["Wexcombe IDVA Team (Moorside Women's Trust)"]


def test_my_patch_is_the_remembered_area(search_directory, new_chat):
    chat = new_chat()
    chat.send("what's available in Brindleford?")
    patch = chat.send("what's in my patch for a mum?")
    assert said(patch).startswith("Services in Brindleford for adult victims")


@pytest.mark.parametrize("text", ["perpetrator programme in Leeds", "refuge leeds", "Leeds - any refuges for mum?"])
def test_a_place_without_a_directory_is_named_honestly(search_directory, new_chat, text):
    assert "I don't have a local service directory for Leeds" in said(new_chat().send(text))


def test_victims_never_get_services_for_people_who_cause_harm_and_the_reverse(search_directory, new_chat):
    mum = new_chat().send("Wexcombe Moor - support for mum, her partner has been violent for years")
    assert mum and not {"Choices Programme", "Fathers Forward", "Home Truce"} & {s.split(" (")[0] for s in services(mum)}
    dads = new_chat().send("anything for dads who are violent at home in Wexcombe Moor?")
    assert services(dads) == ["Choices Programme (Open Door Change)", "Fathers Forward (Wexcombe Family Centre)"]
    assert "who it is for is not stated" in said(dads)
    teen = new_chat().send("Brindleford - 14 year old lad who is abusive to his mum, anything to help him change?")
    assert services(teen) == ["Turnaround Teens (Brindleford Youth Trust)"]


def test_a_need_nothing_is_listed_for_is_honest_and_counted(search_directory, new_chat):
    before = sum(c.count for c in counts(search_directory, NOTHING_FOUND) if c.key == "Brindleford|described|any")
    replies = new_chat().send("gambling addiction support in Brindleford")
    assert "I have no service listed for that in Brindleford." in said(replies)
    assert services(replies) == [] and "gambling" not in said(replies).lower()
    after = sum(c.count for c in counts(search_directory, NOTHING_FOUND) if c.key == "Brindleford|described|any")
    assert after == before + 1


def test_the_card_shows_where_languages_cost_and_last_checked(search_directory, new_chat):
    replies = new_chat().send("outreach support in Brindleford")
    card = next(m["text"] for m in messages(replies) if (m.get("custom") or {}).get("type") == "directory_service")
    lines = card.splitlines()
    assert "Where: Brindleford Hub, 12 Example Road, Brindleford, BR1 4EF" in lines
    assert "Languages: English, Urdu, Punjabi" in lines and "Cost: Free" in lines
    assert any(line.startswith("Last checked: 1 September 2026") for line in lines)
    idva = said(new_chat().send("IDVA in Wexcombe Moor"))
    assert "Last checked: 15 January 2024. That is over 12 months ago" in idva


def test_area_imported_while_running_is_recognised_without_retraining(servers, new_chat):
    chat = new_chat()
    before = chat.send("support for children in Exampleton")
    assert "I don't have a local service directory for that area" in said(before) and "Exampleton" not in said(before)
    result = CliRunner().invoke(cli, ["directory", "import", str(PROJECT_ROOT / "directories" / "template_example.csv"),
                                      "--database-url", servers.database_url])
    assert result.exit_code == 0, result.output
    deadline = time.monotonic() + WAIT
    while True:
        after = chat.send("support for children in Exampleton")
        if texts(after) and texts(after)[0].startswith("Services in Exampleton") or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert texts(after)[0].startswith("Services in Exampleton")
    assert "Starling Children's Group (Exampleton Family Charity)" in services(after)
