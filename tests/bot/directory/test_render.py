"""The service card and the directory's other wording, all plain text from knowledge/directory/wording.yml."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.config import PROJECT_ROOT
from bot.directory.query import Alternative, Request
from bot.directory.render import (
    REQUIRED,
    CardOptions,
    WordingError,
    alternative_text,
    count_text,
    load_wording,
    months_between,
    request_text,
    service_text,
    stale_after_months,
)
from bot.directory.schema import Service
from bot.directory.store import read_services
from bot.directory.taxonomy import load_taxonomy
from tests.bot.directory.searchdir import search_engine

TODAY = CardOptions(today=date(2026, 12, 1))


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    return {s.id: s for s in read_services(search_engine(tmp_path_factory.mktemp("render")))}


def test_the_card_shows_everything_a_practitioner_needs_in_order(services):
    assert service_text(services["br-outreach"], options=TODAY).splitlines() == [
        "Brindleford Outreach Service (Brindleford Domestic Abuse Partnership)",
        "Community support for adults experiencing domestic abuse: safety planning, advocacy and help with money "
        "and housing.",
        "Offers: Specialist domestic abuse support for adults",
        "For: adult victims; ages 16 and over",
        "Eligibility: Adults aged 16 and over who live in Brindleford.",
        "Where: Brindleford Hub, 12 Example Road, Brindleford, BR1 4EF",
        "Open: Monday to Friday 9am to 5pm; late opening Tuesday until 7pm",
        "How to refer: Self-referral or referral by any professional.",
        "Contact: phone 01632 960901, email br-outreach@example.org, https://www.example.org/br-outreach",
        "Languages: English, Urdu, Punjabi",
        "Cost: Free",
        "Last checked: 1 September 2026",
    ]


def test_a_record_not_checked_for_a_year_says_so(services):
    card = service_text(services["wx-idva"], options=TODAY)
    assert card.splitlines()[-1] == ("Last checked: 15 January 2024. That is over 12 months ago: check the service "
                                     "is still running before you refer.")
    assert "over 6 months ago" in service_text(services["br-bryn-hedd"], options=CardOptions(date(2025, 9, 1), 6))
    assert "Last checked" not in service_text(services["wx-lanterns"], options=TODAY)  # no date: no line


def test_24_hour_and_out_of_hours_services_say_so(services):
    assert "Open: 24 hours" in service_text(services["wx-refuge"], options=TODAY)
    assert "out of hours, the emergency duty team" in service_text(services["wx-front-door"], options=TODAY)


def test_a_service_that_does_not_say_who_it_is_for_is_labelled(services):
    card = service_text(services["wx-law"], options=TODAY)
    assert "For: who it is for is not stated" in card.splitlines()
    assert "Cost: Free" in card and "Where: The Old Library, Wexcombe, WX2 3CD" in card


def test_stale_age_comes_from_the_environment_with_a_default():
    assert stale_after_months({}) == 12
    assert stale_after_months({"DASG_DIRECTORY_STALE_MONTHS": "18"}) == 18
    assert stale_after_months({"DASG_DIRECTORY_STALE_MONTHS": "soon"}) == 12
    assert months_between(date(2025, 12, 2), date(2026, 12, 1)) == 11
    assert months_between(date(2025, 12, 1), date(2026, 12, 1)) == 12


def test_service_text_is_plain_text():
    service = Service(
        id="x", name="<b>Safe</b> Space", organisation="Org &amp; Co", description="Help <script>alert(1)</script>"
        "for [families](javascript:alert(2)).", types=("refuge",), audiences=("adult_victim", "child"),
        min_age=16, how_to_refer="Call us.", phone="01632 960999", email="a@example.org",
        website="https://www.example.org", opening_times="24 hours", eligibility="<i>Women</i> only",
    )
    text = service_text(service, options=TODAY)
    assert "<" not in text and ">" not in text and "](" not in text
    assert "Eligibility: Women only" in text.splitlines()


def test_service_labels_come_from_the_wording_given():
    service = Service(id="y", name="Hub", organisation="", description="", max_age=11, phone="01632 960000")
    wording = load_wording()
    calls = []

    def say(key, **values):
        calls.append(key)
        return wording(key, **values).upper()

    assert service_text(service, say, TODAY).splitlines() == ["Hub", "FOR: WHO IT IS FOR IS NOT STATED; AGES UP TO 11",
                                                              "CONTACT: PHONE 01632 960000"]
    assert calls == ["service_for_unstated", "ages_up_to", "service_for", "service_phone", "service_contact"]


def test_what_a_search_asked_for_never_repeats_itself():
    taxonomy, say = load_taxonomy(), load_wording()
    assert request_text(Request(), say, taxonomy) == ""
    assert request_text(Request("Wexcombe Moor", ("refuge", "idva"), 7, "child"), say, taxonomy) == (
        " offering Refuge and safe accommodation or Independent domestic violence advisers (IDVA)"
        " for children and young people affected aged 7")
    assert request_text(Request(age=(13, 17))) == " aged 13 to 17"
    # the type already says who it is for
    programme = request_text(Request(needs=("perpetrator_programme",), audience="adult_causing_harm"), say, taxonomy)
    assert programme == " offering Programmes for people who cause harm"
    assert request_text(Request(needs=("perpetrator_programme",), audience="young_person_causing_harm", age=15)) == (
        " offering Programmes for people who cause harm aged 15")


def test_counts_are_grammatical():
    say = load_wording()
    assert [count_text(n, say) for n in (1, 2, 15)] == ["1 service", "2 services", "15 services"]


def test_wider_searches_are_worded_by_kind():
    taxonomy, say = load_taxonomy(), load_wording()
    wider = Alternative("wider_need", ("specialist_da_adults",), None, None, 4)
    assert alternative_text(wider, say, taxonomy) == (
        "Specialist domestic abuse support for adults (wider than what you asked for)")
    expected = {"any_age": "services for other ages", "any_audience": "services for other groups of people",
                "any_need": "other kinds of support", "all_services": "every service listed"}
    for kind, text in expected.items():
        assert alternative_text(Alternative(kind, (), None, None, 1)) == text


def test_every_wording_the_directory_uses_is_in_its_wording_file():
    modules = ("handler.py", "replies.py", "render.py")
    source = "".join((PROJECT_ROOT / "bot" / "directory" / name).read_text() for name in modules)
    used = set(re.findall(r"""(?:say|self\.say)\(\s*["'](\w+)["']""", source))
    used |= {"any_age", "any_audience", "any_need", "all_services", "what_age", "what_ages"}
    assert len(used) > 30
    assert sorted(used - set(REQUIRED)) == []
    assert sorted(key for key in REQUIRED if key not in load_wording().texts) == []


def test_a_wording_file_without_a_key_names_it(tmp_path):
    broken = tmp_path / "wording.yml"
    broken.write_text("wording:\n  ask_area: Which area?\n")
    with pytest.raises(WordingError, match="missing or empty: did_you_mean"):
        load_wording(broken)
