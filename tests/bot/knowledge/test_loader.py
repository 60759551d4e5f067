"""Loading and validating knowledge files: every problem names its file, entry and field."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge.loader import KnowledgeError, count_sentences, load_knowledge
from tests.conftest import KNOWLEDGE_DIR, TEST_DATA

VALID_ENTRY = """
  - id: {id}
    topic: definitions
    title: A title
    questions: ["a question?"]
    answer: One sentence here. Two sentences here.
    citations:
      - {{source: doc, section: intro}}
"""


# Openers written for one wording: the loader rejects them in any case and with any punctuation.
YES_NO_ANSWERS = ["Yes: one here. Two here.", "No. One here. Two here.", "no - one here. Two here.",
                  "YES, one here. Two here.", "Nope, one here. Two here.", "No: one here. Two here."]
STANDS_ALONE = "must start with the substance, not 'Yes'/'No' (it may be reached by other wordings)"


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(TEST_DATA / "knowledge_min", target)
    return target


def write_entries(folder: Path, name: str, body: str) -> None:
    (folder / "entries" / name).write_text("entries:\n" + body, encoding="utf-8")


def problems(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder)
    return [str(p) for p in caught.value.problems]


def test_valid_folder_loads_sources_entries_and_vocabularies(folder):
    knowledge = load_knowledge(folder)
    assert sorted(knowledge.entries) == ["children-definition", "what-is-marac"]
    assert knowledge.entries["what-is-marac"].agencies == ("police",)
    assert knowledge.topic_for_intent("ask_marac") == "marac"
    assert knowledge.terms[0].phrases == ("marac", "risk assessment conference")


def test_citations_render_in_each_source_style(folder):
    knowledge = load_knowledge(folder)
    doc, plain = knowledge.sources["doc"], knowledge.sources["plain"]
    assert doc.cite("intro") == "Test Doc (2020), 'Introduction'"
    assert doc.cite("part") == "Test Doc (2020), 'Introduction', 'Part one'"
    assert plain.cite("kf1") == "Plain Doc (2017), Key Finding 1, Police, Areas for development"


@pytest.mark.parametrize(
    "body, expected",
    [
        (VALID_ENTRY.format(id="x").replace("section: intro", "section: nowhere"),
         "entry 'x': citations[1].section: source 'doc' has no section 'nowhere'"),
        (VALID_ENTRY.format(id="x").replace("source: doc", "source: unknown"),
         "entry 'x': citations[1].source: unknown source 'unknown'"),
        (VALID_ENTRY.format(id="x").replace("    citations:\n      - {source: doc, section: intro}\n", ""),
         "entry 'x': citations: is required"),
        (VALID_ENTRY.format(id="x").replace("One sentence here. Two sentences here.", "''"),
         "entry 'x': answer: is required and must not be empty"),
        (VALID_ENTRY.format(id="x").replace("One sentence here. Two sentences here.", "A. B. C. D. E. F. G."),
         "entry 'x': answer: has 7 sentence(s)"),
        (VALID_ENTRY.format(id="x").replace("topic: definitions", "topic: weather"),
         "entry 'x': topic: unknown topic 'weather'"),
        (VALID_ENTRY.format(id="x") + "    related: [missing-entry]\n",
         "entry 'x': related: unknown id 'missing-entry'"),
        (VALID_ENTRY.format(id="x") + "    agencies: [fire_service]\n",
         "entry 'x': agencies: unknown id 'fire_service'"),
        (VALID_ENTRY.format(id="x") + "    age_stages: [toddlers]\n",
         "entry 'x': age_stages: unknown id 'toddlers'"),
        (VALID_ENTRY.format(id="x").replace('questions: ["a question?"]', 'questions: []'),
         "entry 'x': questions: is required"),
        (VALID_ENTRY.format(id="Bad Id"), "entry 1: id: must be lower-case"),
        (VALID_ENTRY.format(id="what-is-marac"), "entry 'what-is-marac': id: is already used in knowledge/entries/basic.yml"),
        (VALID_ENTRY.format(id="x") + "    related: [x]\n", "entry 'x': related: an entry cannot be related to itself"),
        *((VALID_ENTRY.format(id="x").replace("One sentence here. Two sentences here.", f'"{answer}"'),
           f"entry 'x': answer: {STANDS_ALONE}") for answer in YES_NO_ANSWERS),
        (VALID_ENTRY.format(id="x") + '    detail: "No: more here. And here."\n', f"entry 'x': detail: {STANDS_ALONE}"),
    ],
)
def test_each_problem_names_file_entry_and_field(folder, body, expected):
    write_entries(folder, "zz_broken.yml", body)
    found = problems(folder)
    assert any(p.startswith("knowledge/entries/zz_broken.yml: ") and expected in p for p in found), found


@pytest.mark.parametrize("answer", ["No agency owned it. It was everyone's job.", "Nobody asked. The review says so.",
                                    "'No contact' orders vary. Check local procedures.", "Yesterday's finding. Two."])
def test_an_answer_opening_with_a_word_like_no_is_substance(folder, answer):
    write_entries(folder, "zz_fine.yml", VALID_ENTRY.format(id="x").replace("One sentence here. Two sentences here.",
                                                                            f'"{answer}"'))
    assert load_knowledge(folder).entries["x"].answer == answer


def test_every_problem_in_a_file_is_reported_at_once(folder):
    body = VALID_ENTRY.format(id="one").replace("section: intro", "section: nope")
    body += VALID_ENTRY.format(id="two").replace("topic: definitions", "topic: nope")
    write_entries(folder, "zz_broken.yml", body)
    found = problems(folder)
    assert len(found) == 2
    assert "entry 'one'" in found[0] and "entry 'two'" in found[1]


def test_invalid_yaml_is_reported_with_its_file(folder):
    (folder / "entries" / "zz_bad.yml").write_text("entries:\n  - id: [unclosed\n", encoding="utf-8")
    found = problems(folder)
    assert any(p.startswith("knowledge/entries/zz_bad.yml: not valid YAML") for p in found), found


def test_wrong_top_level_shape_is_reported(folder):
    (folder / "entries" / "zz_list.yml").write_text("- just a list\n", encoding="utf-8")
    assert any("zz_list.yml: entries: expected a top-level 'entries:' list" in p for p in problems(folder))


def test_unknown_parent_section_is_reported(folder):
    path = folder / "sources.yml"
    path.write_text(path.read_text().replace("parent: intro", "parent: missing"), encoding="utf-8")
    assert any("section 'part'.parent: unknown section 'missing'" in p for p in problems(folder))


def test_a_section_title_split_by_an_unquoted_comma_is_reported(folder):
    path = folder / "sources.yml"
    path.write_text(path.read_text().replace("title: Introduction}", "title: Introduction, and scope}"), encoding="utf-8")
    assert "knowledge/sources.yml: source 'doc': sections[1]: unknown field 'and scope' (quote a title that contains " \
           "a comma)" in problems(folder)


def test_every_section_title_in_sources_yml_is_read_whole(knowledge):
    """A title is one non-empty string, and the loader reads all of it: in a flow mapping an unquoted
    comma ends the title and makes the rest a key, and ' #' starts a comment."""
    text = (KNOWLEDGE_DIR / "sources.yml").read_text(encoding="utf-8")
    as_written = [m.groups() for m in re.finditer(r"^ +- \{id: ([\w-]+), title: (.*?)(?:, parent: [\w-]+)?\}$", text, re.M)]
    loaded = [(section.id, section.title) for source in knowledge.sources.values() for section in source.sections]
    assert len(as_written) == len(loaded), "write each section as one line: - {id: ..., title: ..., parent: ...}"
    for (sid, written), (loaded_id, title) in zip(as_written, loaded, strict=True):
        assert sid == loaded_id
        assert title and written in (title, f'"{title}"'), (sid, written, title)
    for source in yaml.safe_load(text)["sources"]:
        for section in source["sections"]:
            assert set(section) <= {"id", "title", "parent"} and isinstance(section["title"], str), section


def test_missing_entries_folder_is_reported(folder):
    shutil.rmtree(folder / "entries")
    assert any("no entry files" in p for p in problems(folder))


@pytest.mark.parametrize(
    "text, expected",
    [("One. Two.", 2), ("The 'low level' label. Then more!", 2), ("No end", 0), ('He said "stop." Then left.', 2)],
)
def test_sentence_count(text, expected):
    assert count_sentences(text) == expected


def test_project_knowledge_validates(knowledge):
    assert len(knowledge.sources) == 5
    assert len(knowledge.entries) >= 15
