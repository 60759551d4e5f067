"""Directory outcomes as chat text: plain services, what a search asked for, the wider searches,
all worded from knowledge/messages.yml."""

from __future__ import annotations

from bot.directory.query import Alternative, Request
from bot.directory.render import alternative_text, request_text, service_text
from bot.directory.schema import Service
from bot.directory.taxonomy import load_taxonomy


def test_service_text_is_plain_text():
    service = Service(
        id="x", name="<b>Safe</b> Space", organisation="Org &amp; Co", description="Help <script>alert(1)</script>"
        "for [families](javascript:alert(2)).", types=("refuge",), audiences=("adult_victim", "child"),
        min_age=16, how_to_refer="Call us.", phone="01632 960999", email="a@example.org",
        website="https://www.example.org", opening_times="24 hours",
    )
    text = service_text(service)
    assert "<" not in text and ">" not in text and "](" not in text
    assert text.splitlines() == [
        "Safe Space (Org & Co)",
        "Help alert(1)for families (javascript:alert(2)).",
        "Offers: Refuge and safe accommodation",
        "For: adult victims, children and young people; ages 16 and over",
        "How to refer: Call us.",
        "Contact: phone 01632 960999, email a@example.org, https://www.example.org",
        "Open: 24 hours",
    ]


def test_service_labels_come_from_the_wording_given(renderer):
    service = Service(id="y", name="Hub", organisation="", description="", max_age=11, phone="01632 960000")
    calls = []

    def say(key, **values):
        calls.append(key)
        return renderer.text(key, **values).upper()

    assert service_text(service, say).splitlines() == ["Hub", "FOR: AGES UP TO 11", "CONTACT: PHONE 01632 960000"]
    assert calls == ["directory_ages_up_to", "directory_service_for", "directory_service_phone",
                     "directory_service_contact"]


def test_what_a_search_asked_for(renderer):
    taxonomy, say = load_taxonomy(), renderer.text
    assert request_text(Request(), say, taxonomy) == ""
    assert request_text(Request("Demoshire", ("refuge", "idva"), 7, "child"), say, taxonomy) == (
        " offering Refuge and safe accommodation or Independent domestic violence advisers (IDVA)"
        " for children and young people for age 7")
    assert request_text(Request(age=(13, 17))) == " for age 13 to 17"


def test_wider_searches_are_worded_by_kind(renderer):
    taxonomy, say = load_taxonomy(), renderer.text
    wider = Alternative("wider_need", ("specialist_da_adults",), None, None, 4)
    assert alternative_text(wider, say, taxonomy) == (
        "Specialist domestic abuse support for adults (wider than what you asked for)")
    expected = {"any_age": "services for other ages", "any_audience": "services for other groups of people",
                "any_need": "other kinds of support"}
    for kind, text in expected.items():
        assert alternative_text(Alternative(kind, (), None, None, 1)) == text


def test_every_wording_the_directory_uses_is_in_the_messages_file(renderer):
    import re

    from bot.config import PROJECT_ROOT

    modules = ("handler.py", "replies.py", "render.py")
    source = "".join((PROJECT_ROOT / "bot" / "directory" / name).read_text() for name in modules)
    used = set(re.findall(r"""(?:say|text)\(\s*["'](directory_\w+)["']""", source))
    used |= {f"directory_{kind}" for kind in ("any_age", "any_audience", "any_need", "what_age", "what_ages")}
    assert len(used) > 20
    assert sorted(key for key in used if key not in renderer.messages.texts) == []
