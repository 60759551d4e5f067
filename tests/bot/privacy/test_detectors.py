"""The personal-detail detectors (bot/privacy/detectors.py) and their agreement with the widget's
(web/src/privacy.js, run by node): the shared vectors, the 200 labelled drafts and the development sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from benchmarks.pii import widget_findings
from bot.config import PROJECT_ROOT
from bot.privacy.detectors import DEFINITION_FILE, KINDS, build_lists, find, kinds, nhs_checksum_ok, read_definition, scrub

DEFINITION = json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))
DRAFTS = yaml.safe_load((PROJECT_ROOT / "eval" / "pii_drafts.yml").read_text(encoding="utf-8"))["drafts"]
DEV_SETS = ["eval/dev_cases.yml", "eval/dev_questions.yml", "eval/questions.yml", "eval/paraphrases.yml"]


def user_messages(node, out: list[str]) -> list[str]:
    """Every message a set sends: ``text`` values, ``turns`` (strings or {text}) and ``examples`` lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "message") and isinstance(value, str):
                out.append(value)
            elif key in ("turns", "examples"):
                strings = value if isinstance(value, list) else [s for v in value.values() for s in v] if isinstance(value, dict) else []
                out.extend(s for s in strings if isinstance(s, str))
                user_messages([s for s in strings if not isinstance(s, str)], out)
            else:
                user_messages(value, out)
    elif isinstance(node, list):
        for value in node:
            user_messages(value, out)
    return out


def development_messages() -> list[str]:
    found: list[str] = []
    for name in DEV_SETS:
        user_messages(yaml.safe_load((PROJECT_ROOT / name).read_text(encoding="utf-8")), found)
    for path in sorted((PROJECT_ROOT / "knowledge" / "directory").glob("*.yml")):
        user_messages(yaml.safe_load(path.read_text(encoding="utf-8")), found)
    return found


@pytest.mark.parametrize("vector", DEFINITION["vectors"], ids=lambda v: v["text"][:40])
def test_shared_vectors(vector):
    assert kinds(vector["text"]) == [kind for kind in KINDS if kind in vector["kinds"]]


def test_scrub_replaces_each_detail_with_its_kind():
    text = ("Dad (Gary Collins) rang from 07700 900391 about the baby, DOB 1/2/2019, now at LS9 7QA; "
            "NI AB123456C, email g.collins@example.com, NHS 943 476 5919. Helpline 0808 2000 247.")
    assert scrub(text) == ("Dad ([name]) rang from [phone] about the baby, DOB [date_of_birth], now at [postcode]; "
                           "NI [ni_number], email [email], NHS [nhs_number]. Helpline 0808 2000 247.")
    assert scrub("what is MARAC? Section 47 of the Children Act 1989") == "what is MARAC? Section 47 of the Children Act 1989"


def test_findings_have_kind_and_span():
    text = "I spoke to Mrs Begum on 07700 900123"
    assert [(f.kind, text[f.start:f.end]) for f in find(text)] == [("name", "Mrs Begum"), ("phone", "07700 900123")]


def test_nhs_checksum():
    assert nhs_checksum_ok("9434765919")
    assert not nhs_checksum_ok("9434765918")
    assert not nhs_checksum_ok("943476591a")


def test_the_labelled_drafts_are_200_about_half_with_details():
    assert len(DRAFTS) == 200
    assert len({d["id"] for d in DRAFTS}) == 200
    with_details = [d for d in DRAFTS if d["kinds"]]
    assert 90 <= len(with_details) <= 110
    for kind in KINDS:
        assert sum(kind in d["kinds"] for d in DRAFTS) >= 10, kind
    assert all(set(d["kinds"]) <= set(KINDS) for d in DRAFTS)


def test_no_development_message_triggers_the_warning():
    messages = development_messages()
    assert len(messages) > 600  # every set was read
    fired = [(text, [(f.kind, f.text) for f in find(text)]) for text in messages if find(text)]
    assert fired == []


def test_widget_and_server_agree_on_vectors_drafts_and_development_sets():
    texts = [v["text"] for v in DEFINITION["vectors"]] + [d["text"] for d in DRAFTS] + development_messages()
    widget = widget_findings(texts)
    server = [[[f.kind, f.text] for f in find(text)] for text in texts]
    disagreements = [(text, w, s) for text, w, s in zip(texts, widget["findings"], server, strict=True) if w != s]
    assert disagreements == []
    lists = build_lists()
    data = widget["data"]
    assert set(data["phrases"].split("|")) == lists.phrases
    assert set(data["known_phones"].split("|")) == lists.known_phones
    assert set(data["first_names"].split("|")) == lists.first_names


def test_a_broken_definition_names_the_file_and_the_problem(tmp_path: Path):
    broken = tmp_path / "detectors.json"
    broken.write_text('{"titles": [}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"detectors\.json: not valid JSON \(line 1"):
        read_definition(broken)
    broken.write_text('{"titles": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="the key 'max_phrase_words' is missing"):
        read_definition(broken)


def test_debug_log_records_are_scrubbed_of_personal_details():
    import logging

    from bot.dialogue.logs import redact_record

    record = logging.LogRecord("rasa", logging.DEBUG, __file__, 1, "user said %s", ("call Sarah Jones on 07700 900123",), None)
    assert redact_record(record).getMessage() == "user said call [name] on [phone]"
